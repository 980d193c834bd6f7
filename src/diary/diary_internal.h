// Internal helpers shared by the diary's request codec (diary_codec.cc),
// its storage documents (diary_document.cc), its JSON (diary_json.cc) and its
// review (diary_review.cc).
#ifndef BACKAID_SRC_DIARY_DIARY_INTERNAL_H_
#define BACKAID_SRC_DIARY_DIARY_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "backaid/case.h"
#include "backaid/knowledge_base.h"
#include "backaid/status.h"
#include "src/diary/diary_model.h"
#include "src/knowledge/program.h"

namespace backaid::diary_internal {

inline const diary::DiaryModel* Model(const KnowledgeBase& kb) {
  return diary::DiaryModelOf(kb);
}

// Defined in diary_json.cc.
void AppendFindingValue(const FindingDef& def, int32_t v, std::string* out);
void AppendFindingPairs(const KnowledgeBase& kb,
                        const std::vector<std::pair<FindingId, int32_t>>& fs,
                        std::string* out);
void AppendOptionalInt(const std::optional<int>& v, std::string* out);

// Defined in diary_codec.cc.
// Whether `id` names a region of the knowledge base's regions.yaml (the
// emergency number follows from it). A knowledge base without regions.yaml
// knows no region: there an episode has none (""), and the fronts say "the
// emergency number".
bool KnownRegion(const KnowledgeBase& kb, std::string_view id);
// Decodes a findings object with the case reader (one decoder for cases,
// episodes, entries and documents), plus age and sex when given
// (`person_json`: ,"age":..,"sex":..).
Status ReadFindings(const KnowledgeBase& kb, std::string_view findings_json,
                    std::string_view person_json, Case* c);
// The known findings of `c` with their encoded values.
std::vector<std::pair<FindingId, int32_t>> KnownFindings(const Case& c);

inline Status NoDiary() {
  return Status::FailedPrecondition(
      "the knowledge base has no diary (diary.yaml)");
}

}  // namespace backaid::diary_internal

#endif  // BACKAID_SRC_DIARY_DIARY_INTERNAL_H_
