// The diary part of the knowledge base: the embedded one, its note
// prompts and sources, the lint with file:line, and a knowledge base
// without a diary file.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "backaid/diary.h"
#include "src/diary/diary_model.h"
#include "src/diary/diary_test_util.h"
#include "src/knowledge/program.h"
#include "src/knowledge/test_kb.h"

namespace backaid {
namespace {

using namespace diary_test;  // NOLINT: the shared fixtures

TEST(DiaryKnowledge, EmbeddedKnowledgeBaseHasTheDiary) {
  const auto* m = diary::DiaryModelOf(Kb());
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->meaningful_change, 2);
  EXPECT_FALSE(m->meaningful_change_sources.empty());
  EXPECT_GE(m->activities.size(), 8u);
  for (const auto& d : m->course) EXPECT_FALSE(d.sources.empty());
}

std::vector<LintIssue> LintDiary(const std::string& diary_yaml) {
  auto files = kb::testing::TestKbFiles(kb::testing::kGoodRules);
  files.push_back({"diary.yaml", diary_yaml});
  return kb::Build(files).issues;
}

constexpr char kTestDiary[] = R"(activities:
  - {id: ice, label: Ice}
  - {id: walk, label: Walk}
pain:
  finding: score
  meaningful_change: 2
  sources: [s1]
course:
  onset_days: {finding: score, why: days, sources: [s1]}
  self_care_days: {finding: score, why: days, sources: [s1]}
  worsening: {finding: a, why: up, sources: [s1]}
  improving: {finding: c, why: down, sources: [s1]}
)";

// Issue 14: the words that prompt "record it as a warning sign?" are data
// with sources, each about red-flag findings, among them one-leg weakness
// and the bladder (cauda equina) signs.
TEST(DiaryKnowledge, NotePromptsAreRedFlagWordsWithSources) {
  const auto* m = diary::DiaryModelOf(Kb());
  ASSERT_NE(m, nullptr);
  ASSERT_FALSE(m->note_prompts.empty());
  std::set<std::string> keys;
  for (const auto& p : m->note_prompts) {
    EXPECT_FALSE(p.words.empty()) << p.id;
    EXPECT_FALSE(p.sources.empty()) << p.id;
    for (FindingId f : p.findings) {
      EXPECT_TRUE(Kb().findings()[f].red_flag) << p.id;
      keys.insert(Kb().findings()[f].key);
    }
  }
  for (const char* k :
       {"leg_weakness", "bladder_dysfunction", "saddle_numbness", "fever"})
    EXPECT_TRUE(keys.count(k)) << k;
  std::string with_prompt = kTestDiary;
  with_prompt +=
      "note_prompts:\n  - {id: p, words: [numb], findings: [a, b], "
      "sources: [s1]}\n";
  for (const auto& i : LintDiary(with_prompt)) ADD_FAILURE() << i.ToString();
}

TEST(DiaryKnowledge, TestDiaryLintsClean) {
  const auto issues = LintDiary(kTestDiary);
  for (const auto& i : issues) ADD_FAILURE() << i.ToString();
}

constexpr char kImproving[] =
    "  improving: {finding: c, why: down, sources: [s1]}\n";

TEST(DiaryKnowledge, LintReportsFileLineAndProblem) {
  struct Case {
    std::string from, to, expected;
  };
  const std::vector<Case> cases = {
      {"{id: walk,", "{id: ice,",
       "diary.yaml:3:10: duplicate activity id 'ice'"},
      {"{id: walk, label: Walk}", "{id: Walk!, label: Walk}",
       "diary.yaml:3:10: activity id 'Walk!' must be"},
      {"finding: score\n  meaningful", "finding: nosuch\n  meaningful",
       "diary.yaml:5:12: pain: unknown finding 'nosuch'"},
      {"meaningful_change: 2", "meaningful_change: 11",
       "diary.yaml:6:22: pain: 'meaningful_change' must be"},
      {"sources: [s1]\ncourse", "sources: [s9]\ncourse",
       "diary.yaml:7:13: pain: unknown source 's9'"},
      {"worsening: {finding: a,", "worsening: {finding: score,",
       "diary.yaml:11:24: course worsening: finding 'score' must be yes/no"},
      {"  improving: {finding: c, why: down, sources: [s1]}\n", "",
       "diary.yaml:9:3: course is missing 'improving'"},
      {"why: up,", "wy: up,", "unknown key 'wy' in course worsening"},
      {"pain:", "pian:", "unknown key 'pian' in diary.yaml"},
      {kImproving,
       std::string(kImproving) +
           "note_prompts:\n  - {id: p, words: [Numb], findings: [a], "
           "sources: [s1]}\n",
       "diary.yaml:14:21: note prompt p: a word must be non-empty lower-case"},
      {kImproving,
       std::string(kImproving) +
           "note_prompts:\n  - {id: p, words: [numb], findings: [c], "
           "sources: [s1]}\n",
       "note prompt p: finding 'c' is not a red flag"},
      {kImproving,
       std::string(kImproving) +
           "note_prompts:\n  - {id: p, words: [numb], findings: [a]}\n",
       "note prompt p needs a non-empty 'sources' list"},
  };
  for (const auto& c : cases) {
    std::string yaml = kTestDiary;
    const size_t at = yaml.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    yaml.replace(at, c.from.size(), c.to);
    std::string all;
    for (const auto& i : LintDiary(yaml)) all += i.ToString() + "\n";
    EXPECT_NE(all.find(c.expected), std::string::npos)
        << "expected: " << c.expected << "\ngot:\n"
        << all;
  }
}

TEST(DiaryKnowledge, WithoutDiaryFileTheApiSaysSo) {
  auto kb = KnowledgeBaseBuilder::Make(
      kb::testing::TestKbFiles(kb::testing::kGoodRules));
  ASSERT_TRUE(kb.ok()) << kb.status().message();
  auto e = ParseDiaryEntry(**kb, R"({"note":"x"})", kT0);
  EXPECT_EQ(e.status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace backaid
