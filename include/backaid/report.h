// Human-readable rendering of a triage result (text for a terminal,
// Markdown for documents). The clinical wording comes from the knowledge
// base; this only lays it out.
#ifndef BACKAID_REPORT_H_
#define BACKAID_REPORT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backaid/case.h"
#include "backaid/engine.h"
#include "backaid/knowledge_base.h"

namespace backaid {

// Appends `text` word-wrapped to `width` columns; the first line starts with
// `first`, the others with `indent`. A word longer than a line stands alone.
void AppendWrapped(std::string_view first, std::string_view indent,
                   std::string_view text, size_t width, std::string* out);

// The emergency telephone number for a region: "eu" 112, "uk" 999,
// "us" 911; nullopt for any other region.
std::optional<std::string_view> EmergencyNumber(std::string_view region);

// The one-time notice that backaid gives information and triage, not a
// diagnosis.
const char* NotADiagnosisNotice();

// When the red-flag screen is incomplete or unanswered findings leave a more
// urgent level open: says so and lists the questions that would decide
// (OpenQuestions, include/backaid/assess.h), each with the level it could
// lead to. Writes nothing otherwise, or at emergency (the call comes first).
// `only`: keep just the open questions with these question ids (a front
// that ran the questionnaire passes the ones answered "not sure": the
// others were skipped because they could not apply).
void AppendOpenQuestionsText(const KnowledgeBase& kb, const Case& c,
                             const TriageResult& r, bool markdown,
                             std::string* out,
                             const std::vector<std::string>* only = nullptr);

// Renders one result (an incomplete one opens with
// AppendOpenQuestionsText): the level and its meaning first, then red flags,
// what to check for, who to see, why (each fired rule with its sources),
// what was not assessed.
void AppendResultText(const KnowledgeBase& kb, const Case& c,
                      const TriageResult& r, bool markdown, std::string* out);

}  // namespace backaid

#endif  // BACKAID_REPORT_H_
