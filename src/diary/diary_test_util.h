// Shared fixtures of the diary tests: the embedded knowledge base, a
// plain self-care episode and entry builders that fail the test on a
// parse error.
#ifndef BACKAID_SRC_DIARY_DIARY_TEST_UTIL_H_
#define BACKAID_SRC_DIARY_DIARY_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "backaid/diary.h"
#include "backaid/knowledge_base.h"

namespace backaid::diary_test {
inline constexpr int64_t kT0 = 1'700'000'000'000;  // 2023-11-14T22:13:20Z
inline constexpr int64_t kDay = 86'400'000;

inline const KnowledgeBase& Kb() {
  static auto kb = [] {
    auto r = LoadEmbeddedKnowledgeBase();
    EXPECT_TRUE(r.ok()) << r.status().message();
    return *r;
  }();
  return *kb;
}

inline FindingId F(std::string_view key) { return *Kb().FindFinding(key); }

// A plain spasm with the nerve screen done: self-care.
inline constexpr char kSelfCareFindings[] =
    R"("bladder_dysfunction":false,"bowel_dysfunction":false,)"
    R"("saddle_numbness":false,"leg_weakness":"none","heel_walk":"normal",)"
    R"("toe_walk":"normal","fever":false,"onset_with_movement":true)";

inline EpisodeStart Episode(const std::string& extra) {
  std::string body = std::string(R"({"age":40,"findings":{)") +
                     kSelfCareFindings + extra + "}}";
  auto e = ParseEpisodeStart(Kb(), body, kT0);
  EXPECT_TRUE(e.ok()) << e.status().message() << "\n" << body;
  return e.ok() ? *e : EpisodeStart{};
}

inline DiaryEntry Entry(const std::string& json, int64_t at) {
  auto e = ParseDiaryEntry(Kb(), json, at);
  EXPECT_TRUE(e.ok()) << e.status().message() << "\n" << json;
  return e.ok() ? *e : DiaryEntry{};
}

inline EpisodeReview Review(const EpisodeStart& s,
                            const std::vector<DiaryEntry>& es, int64_t now) {
  auto r = ReviewEpisode(Kb(), s, es, now);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : EpisodeReview{};
}

inline bool HasDerived(const EpisodeReview& r, std::string_view prefix) {
  for (const auto& d : r.derived)
    if (d.rfind(prefix, 0) == 0) return true;
  return false;
}

}  // namespace backaid::diary_test

#endif  // BACKAID_SRC_DIARY_DIARY_TEST_UTIL_H_
