// Internal helpers shared by the diary's codec (diary_codec.cc) and its
// review (diary_review.cc).
#ifndef BACKAID_SRC_DIARY_DIARY_INTERNAL_H_
#define BACKAID_SRC_DIARY_DIARY_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

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

inline Status NoDiary() {
  return Status::FailedPrecondition(
      "the knowledge base has no diary (diary.yaml)");
}

}  // namespace backaid::diary_internal

#endif  // BACKAID_SRC_DIARY_DIARY_INTERNAL_H_
