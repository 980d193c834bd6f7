// Which question to ask next (issue 14): a question is asked only when some
// answer to it could still change the level, the conditions named or the
// care plan, and the questions that could raise the level most come first.
//
// The engine's three-valued evaluation says which rules are still open: a
// rule whose `when` is neither definitely true nor definitely false, and
// that would change the level or the conditions if it fired; or a rule that
// fired but whose `unless` is still unknown. The findings left unknown in
// the undecided parts of those conditions are what an answer can still
// change; each gets the level of the most urgent rule it could decide. The
// care plan's conditions (items and activities at the result's level) are
// read the same way, below every rule.
#ifndef BACKAID_SRC_ASSESS_SELECTION_H_
#define BACKAID_SRC_ASSESS_SELECTION_H_

#include <array>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "backaid/case.h"
#include "backaid/engine.h"
#include "backaid/knowledge_base.h"
#include "src/assess/questionnaire_model.h"

namespace backaid::assess {

// Per finding, how much its answer could still matter: 0 not at all, 1 the
// care plan only, RuleWeight(level, supported) a rule of that level (4
// self_care ... 11 emergency); a rule already partly supported by an
// abnormal answer weighs one more than the others of its level. Only
// unknown findings are ever above 0.
constexpr int RuleWeight(TriageLevel level, bool supported) {
  return 2 * (2 + static_cast<int>(level)) + (supported ? 1 : 0);
}
struct Relevance {
  std::array<int8_t, kMaxFindings> weight{};
  FindingSet any;  // weight > 0
};
// The findings some question could still set for this person: those of
// every question whose ask_when some later answer could still make true
// (known(x) of a finding not answered yet is open). A finding outside
// it stays unknown however the interview goes (e.g. the measured
// temperature when no fever was reported), so a rule that needs it cannot
// fire and the rest of that rule is not worth asking.
FindingSet AskableFindings(const KnowledgeBase& kb, const Case& c);

// Whether rule `rule` (index into kb.rules()) could still fire once the
// askable findings are answered (errs towards true). A rule that could not
// is left open (could_not_rule_out) but nothing more is asked for it: an
// answer could only rule it out, never change the level.
bool CouldStillFire(const KnowledgeBase& kb, const Case& c, size_t rule);

void ComputeRelevance(const KnowledgeBase& kb, const Case& c,
                      const TriageResult& r, Relevance* out);

// The weight of a question: the largest weight of the findings it sets
// (0: no answer could change anything).
int QuestionWeight(const QuestionDef& q, const Relevance& rel);

// Findings that some of a question's answers rule out without setting them
// (checklist excludes), per finding: the values ruled out so far.
using RuledOut = std::vector<std::pair<FindingId, uint32_t>>;

// Applies a reply (validated by the caller's rules) to `c`: the assessment's
// own Apply, shared with the progress estimate. Declared in assessment.cc.

// The next question: among those not `asked` whose ask_when is not
// definitely false and whose weight is above 0, the one with the highest
// weight; ties go to the questionnaire's order. -1 when none is left.
// `only_screen` (not empty): only that screen's questions are candidates.
int ChooseNext(const Questionnaire& model, const Case& c, const Relevance& rel,
               const std::vector<bool>& asked,
               std::string_view only_screen = {});

// The screen of question `next` (>= 0): `next` and every other question
// with the same screen id that is not `asked`, whose ask_when is not
// definitely false and whose weight is above 0, in questionnaire order.
// {next} when it has no screen id.
std::vector<int> ScreenOf(const Questionnaire& model, const Case& c,
                          const Relevance& rel, const std::vector<bool>& asked,
                          int next);

// At emergency: the question that could still decide the exception of the
// emergency rules that fired (e.g. months of walking-related tingling in
// both legs, told from new cauda equina by how long it has lasted), when
// every one of them has an exception still open; -1 when the emergency is
// certain (some emergency rule has no exception, or one already ruled out)
// or when no question left could decide one. Only a rule's own exception
// is asked after an emergency, never anything else.
int ConfirmEmergency(const KnowledgeBase& kb, const Questionnaire& model,
                     const Case& c, const TriageResult& r,
                     const std::vector<bool>& asked);

// The answer a person with nothing to report gives (used only to estimate
// how many questions are left): "none of these", the option whose every
// finding is normal, a number question's normal value, else "not sure".
Reply TypicalReply(const KnowledgeBase& kb, const QuestionDef& q);

}  // namespace backaid::assess

#endif  // BACKAID_SRC_ASSESS_SELECTION_H_
