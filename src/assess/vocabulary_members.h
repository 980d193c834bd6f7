// The assessment's part of the vocabulary (include/backaid/vocabulary.h):
// every member except "diary", which the diary module appends
// (src/diary/diary_vocabulary.cc composes AppendVocabularyJson). Split so
// that the assessment, below the diary in the module order, includes
// nothing of the diary (tests/layering_test.py).
#ifndef BACKAID_SRC_ASSESS_VOCABULARY_MEMBERS_H_
#define BACKAID_SRC_ASSESS_VOCABULARY_MEMBERS_H_

#include <string>
#include <string_view>

#include "backaid/knowledge_base.h"

namespace backaid::assess {

// Appends `"kb_version":..,"levels":{..},"services":{..},"conditions":{..},
// "sources":{..},"findings":{..},"asks":{..},"regions":..` (members only, no
// braces) as documented in include/backaid/vocabulary.h, every text in the
// words of `region` ("{number}" kept). Reads `kb` only; thread-safe for a
// const knowledge base; cannot fail.
void AppendVocabularyMembers(const KnowledgeBase& kb, std::string* out,
                             std::string_view region);

}  // namespace backaid::assess

#endif  // BACKAID_SRC_ASSESS_VOCABULARY_MEMBERS_H_
