// Human-readable rendering of a triage result (text for a terminal,
// Markdown for documents). The clinical wording comes from the knowledge
// base; this only lays it out.
#ifndef BACKAID_REPORT_H_
#define BACKAID_REPORT_H_

#include <optional>
#include <string>
#include <string_view>

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

// Renders one result: the level and its meaning first, then red flags,
// what to check for, who to see, why (each fired rule with its sources),
// what was not assessed. The open rules (CouldNotRuleOut) are left to the
// JSON output: listed in full they bury the answer.
void AppendResultText(const KnowledgeBase& kb, const Case& c,
                      const TriageResult& r, bool markdown, std::string* out);

}  // namespace backaid

#endif  // BACKAID_REPORT_H_
