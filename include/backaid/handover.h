// The handover summary of a follow-up episode, as a PDF for the GP or
// physiotherapist (GET /v1/episodes/{id}/summary.pdf): the assessment's
// level in words with its meaning and the services, the red flags reported,
// the reasons with their sources, the pertinent negatives grouped under the
// time they were answered ("Answered no at the assessment (14:02,
// 2026-11-21):"), only for what the person was asked and answered
// (src/handover/handover_model.h), the plan, and the diary's pain trend. All
// text is data from the knowledge base and the episode; it is laid out
// with Pango (any Unicode text) and written by cairo's PDF surface.
#ifndef BACKAID_HANDOVER_H_
#define BACKAID_HANDOVER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "backaid/diary.h"
#include "backaid/knowledge_base.h"
#include "backaid/status.h"

namespace backaid {

// A red-flag finding answered "no", and when (Unix ms): the episode start
// for the initial answers, the entry's time for a diary entry.
struct PertinentNegative {
  FindingId finding;
  int64_t at_ms = 0;
};

// The red-flag findings known to be "no" (their normal value) in the
// initial case and in each entry, in that order: only findings the person
// was asked and answered (handover::AskedFindings), and only those whose
// normal value reads as "no" (yes/no findings, scales whose normal is
// "none"; a heel walk found "normal" is not a negative). A finding that is
// only unknown is never a negative.
std::vector<PertinentNegative> PertinentNegatives(
    const KnowledgeBase& kb, const EpisodeStart& start,
    const std::vector<DiaryEntry>& entries);

// Renders the summary as a PDF document (A4, as many pages as needed).
// `review` is ReviewEpisode(kb, start, entries, now_ms). Times are shown
// in the episode's time zone. Fails (kInternal) only if cairo cannot write.
Result<std::string> HandoverPdf(const KnowledgeBase& kb,
                                const EpisodeStart& start,
                                const std::vector<DiaryEntry>& entries,
                                const EpisodeReview& review, int64_t now_ms);

}  // namespace backaid

#endif  // BACKAID_HANDOVER_H_
