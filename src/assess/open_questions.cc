// The questions that would decide what unanswered findings leave open.
#include <algorithm>
#include <string>
#include <vector>

#include "backaid/assess.h"
#include "src/assess/questionnaire_model.h"
#include "src/knowledge/program.h"

namespace backaid {

std::vector<OpenQuestion> OpenQuestions(const KnowledgeBase& kb, const Case& c,
                                        const TriageResult& r) {
  std::vector<Undetermined> open = CouldNotRuleOut(kb, c, r);
  // Most urgent first; the knowledge base's order within a level.
  std::stable_sort(open.begin(), open.end(),
                   [&](const Undetermined& a, const Undetermined& b) {
                     return kb.rules()[a.rule].level > kb.rules()[b.rule].level;
                   });
  const assess::Questionnaire* model = kb.impl().questionnaire.get();
  std::vector<OpenQuestion> out;
  std::vector<FindingId> seen;
  for (const Undetermined& u : open) {
    for (FindingId f : u.missing) {
      if (std::find(seen.begin(), seen.end(), f) != seen.end()) continue;
      seen.push_back(f);
      OpenQuestion q;
      q.finding = f;
      q.level = kb.rules()[u.rule].level;
      q.text = kb.findings()[f].meaning;
      if (model != nullptr) {
        // The first question (and option) that sets this finding.
        for (const assess::QuestionDef& def : model->questions) {
          bool found = false;
          if (def.view.kind == QuestionKind::kNumber) {
            found = def.finding == f;
            if (found) q.text = def.view.text;
          }
          for (size_t i = 0; !found && i < def.options.size(); ++i) {
            for (const assess::Setting& s : def.options[i].sets) {
              if (s.first != f) continue;
              found = true;
              q.text = def.view.kind == QuestionKind::kChecklist
                           ? def.view.options[i].label
                           : def.view.text;
              break;
            }
          }
          if (found) {
            q.question = def.view.id;
            break;
          }
        }
      }
      out.push_back(std::move(q));
    }
  }
  return out;
}

}  // namespace backaid
