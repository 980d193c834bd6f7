// The regional wording lint (see regions.h): which "{term}"s a text may
// use, and that no text of one region (NHS, 111, an emergency number)
// reaches another. Shared by the regions loader.
#ifndef BACKAID_SRC_CASEIO_REGIONS_LINT_H_
#define BACKAID_SRC_CASEIO_REGIONS_LINT_H_

#include <string>
#include <string_view>
#include <vector>

#include "src/caseio/regions.h"
#include "src/knowledge/loader.h"
#include "src/knowledge/program.h"

namespace backaid::kb {

inline constexpr char kRegionsFile[] = "regions.yaml";

// A term's name: lower-case letters and underscores.
bool IsTermName(std::string_view name);
// Whether `key` names a finding of the knowledge base being built.
bool FindsFinding(const KnowledgeBase::Impl& impl, std::string_view key);
// The "{name}" placeholders of `text`, in order.
std::vector<std::string> Placeholders(std::string_view text);
// Plain words: no markup or control characters (texts shown as they are).
bool IsPlainWords(std::string_view text);
// Lints every text of every file for its use of terms (see the .cc).
void LintTermUse(const std::vector<KbFile>& files,
                 const KnowledgeBase::Impl& impl,
                 const regions::RegionModel& model,
                 std::vector<LintIssue>* issues);

}  // namespace backaid::kb

#endif  // BACKAID_SRC_CASEIO_REGIONS_LINT_H_
