// The clinical knowledge base: findings, conditions, sources, rules,
// conflicts and questions, loaded from versioned YAML (knowledge/) and
// compiled once into an immutable program that any number of threads share.
//
// A knowledge base that does not lint clean is never returned: Load* fail
// with kFailedPrecondition and the full list of problems.
//
// Contract: a KnowledgeBase is immutable once returned and is shared as a
// std::shared_ptr<const KnowledgeBase>; every const call is thread-safe
// (the built-in knowledge base parses its extension files once, on first
// use, under a lock). References it returns (definitions, names) live as
// long as the knowledge base. Errors are Status values; no call throws.
#ifndef BACKAID_KNOWLEDGE_BASE_H_
#define BACKAID_KNOWLEDGE_BASE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backaid/case.h"
#include "backaid/status.h"

namespace backaid {

namespace kb {
struct Access;  // src/knowledge/program.h
}  // namespace kb

struct SourceLocation {
  std::string file;  // relative to the knowledge directory
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;    // 1-based; 0 when unknown
};

// One problem found by the linter: "file:line:column: message".
struct LintIssue {
  SourceLocation where;
  std::string message;
  std::string ToString() const;
};

enum class FindingType : uint8_t { kBool, kInt, kNumber, kEnum };

struct FindingDef {
  std::string key;
  FindingType type = FindingType::kBool;
  std::string group;
  std::string meaning;
  int32_t min = 0, max = 1;         // encoded (numbers are scaled)
  int32_t scale = 1;                // 10 for numbers: one decimal place
  std::vector<std::string> values;  // enum values, in order
  std::optional<int32_t> normal;    // encoded "no"/normal value, if any
  bool red_flag = false;            // listed in not_assessed when unknown
  SourceLocation where;
};

// An encoded value of finding `def` as the knowledge base writes it: "true"
// or "false", the enum value's name, the integer, the number with its
// decimal ("38.5"), "unknown" for kUnknown. An enum value out of range is
// written as its number. Pure; thread-safe.
std::string FindingValueText(const FindingDef& def, int32_t encoded);

struct ConditionDef {
  std::string id;
  std::string name;
  std::string description;
  uint32_t covered_by = 0;  // conditions that, when present, explain this one
  std::vector<std::string> sources;
  SourceLocation where;
};

struct ServiceDef {
  std::string id;
  std::string name;
};

struct SourceDef {
  std::string id;
  std::string kind;  // "article" (a seed file) or "guideline"
  std::string title;
  std::string cite;  // what a result prints: file name or short citation
  std::string publisher;
  std::string year;
  SourceLocation where;
};

struct RuleDef {
  std::string id;
  std::string when;    // expression text as written
  std::string unless;  // empty when none
  TriageLevel level = TriageLevel::kSelfCare;
  uint32_t conditions = 0;        // bitmask over conditions()
  std::vector<uint16_t> see;      // indices into services()
  std::string reason;             // plain words for the person
  std::vector<uint16_t> sources;  // indices into sources()
  SourceLocation where;
};

struct ConflictDef {
  std::string id;
  std::string topic;
  std::vector<std::string> positions;  // what each side says, with source
  std::string decision;                // the position backaid takes
  std::vector<uint16_t> sources;
  SourceLocation where;
};

struct LevelDef {
  std::string name;     // self_care, routine, urgent, emergency
  std::string meaning;  // plain words for the person
};

class KnowledgeBase {
 public:
  ~KnowledgeBase();
  KnowledgeBase(const KnowledgeBase&) = delete;
  KnowledgeBase& operator=(const KnowledgeBase&) = delete;

  // "<semantic version>+<first 12 hex digits of the content SHA-256>".
  const std::string& version() const;

  const std::vector<FindingDef>& findings() const;
  const std::vector<ConditionDef>& conditions() const;
  const std::vector<ServiceDef>& services() const;
  const std::vector<SourceDef>& sources() const;
  const std::vector<RuleDef>& rules() const;
  const std::vector<ConflictDef>& conflicts() const;
  const LevelDef& level(TriageLevel level) const;

  std::optional<FindingId> FindFinding(std::string_view key) const;
  std::optional<uint16_t> FindCondition(std::string_view id) const;

  // A case with every finding unknown, sized for this knowledge base.
  Case NewCase() const;
  // True if `encoded` is a known answer to finding `f` other than its
  // normal answer (any known answer when the finding has none). The one
  // definition of "abnormal": Case::abnormal, the red flags a handover
  // lists, ... all use it.
  bool IsAbnormal(FindingId f, int32_t encoded) const;
  // Sets (or, with kUnknown, clears) a finding and keeps Case::abnormal true.
  void SetFinding(FindingId f, int32_t encoded, Case* c) const;

  // The compiled program (src/knowledge/program.h); internal.
  struct Impl;

 private:
  friend class KnowledgeBaseBuilder;
  friend struct kb::Access;
  explicit KnowledgeBase(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The knowledge base compiled into this binary (from knowledge/ at build
// time), so backaid runs from any directory. Loaded and linted once.
Result<std::shared_ptr<const KnowledgeBase>> LoadEmbeddedKnowledgeBase();

// Loads a knowledge base directory (a reviewer's copy). Fails unless it
// lints clean.
Result<std::shared_ptr<const KnowledgeBase>> LoadKnowledgeBase(
    const std::string& dir);

// Every problem in a knowledge base directory (or, with an empty dir, the
// embedded one), all at once. Empty means clean.
std::vector<LintIssue> LintKnowledgeBase(const std::string& dir);

}  // namespace backaid

#endif  // BACKAID_KNOWLEDGE_BASE_H_
