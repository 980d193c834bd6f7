// The questions that would decide what unanswered findings leave open.
#include <algorithm>
#include <string>
#include <vector>

#include "backaid/assess.h"
#include "src/assess/questionnaire_model.h"
#include "src/knowledge/program.h"

namespace backaid {

std::vector<OpenQuestion> OpenQuestions(const KnowledgeBase& kb,
                                        const std::vector<Undetermined>& u) {
  // Most urgent rule first; the knowledge base's order within a level.
  std::vector<const Undetermined*> open;
  open.reserve(u.size());
  for (const Undetermined& x : u) open.push_back(&x);
  std::stable_sort(open.begin(), open.end(),
                   [&](const Undetermined* a, const Undetermined* b) {
                     return kb.rules()[a->rule].level >
                            kb.rules()[b->rule].level;
                   });
  // asked_as, not questionnaire(): a triage must not parse questions.yaml.
  const auto& asked_as = kb::Internal(kb).asked_as;
  std::vector<OpenQuestion> out;
  FindingSet seen;
  for (const Undetermined* x : open) {
    for (FindingId f : x->missing) {
      if (seen.test(f)) continue;
      seen.set(f);
      OpenQuestion q;
      q.finding = f;
      q.level = kb.rules()[x->rule].level;
      q.text = kb.findings()[f].meaning;
      if (f < asked_as.size() && !asked_as[f].question.empty()) {
        q.question = asked_as[f].question;
        q.text = asked_as[f].text;
      }
      out.push_back(q);
    }
  }
  return out;
}

std::vector<OpenQuestion> OpenQuestions(const KnowledgeBase& kb, const Case& c,
                                        const TriageResult& r) {
  return OpenQuestions(kb, CouldNotRuleOut(kb, c, r));
}

}  // namespace backaid
