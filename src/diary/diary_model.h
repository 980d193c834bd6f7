// The follow-up diary's data (knowledge/diary.yaml) as loaded and linted by
// src/diary/diary_loader.cc into KnowledgeBase::Impl::diary. Immutable once
// loaded; src/diary/diary.cc only applies it.
#ifndef BACKAID_SRC_DIARY_DIARY_MODEL_H_
#define BACKAID_SRC_DIARY_DIARY_MODEL_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "backaid/case.h"
#include "backaid/knowledge_base.h"

namespace backaid::diary {

// Something a person can report having done ("done" in an entry).
struct Activity {
  std::string id;
  std::string label;  // plain words
};

// What the course of the episode derives. The formulas are fixed (they are
// the meaning of the finding); the finding each one sets, its wording and
// its sources are data.
enum class Derivation : uint8_t {
  kOnsetDays,     // initial onset_days + whole days elapsed (unknown stays)
  kSelfCareDays,  // initial self_care_days (or 0) + whole days elapsed
  kWorsening,     // rose >= meaningful change above the lowest, not falling
  kImproving,     // last >= meaningful change below the first
};
inline constexpr int kDerivationCount = 4;
inline constexpr const char* kDerivationIds[kDerivationCount] = {
    "onset_days", "self_care_days", "worsening", "improving"};

struct DerivationDef {
  FindingId finding = 0;
  std::string why;                  // plain words, for `derived`
  std::vector<std::string> sources; // citations (SourceDef::cite)
};

// Words in a free-text note that may describe a warning sign: the page asks
// whether to record it as one (never records it by itself). Matched
// lower case, at the start of a word.
struct NotePrompt {
  std::string id;
  std::vector<std::string> words;    // lower case
  std::vector<FindingId> findings;   // red-flag findings it is about
  std::vector<std::string> sources;  // citations (SourceDef::cite)
};

struct DiaryModel {
  std::vector<Activity> activities;  // in file order
  int meaningful_change = 2;         // points on the 0-10 pain scale
  std::vector<std::string> meaningful_change_sources;
  std::array<DerivationDef, kDerivationCount> course;
  FindingId pain_score = 0;          // the finding an entry's pain sets
  std::vector<NotePrompt> note_prompts;  // in file order; may be empty
};

// The diary model of `kb` (diary.yaml, loaded by diary_loader.cc as a
// knowledge-base extension), or null when the knowledge base has no
// diary.yaml. Owned by `kb`. The built-in knowledge base parses it on the
// first call.
const DiaryModel* DiaryModelOf(const KnowledgeBase& kb);

}  // namespace backaid::diary

#endif  // BACKAID_SRC_DIARY_DIARY_MODEL_H_
