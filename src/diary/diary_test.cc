// The diary: strict decoding (each bad input with its message), documents
// round trip, regions from the knowledge base.
#include "backaid/diary.h"

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

#include "src/diary/diary_model.h"
#include "src/diary/diary_test_util.h"
#include "src/knowledge/program.h"
#include "src/knowledge/test_kb.h"

namespace backaid {
namespace {

using namespace diary_test;  // NOLINT: the shared fixtures

// ---- parsing -------------------------------------------------------------

TEST(DiaryParse, GoodEntry) {
  auto e = ParseDiaryEntry(
      Kb(),
      R"({"pain":4,"done":["ice","walk"],"findings":{"leg_weakness":"one","fever":true},"note":"better \u00e9"})",
      kT0);
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_EQ(e->at_ms, kT0);
  EXPECT_EQ(e->pain, 4);
  EXPECT_EQ(e->done, (std::vector<std::string>{"ice", "walk"}));
  ASSERT_EQ(e->findings.size(), 2u);
  for (const auto& [f, v] : e->findings) EXPECT_NE(v, kUnknown);
  EXPECT_EQ(e->note, "better \xc3\xa9");
}

TEST(DiaryParse, BadEntriesNameTheMemberAndProblem) {
  const std::string deep = R"({"findings":{"a":[[[[[[[[1]]]]]]]]}})";
  const std::string long_note =
      R"({"note":")" + std::string(kMaxNoteBytes + 1, 'x') + R"("})";
  std::string many_done = R"({"done":[)";
  for (size_t i = 0; i <= kMaxDoneItems; ++i)
    many_done += std::string(i ? "," : "") + "\"ice\"";
  many_done += "]}";
  std::string many_findings = R"({"findings":{)";
  for (size_t i = 0; i <= Kb().findings().size(); ++i)
    many_findings +=
        std::string(i ? "," : "") + "\"k" + std::to_string(i) + "\":true";
  many_findings += "}}";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{}", "an entry needs at least one of pain, done, findings or note"},
      {R"({"note":""})", "an entry needs at least one of"},
      {"", "empty body"},
      {"[1]", "body must be a JSON object"},
      {"{\"pain\":3", "malformed JSON"},
      {R"({"pain":11})", "pain: must be an integer 0-10"},
      {R"({"pain":-1})", "pain: must be an integer 0-10"},
      {R"({"pain":3.5})", "pain: must be an integer 0-10"},
      {R"({"pain":3.0})", "pain: must be an integer 0-10"},
      {R"({"pain":"3"})", "pain: must be an integer 0-10"},
      {R"({"pain":99999999999999999999})", "out of range"},
      {R"({"pain":1e999})", "out of range"},
      {R"({"pain":3,"pain":4})", "pain: duplicate key"},
      {R"({"findings":{"fever":true,"fever":false}})",
       "findings.fever: duplicate key"},
      {R"({"mood":"ok"})", "unknown member 'mood'"},
      {R"({"done":"ice"})", "done: must be a list of activity ids"},
      {R"({"done":["ice","ice"]})", "done: 'ice' given twice"},
      {R"({"done":["juggling"]})", "done: unknown activity 'juggling'"},
      {R"({"done":[1]})", "done: items must be activity ids"},
      {many_done, "done: more than 16 items"},
      {R"({"findings":[]})", "findings: must be an object"},
      {R"({"findings":{"nosuch":true}})", "findings: unknown key 'nosuch'"},
      {R"({"findings":{"fever":null}})", "findings.fever: must not be null"},
      {R"({"findings":{"fever":"yes"}})",
       "findings.fever: must be true or false"},
      {R"({"findings":{"leg_weakness":"very"}})",
       "findings.leg_weakness: 'very' is not one of"},
      {R"({"findings":{"onset_days":1.5}})",
       "findings.onset_days: must be a whole number"},
      {R"({"findings":{"onset_days":99999}})",
       "findings.onset_days: 99999 is out of range"},
      {R"({"findings":{"pain_score":4}})",
       "findings.pain_score: give the pain score as \"pain\""},
      {R"({"findings":{"age":40}})", "findings: unknown key 'age'"},
      {many_findings, "findings: more than"},
      {R"({"note":5})", "note: must be a string"},
      {long_note, "note: longer than 2000 bytes"},
      {"{\"note\":\"\xff\"}", "invalid UTF-8"},
      {deep, "nested deeper than 8 levels"},
  };
  for (const auto& [body, expected] : cases) {
    auto e = ParseDiaryEntry(Kb(), body, kT0);
    ASSERT_FALSE(e.ok()) << body.substr(0, 80);
    EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(e.status().message().find(expected), std::string::npos)
        << body.substr(0, 80) << "\nexpected: " << expected
        << "\ngot: " << e.status().message();
  }
}

TEST(DiaryParse, EpisodeFromFindingsAndFromAnswers) {
  auto f = ParseEpisodeStart(
      Kb(),
      R"({"findings":{"onset_days":2,"fever":null},"age":33,"sex":"female","time_zone":"Europe/London","region":"uk","open_episode":true})",
      kT0);
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(f->initial.values[F("onset_days")], 2);
  EXPECT_EQ(f->initial.values[F("fever")], kUnknown);
  EXPECT_EQ(f->initial.values[F("age")], 33);
  EXPECT_EQ(f->time_zone, "Europe/London");
  EXPECT_EQ(f->region, "uk");
  EXPECT_EQ(f->started_at_ms, kT0);
  EXPECT_TRUE(f->answers.empty());

  auto a = ParseEpisodeStart(
      Kb(), R"({"answers":{"age":40,"sex":"male","emergency_signs":"none"}})",
      kT0);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->answers.size(), 3u);
  EXPECT_EQ(a->initial.values[F("chest_pain")], 0);
  EXPECT_EQ(a->time_zone, "UTC");
  EXPECT_EQ(a->region, "eu");
}

TEST(DiaryParse, BadEpisodesNameTheMemberAndProblem) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{}", "give exactly one of \"answers\" and \"findings\""},
      {R"({"answers":{},"findings":{}})", "give exactly one of"},
      {R"({"findings":{},"time_zone":"Mars/Olympus"})",
       "time_zone: unknown time zone 'Mars/Olympus'"},
      {R"({"findings":{},"time_zone":""})", "time_zone: must be an IANA name"},
      {R"({"findings":{},"time_zone":7})", "time_zone: must be a string"},
      {R"({"findings":{},"region":"fr"})", "region: must be"},
      {R"({"findings":{},"open_episode":"yes"})",
       "open_episode: must be true or false"},
      {R"({"findings":{},"colour":"red"})", "unknown member 'colour'"},
      {R"({"findings":{},"age":400})", "age: 400 is out of range"},
      {R"({"findings":{"nosuch":1}})", "findings: unknown key 'nosuch'"},
      {R"({"answers":{"nosuch":"x"}})",
       "answers: unknown question id 'nosuch'"},
      {R"({"answers":{"sex":"robot"}})",
       "answers: question 'sex': unknown option 'robot'"},
      {R"({"answers":[]})", "answers: must be an object"},
      {R"({"answers":{"age":40},"age":40})", "age and sex go in \"answers\""},
      {R"({"findings":{},"findings":{}})", "findings: duplicate key"},
  };
  for (const auto& [body, expected] : cases) {
    auto e = ParseEpisodeStart(Kb(), body, kT0);
    ASSERT_FALSE(e.ok()) << body;
    EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(e.status().message().find(expected), std::string::npos)
        << body << "\nexpected: " << expected
        << "\ngot: " << e.status().message();
  }
}

// ---- documents -------------------------------------------------------------

TEST(DiaryDocuments, EpisodeRoundTrip) {
  auto a = ParseEpisodeStart(
      Kb(),
      R"({"answers":{"age":40,"sex":"male","emergency_signs":["chest_pain","unsure"]},"time_zone":"America/New_York","region":"us"})",
      kT0);
  ASSERT_TRUE(a.ok()) << a.status().message();
  auto state = InitialState(Kb(), *a, kT0);
  ASSERT_TRUE(state.ok()) << state.status().message();
  ASSERT_EQ(state->floor.level, TriageLevel::kEmergency);  // chest pain
  const std::string doc = EpisodeDocument(Kb(), *a, *state);
  auto back = EpisodeFromDocument(Kb(), doc);
  ASSERT_TRUE(back.ok()) << back.status().message() << "\n" << doc;
  EXPECT_EQ(back->last_level, TriageLevel::kEmergency);
  ASSERT_TRUE(back->state.has_value());
  EXPECT_EQ(back->start.started_at_ms, kT0);
  EXPECT_EQ(back->start.time_zone, "America/New_York");
  EXPECT_EQ(back->start.region, "us");
  EXPECT_EQ(back->start.initial.values, a->initial.values);
  EXPECT_EQ(back->start.initial.abnormal, a->initial.abnormal);
  ASSERT_EQ(back->start.answers.size(), a->answers.size());
  for (size_t i = 0; i < a->answers.size(); ++i) {
    EXPECT_EQ(back->start.answers[i].first, a->answers[i].first);
    EXPECT_EQ(back->start.answers[i].second.options,
              a->answers[i].second.options);
    EXPECT_EQ(back->start.answers[i].second.number,
              a->answers[i].second.number);
  }
  // Written again, the document is the same.
  EXPECT_EQ(EpisodeDocument(Kb(), back->start, *back->state), doc);
}

// The state after entries survives its document: floor, pain summary,
// day counts and the last day's entry times.
TEST(DiaryDocuments, StateRoundTrip) {
  const EpisodeStart s = Episode(R"(,"pain_score":3,"onset_days":1)");
  auto st = InitialState(Kb(), s, kT0);
  ASSERT_TRUE(st.ok());
  for (const auto& [json, at] : std::vector<std::pair<std::string, int64_t>>{
           {R"({"pain":6})", kT0 + 1000},
           {R"({"findings":{"bladder_dysfunction":true}})", kT0 + 2000},
           {R"({"pain":4,"findings":{"onset_days":3}})", kT0 + 3000}}) {
    ASSERT_TRUE(AppendEntry(Kb(), s, Entry(json, at), at, &*st).ok());
  }
  const std::string doc = EpisodeDocument(Kb(), s, *st);
  auto back = EpisodeFromDocument(Kb(), doc);
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_TRUE(back->state.has_value());
  const ReviewState& b = *back->state;
  EXPECT_EQ(b.entries, 3);
  EXPECT_EQ(b.overlaid.values, st->overlaid.values);
  EXPECT_EQ(b.floor.level, TriageLevel::kEmergency);
  EXPECT_EQ(b.floor.see, st->floor.see);
  EXPECT_EQ(b.floor.conditions, st->floor.conditions);
  EXPECT_EQ(b.floor.red_flags, st->floor.red_flags);
  EXPECT_EQ(b.pain.count, 3);
  EXPECT_EQ(b.pain.first, 3);
  EXPECT_EQ(b.pain.last, 4);
  EXPECT_EQ(b.pain.before_last, 6);
  EXPECT_EQ(b.pain.highest, 6);
  EXPECT_EQ(b.onset.value, 3);
  EXPECT_EQ(b.onset.at_ms, kT0 + 3000);
  EXPECT_EQ(b.recent_at, st->recent_at);
  EXPECT_EQ(EpisodeDocument(Kb(), back->start, b), doc);
}

// A document without its region or level is damage, never a default
// (issue 11: a missing region read as "eu", a missing level as self_care).
TEST(DiaryDocuments, MissingRegionOrLevelIsAnError) {
  const EpisodeStart s = Episode("");
  auto st = InitialState(Kb(), s, kT0);
  ASSERT_TRUE(st.ok());
  const std::string doc = EpisodeDocument(Kb(), s, *st);
  ASSERT_TRUE(EpisodeFromDocument(Kb(), doc).ok());
  for (const std::string member :
       {"\"region\":\"eu\",", "\"time_zone\":\"UTC\",",
        "\"last_level\":\"self_care\","}) {
    std::string cut = doc;
    const size_t at = cut.find(member);
    ASSERT_NE(at, std::string::npos) << member;
    cut.erase(at, member.size());
    auto back = EpisodeFromDocument(Kb(), cut);
    ASSERT_FALSE(back.ok()) << member;
    EXPECT_NE(back.status().message().find("missing"), std::string::npos)
        << back.status().message();
  }
}

TEST(DiaryDocuments, EntryRoundTripAndUnknownFindingsSkipped) {
  const DiaryEntry e = Entry(
      R"({"pain":6,"done":["heat"],"findings":{"temperature_c":38.5,"leg_pain":"one"},"note":"a \"quoted\" note"})",
      kT0 + 5);
  const std::string doc = EntryDocument(Kb(), e);
  auto back = EntryFromDocument(Kb(), doc);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->at_ms, e.at_ms);
  EXPECT_EQ(back->pain, e.pain);
  EXPECT_EQ(back->done, e.done);
  EXPECT_EQ(back->findings, e.findings);
  EXPECT_EQ(back->note, e.note);
  EXPECT_EQ(EntryDocument(Kb(), *back), doc);

  // A finding a later knowledge base dropped is skipped, the rest kept.
  auto old = EntryFromDocument(
      Kb(),
      R"({"v":1,"at_ms":5,"pain":null,"done":[],"findings":{"gone_finding":true,"fever":true},"note":""})");
  ASSERT_TRUE(old.ok()) << old.status().message();
  ASSERT_EQ(old->findings.size(), 1u);
  EXPECT_EQ(old->findings[0].first, F("fever"));
  auto nothing = EntryFromDocument(
      Kb(), R"({"v":1,"at_ms":5,"findings":{"gone_finding":true}})");
  EXPECT_FALSE(nothing.ok());
  EXPECT_FALSE(EntryFromDocument(Kb(), "not json").ok());
  EXPECT_FALSE(EpisodeFromDocument(Kb(), R"({"v":1})").ok());
}

TEST(DiaryParse, RegionsComeFromTheKnowledgeBase) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() /
                       ("backaid-diary-regions-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::copy(fs::path(BACKAID_SOURCE_DIR) / "knowledge", dir,
           fs::copy_options::recursive);
  std::string yaml;
  {
    std::ifstream in(dir / "regions.yaml");
    yaml.assign(std::istreambuf_iterator<char>(in), {});
  }
  const size_t us = yaml.find("  - id: us");
  const size_t end = yaml.find("sources: [fcc_911]", us);
  ASSERT_NE(us, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  yaml.replace(us, end + 18 - us,
               "  - id: xx\n    name: Test land\n    emergency_number: "
               "\"000\"\n    sources: [eu_112]");
  std::ofstream(dir / "regions.yaml") << yaml;
  auto kb = LoadKnowledgeBase(dir.string());
  fs::remove_all(dir);
  ASSERT_TRUE(kb.ok()) << kb.status().message();
  auto body = [](const std::string& region) {
    return R"({"findings":{"onset_days":2},"region":")" + region + "\"}";
  };
  auto xx = ParseEpisodeStart(**kb, body("xx"), kT0);
  ASSERT_TRUE(xx.ok()) << xx.status().message();
  EXPECT_EQ(xx->region, "xx");
  auto gone = ParseEpisodeStart(**kb, body("us"), kT0);
  ASSERT_FALSE(gone.ok());
  EXPECT_NE(gone.status().message().find("\"xx\""), std::string::npos)
      << gone.status().message();
  // The stored episode is read back against the same list.
  auto back = EpisodeFromDocument(
      **kb, EpisodeDocument(**kb, *xx, *InitialState(**kb, *xx, kT0)));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->start.region, "xx");
}

}  // namespace
}  // namespace backaid
