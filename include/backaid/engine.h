// The triage engine: evaluates a case against a compiled knowledge base.
//
// Semantics (three-valued): a finding is true, false or unknown. A rule fires
// when its `when` condition is definitely true and its `unless` condition is
// not definitely true. An unknown finding therefore never satisfies a
// trigger and never counts as reassurance; the linter forbids triggers that
// an unanswered question could switch off, so an unknown answer can never
// give a lower level than the answer "no".
//
// Evaluate() is thread-safe (the knowledge base is immutable), does not
// allocate once `out` has been used, and is deterministic.
//
// Contract for every call here: `kb` is borrowed and must outlive the call;
// `c` must have been made by kb.NewCase() (a Case of another knowledge base
// is undefined behaviour). No call fails or throws: an incomplete case is
// an answer with `not_assessed` and could_not_rule_out, never an error.
// Results are values owned by the caller. All are safe to call from any
// number of threads at once, each with its own `out`.
#ifndef BACKAID_ENGINE_H_
#define BACKAID_ENGINE_H_

#include <cstdint>
#include <vector>

#include "backaid/case.h"
#include "backaid/knowledge_base.h"

namespace backaid {

struct TriageResult {
  TriageLevel level = TriageLevel::kSelfCare;
  uint32_t conditions = 0;      // bit i = kb.conditions()[i], after covered_by
  uint32_t see = 0;             // bit i = kb.services()[i], from the rules at
                                // the result's level
  FindingSet red_flags;         // red-flag findings that made a rule above
                                // self_care fire
  FindingSet not_assessed;      // red-flag findings that were not answered
  std::vector<uint16_t> fired;  // indices into kb.rules(), in kb order
};

// Triage: `out` is overwritten (reuse it across cases to avoid allocation).
void Evaluate(const KnowledgeBase& kb, const Case& c, TriageResult* out);
TriageResult Evaluate(const KnowledgeBase& kb, const Case& c);

// The findings that made a fired rule's `when` true (its evidence), in
// FindingId order: the findings of the `when`'s atoms that are true in `c`.
// `rule` indexes kb.rules() (out of range is undefined); for a rule that
// did not fire the list may be partial or empty.
std::vector<FindingId> Evidence(const KnowledgeBase& kb, const Case& c,
                                uint16_t rule);

// A rule above the result's level that could not be ruled out because
// findings it needs were not answered. CouldNotRuleOut lists them in rule
// order; `result` must be Evaluate(kb, c). Empty when the screen is
// complete for every rule above the level.
struct Undetermined {
  uint16_t rule;
  std::vector<FindingId> missing;
};
std::vector<Undetermined> CouldNotRuleOut(const KnowledgeBase& kb,
                                          const Case& c,
                                          const TriageResult& result);
// The same list with each rule's missing findings as a set, written into
// `out` (overwritten): no allocation once `out` has held as many rules, so
// the batch writes it for every case at little cost.
struct UndeterminedRule {
  uint16_t rule;
  FindingSet missing;
};
void CouldNotRuleOut(const KnowledgeBase& kb, const Case& c,
                     const TriageResult& result,
                     std::vector<UndeterminedRule>* out);
// The set form turned into the list form (findings in id order).
std::vector<Undetermined> ToUndetermined(
    const std::vector<UndeterminedRule>& rules);

// The services asked for by the fired rules at the result's level, in
// rule order, without repeats.
std::vector<uint16_t> OrderedServices(const KnowledgeBase& kb,
                                      const TriageResult& result);

}  // namespace backaid

#endif  // BACKAID_ENGINE_H_
