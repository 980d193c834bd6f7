// Which findings a question asks: what "asked and answered" means for the
// handover summary (src/handover/handover.cc) and the web page's summary
// (the vocabulary's "asks", src/assess/vocabulary.cc). One rule, here.
#ifndef BACKAID_SRC_ASSESS_ASKED_H_
#define BACKAID_SRC_ASSESS_ASKED_H_

#include <cstddef>
#include <vector>

#include "src/assess/questionnaire_model.h"

namespace backaid::assess {

// By FindingId (size n): a number question's finding; a checklist's items
// (an unticked item is its normal answer); a single-choice question's
// findings that at least two of its options set (yes and no, the steps of a
// scale). A finding that one option only implies ("male" sets "not
// pregnant") is not asked.
inline std::vector<bool> FindingsAsked(const QuestionDef& q, size_t n) {
  std::vector<bool> asked(n, false);
  if (q.view.kind == QuestionKind::kNumber) {
    if (q.finding < n) asked[q.finding] = true;
    return asked;
  }
  std::vector<int> setters(n, 0);
  for (const OptionDef& o : q.options)
    for (const auto& [f, v] : o.sets)
      if (f < n) ++setters[f];
  for (size_t f = 0; f < n; ++f) {
    const bool item = q.view.kind == QuestionKind::kChecklist && setters[f] > 0;
    if (setters[f] >= 2 || item) asked[f] = true;
  }
  return asked;
}

}  // namespace backaid::assess

#endif  // BACKAID_SRC_ASSESS_ASKED_H_
