// Batch commands over JSON Lines: triage many cases fast, and validate
// results against each case's "expected".
//
// Contract: the calls borrow `kb` (or share it) and the file descriptors for
// the call only; they neither close nor seek them. A bad case is never a
// failure of the call: it is counted and answered on its own line. Calls
// fail (kIoError) only when reading or writing a descriptor fails; the
// interview protocol without a questionnaire is kFailedPrecondition. Each
// call may use several threads internally and returns when they are done;
// concurrent calls on different descriptors are safe. The render and rate
// helpers are pure.
#ifndef BACKAID_BATCH_H_
#define BACKAID_BATCH_H_

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "backaid/case.h"
#include "backaid/knowledge_base.h"
#include "backaid/status.h"

namespace backaid {

enum class OutputFormat { kJson, kText, kMarkdown };

struct BatchOptions {
  int threads = 0;  // 0 = one per hardware thread
  OutputFormat format = OutputFormat::kJson;
  // JSON: the open questions in full (ResultDetail::kFull, with the words
  // a person reads) instead of as question ids. could_not_rule_out is in
  // every result either way.
  bool full = false;
};

struct BatchStats {
  size_t cases = 0;   // non-blank input lines
  size_t errors = 0;  // lines answered with {"id":..., "error":...}
};

// Reads cases as JSON Lines from `in_fd` and writes one result per
// non-blank line to `out_fd`, in input order. A bad line gives an error
// object on its line and the others still run. Lines over 1 MiB are errors.
// Fails only on I/O errors.
Result<BatchStats> TriageStream(const KnowledgeBase& kb, int in_fd, int out_fd,
                                const BatchOptions& options);

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
  // The protocol: false = as given (each case's findings triaged as they
  // are), true = the interview (InterviewCase, include/backaid/assess.h).
  bool interview = false;
  size_t as_given_only = 0;  // interview: cases skipped ("as_given_only")
  // Interview: the questions asked for each case, by backaid's level, and
  // the screens they were asked on (Assessment::NextScreen).
  std::array<std::vector<int>, kLevelCount> questions{};
  std::array<std::vector<int>, kLevelCount> screens{};
};

struct ValidateOptions {
  bool interview = false;  // the vignette-study protocol instead of as given
};

Result<ValidationReport> Validate(const KnowledgeBase& kb, int in_fd);
// Fails with kFailedPrecondition for the interview when the knowledge base
// has no questionnaire.
Result<ValidationReport> Validate(std::shared_ptr<const KnowledgeBase> kb,
                                  int in_fd, const ValidateOptions& options);
// The same over JSON Lines already read (e.g. several files joined).
Result<ValidationReport> ValidateText(std::shared_ptr<const KnowledgeBase> kb,
                                      std::string_view text,
                                      const ValidateOptions& options);

// Figures derived from a report (rates are in [0, 1]; 1 when there is
// nothing to count).
double SelfCareExactRate(const ValidationReport& r);  // self_care expected
// Median / maximum of the questions asked by backaid's level (-1: none),
// and over every non-emergency result.
int MedianQuestions(const std::vector<int>& counts);
int MaxQuestions(const std::vector<int>& counts);
// The counts (r.questions or r.screens) of every non-emergency result.
std::vector<int> NonEmergencyCounts(
    const std::array<std::vector<int>, kLevelCount>& counts);
inline std::vector<int> NonEmergencyQuestions(const ValidationReport& r) {
  return NonEmergencyCounts(r.questions);
}
std::string RenderValidationText(const ValidationReport& r);
std::string RenderValidationJson(const ValidationReport& r);

}  // namespace backaid

#endif  // BACKAID_BATCH_H_
