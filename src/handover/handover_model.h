// The handover summary's model: what the summary says (src/handover/
// handover.cc), as layout-free blocks that the PDF module
// (pdf_render.cc) only lays out. Tests read the blocks directly, and the
// PDF through pdftotext.
#ifndef BACKAID_SRC_HANDOVER_HANDOVER_MODEL_H_
#define BACKAID_SRC_HANDOVER_HANDOVER_MODEL_H_

#include <cstdint>
#include <vector>

#include "backaid/diary.h"
#include "backaid/knowledge_base.h"
#include "src/handover/pdf_document.h"

namespace backaid::handover {

// By FindingId: whether the person was asked it and answered. From the
// episode's answers: a number question's finding; a checklist's items (an
// unticked item is its normal answer); a single-choice question's findings
// that at least two of its options set. A finding one option only implies
// ("male" sets "not pregnant") was not asked. An episode started from
// findings: every known finding.
std::vector<bool> AskedFindings(const KnowledgeBase& kb,
                                const EpisodeStart& start);

// The summary's text, in order: level in words, red flags reported,
// reasons, red flags not assessed, pertinent negatives (one paragraph: a
// sentence per finding group after "Answered no at the assessment
// (time):"; one line per diary entry), self-checks found normal, the other
// answers, the plan (a one-line pointer to the self-care plan the person
// has; the safety net in full, its warning signs as sub-bullets in two
// columns), the diary (only when there are entries). Fits one A4 page for
// a plain case. Pure: reads its arguments, thread-safe, cannot fail.
PdfDocument HandoverDocument(const KnowledgeBase& kb, const EpisodeStart& start,
                             const std::vector<DiaryEntry>& entries,
                             const EpisodeReview& review, int64_t now_ms);

}  // namespace backaid::handover

#endif  // BACKAID_SRC_HANDOVER_HANDOVER_MODEL_H_
