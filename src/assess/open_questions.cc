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
  const assess::Questionnaire* model = kb.impl().questionnaire().get();
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
      if (model != nullptr && f < model->asked_by.size() &&
          model->asked_by[f].first >= 0) {
        const auto [qi, oi] = model->asked_by[f];
        const Question& view = model->questions[qi].view;
        q.question = view.id;
        q.text = oi >= 0 && view.kind == QuestionKind::kChecklist
                     ? std::string_view(view.options[oi].label)
                     : std::string_view(view.text);
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
