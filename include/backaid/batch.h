// Batch commands over JSON Lines: triage many cases fast, and validate
// results against each case's "expected".
#ifndef BACKAID_BATCH_H_
#define BACKAID_BATCH_H_

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "backaid/case.h"
#include "backaid/knowledge_base.h"
#include "backaid/status.h"

namespace backaid {

enum class OutputFormat { kJson, kText, kMarkdown };

struct BatchOptions {
  int threads = 0;  // 0 = one per hardware thread
  OutputFormat format = OutputFormat::kJson;
  bool could_not_rule_out = false;  // JSON: add the could_not_rule_out list
};

struct BatchStats {
  size_t cases = 0;   // non-blank input lines
  size_t errors = 0;  // lines answered with {"id":..., "error":...}
};

// Reads cases as JSON Lines from `in_fd` and writes one result per
// non-blank line to `out_fd`, in input order. A bad line gives an error
// object on its line and the others still run. Lines over 1 MiB are errors.
// Fails only on I/O errors.
Result<BatchStats> TriageStream(const KnowledgeBase& kb, int in_fd,
                                int out_fd, const BatchOptions& options);

struct ValidationReport {
  size_t total = 0;        // cases read without error
  size_t errors = 0;       // unreadable cases
  size_t no_expected = 0;  // readable but without "expected"
  // matrix[expected][got], levels in TriageLevel order.
  std::array<std::array<size_t, kLevelCount>, kLevelCount> matrix{};
  size_t level_exact = 0;
  size_t fully_exact = 0;  // level and condition set both exact
  struct Miss {
    std::string id;
    TriageLevel expected, got;
  };
  std::vector<Miss> under, over;
  size_t conditions_expected = 0, conditions_found = 0, conditions_extra = 0;
  struct ConditionMiss {
    std::string id;
    std::vector<std::string> missing, extra;
  };
  std::vector<ConditionMiss> condition_misses;
  std::vector<std::pair<std::string, std::string>> error_cases;  // id, error
};

Result<ValidationReport> Validate(const KnowledgeBase& kb, int in_fd);
std::string RenderValidationText(const ValidationReport& r);
std::string RenderValidationJson(const ValidationReport& r);

}  // namespace backaid

#endif  // BACKAID_BATCH_H_
