// A case: one person at one moment, as structured findings
// (see shared/case-format.md). Findings are stored densely by FindingId; a
// finding that was not assessed holds kUnknown, never a default "no".
//
// Contract: plain values, owned by the caller. A Case is sized for one
// knowledge base (KnowledgeBase::NewCase) and must only be used with it; set
// findings with KnowledgeBase::SetFinding, which keeps `abnormal` and
// `known` true (writing `values` directly leaves them stale). Not
// synchronized: one Case per thread, or const access only.
#ifndef BACKAID_CASE_H_
#define BACKAID_CASE_H_

#include <bitset>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace backaid {

using FindingId = uint16_t;
inline constexpr size_t kMaxFindings = 256;
using FindingSet = std::bitset<kMaxFindings>;

// The value of a finding that was not assessed.
inline constexpr int32_t kUnknown = std::numeric_limits<int32_t>::min();

// Ordered from least to most urgent; comparisons follow urgency.
enum class TriageLevel : uint8_t {
  kSelfCare = 0,
  kRoutine = 1,
  kUrgent = 2,
  kEmergency = 3,
};
inline constexpr int kLevelCount = 4;

// "self_care", "routine", "urgent", "emergency": the ids of the API and of
// case-format.md (a front shows the knowledge base's words instead). The
// view is of static storage.
std::string_view LevelName(TriageLevel level);
// The level of such an id; nullopt for anything else (case-sensitive).
std::optional<TriageLevel> ParseLevel(std::string_view name);

struct Case {
  std::string id;
  // Encoded values by FindingId: bool 0/1, enum index, int as is, numbers
  // scaled by the finding's scale (see FindingDef). kUnknown = not assessed.
  std::vector<int32_t> values;
  // Findings that are known and differ from their normal value. Maintained
  // by SetFinding(); the engine uses it to skip rules that cannot fire.
  FindingSet abnormal;
  FindingSet known;  // findings with an answer; maintained by SetFinding()
  // Unknown findings the assessment did not ask because no answer to them
  // could change the level, the conditions or the plan (set by the
  // questionnaire, src/assess): not listed as not assessed.
  FindingSet not_needed;
};

// What a vignette expects (the optional "expected" member of a case).
struct ExpectedOutcome {
  bool present = false;
  TriageLevel level = TriageLevel::kSelfCare;
  uint32_t conditions = 0;  // bit i = KnowledgeBase::conditions()[i]
  // "as_given_only": the case is about a missing answer, so the interview
  // protocol (which answers every question) skips it.
  bool as_given_only = false;
};

}  // namespace backaid

#endif  // BACKAID_CASE_H_
