// The diary: strict decoding (each bad input with its message), documents
// round trip, the review of an episode (escalation, pain trends, days
// elapsed, unknowns kept), and a property: a red flag reported in an entry
// never lowers the level.
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

#include "src/bundle/knowledge_bundle.h"
#include "src/diary/diary_model.h"
#include "src/knowledge/loader.h"
#include "src/knowledge/program.h"
#include "src/knowledge/test_kb.h"

namespace backaid {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;  // 2023-11-14T22:13:20Z
constexpr int64_t kDay = 86'400'000;

const KnowledgeBase& Kb() {
  static auto kb = [] {
    auto r = LoadEmbeddedKnowledgeBase();
    EXPECT_TRUE(r.ok()) << r.status().message();
    return *r;
  }();
  return *kb;
}

FindingId F(std::string_view key) { return *Kb().FindFinding(key); }

// A plain spasm with the nerve screen done: self-care.
constexpr char kSelfCareFindings[] =
    R"("bladder_dysfunction":false,"bowel_dysfunction":false,)"
    R"("saddle_numbness":false,"leg_weakness":"none","heel_walk":"normal",)"
    R"("toe_walk":"normal","fever":false,"onset_with_movement":true)";

EpisodeStart Episode(const std::string& extra) {
  std::string body = std::string(R"({"age":40,"findings":{)") +
                     kSelfCareFindings + extra + "}}";
  auto e = ParseEpisodeStart(Kb(), body, kT0);
  EXPECT_TRUE(e.ok()) << e.status().message() << "\n" << body;
  return e.ok() ? *e : EpisodeStart{};
}

DiaryEntry Entry(const std::string& json, int64_t at) {
  auto e = ParseDiaryEntry(Kb(), json, at);
  EXPECT_TRUE(e.ok()) << e.status().message() << "\n" << json;
  return e.ok() ? *e : DiaryEntry{};
}

EpisodeReview Review(const EpisodeStart& s, const std::vector<DiaryEntry>& es,
                     int64_t now) {
  auto r = ReviewEpisode(Kb(), s, es, now);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : EpisodeReview{};
}

bool HasDerived(const EpisodeReview& r, std::string_view prefix) {
  for (const auto& d : r.derived)
    if (d.rfind(prefix, 0) == 0) return true;
  return false;
}

// ---- knowledge
// ---------------------------------------------------------------

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

// ---- review ----------------------------------------------------------------

TEST(DiaryReview, BaselineIsSelfCare) {
  const auto r = Review(Episode(R"(,"onset_days":1,"pain_score":3)"), {}, kT0);
  EXPECT_EQ(r.result.level, TriageLevel::kSelfCare);
  EXPECT_EQ(r.previous_level, TriageLevel::kSelfCare);
  EXPECT_FALSE(r.escalated);
}

TEST(DiaryReview, BladderRetentionInAnEntryEscalatesToEmergency) {
  const EpisodeStart s = Episode(R"(,"onset_days":1,"pain_score":3)");
  const auto r = Review(
      s, {Entry(R"({"findings":{"bladder_dysfunction":true}})", kT0 + 3600000)},
      kT0 + 3600000);
  EXPECT_EQ(r.result.level, TriageLevel::kEmergency);
  EXPECT_EQ(r.previous_level, TriageLevel::kSelfCare);
  EXPECT_TRUE(r.escalated);
  EXPECT_TRUE(r.result.red_flags.test(F("bladder_dysfunction")));
  std::string json;
  AppendReviewJson(Kb(), r, &json);
  const auto j = nlohmann::json::parse(json);
  EXPECT_EQ(j["level"], "emergency");
  EXPECT_EQ(j["escalated"], true);
  EXPECT_EQ(j["triage"]["triage"], "emergency");
  EXPECT_TRUE(j["triage"].contains("could_not_rule_out"));
  ASSERT_FALSE(j["what_to_do_now"].empty());
  for (const auto& item : j["what_to_do_now"]) {
    EXPECT_TRUE(item["section"] == "now" || item["section"] == "safety_net")
        << item.dump();
    EXPECT_FALSE(item["sources"].empty());
  }
  EXPECT_EQ(j["plan"]["level"], "emergency");
}

TEST(DiaryReview, PainRising3To6To7IsWorseningAndRoutine) {
  const EpisodeStart s = Episode(R"(,"onset_days":1,"pain_score":3)");
  const auto r = Review(s,
                        {Entry(R"({"pain":6})", kT0 + 3600000),
                         Entry(R"({"pain":7})", kT0 + 7200000)},
                        kT0 + 7200000);
  EXPECT_EQ(r.current.values[F("worsening")], 1);
  EXPECT_TRUE(HasDerived(r, "worsening=true"));
  EXPECT_EQ(r.current.values[F("pain_score")], 7);
  // course.worsening (rules/course.yaml) is routine.
  EXPECT_EQ(r.result.level, TriageLevel::kRoutine);
  EXPECT_EQ(r.trend.direction, PainDirection::kWorse);
  EXPECT_EQ(r.trend.first, 3);
  EXPECT_EQ(r.trend.last, 7);
  EXPECT_EQ(r.trend.lowest, 3);
  EXPECT_EQ(r.trend.highest, 7);
  // 6 -> 7 was not a new rise of 2 over the level before, but it is over
  // the lowest: the level went up at the 6, so the last entry did not
  // escalate.
  EXPECT_EQ(r.previous_level, TriageLevel::kRoutine);
  EXPECT_FALSE(r.escalated);
}

TEST(DiaryReview, PainThatFallsBackIsNotWorsening) {
  const EpisodeStart s = Episode(R"(,"onset_days":1,"pain_score":3)");
  const auto r = Review(
      s,
      {Entry(R"({"pain":7})", kT0 + 1000), Entry(R"({"pain":6})", kT0 + 2000)},
      kT0 + 2000);
  // 6 is 3 above the lowest, but it fell from 7: not "getting worse".
  EXPECT_EQ(r.current.values[F("worsening")], kUnknown);
  EXPECT_EQ(r.trend.direction, PainDirection::kWorse);
}

TEST(DiaryReview, PainFalling7To4IsImproving) {
  // After 8 days of self-care a spasm that is not improving is routine
  // (course.not_settling); a fall of 3 points says it is improving.
  const EpisodeStart s =
      Episode(R"(,"onset_days":8,"self_care_days":8,"pain_score":7)");
  const auto before = Review(s, {}, kT0);
  EXPECT_EQ(before.result.level, TriageLevel::kRoutine);
  const auto r = Review(s, {Entry(R"({"pain":4})", kT0 + 1000)}, kT0 + 1000);
  EXPECT_EQ(r.current.values[F("improving")], 1);
  EXPECT_TRUE(HasDerived(r, "improving=true"));
  EXPECT_EQ(r.trend.direction, PainDirection::kBetter);
  EXPECT_EQ(r.result.level, TriageLevel::kSelfCare);
  EXPECT_FALSE(r.escalated);
}

TEST(DiaryReview, DaysElapsedRaiseOnsetDaysSoNotSettlingFires) {
  const EpisodeStart s = Episode(R"(,"onset_days":1,"pain_score":3)");
  const int64_t now = kT0 + 8 * kDay + 5;
  const auto r = Review(s, {Entry(R"({"pain":3})", now)}, now);
  EXPECT_EQ(r.current.values[F("onset_days")], 9);
  EXPECT_EQ(r.current.values[F("self_care_days")], 8);
  EXPECT_TRUE(HasDerived(r, "onset_days=9"));
  EXPECT_EQ(r.result.level, TriageLevel::kRoutine);
  bool not_settling = false;
  for (uint16_t i : r.result.fired)
    not_settling |= Kb().rules()[i].id == "course.not_settling";
  EXPECT_TRUE(not_settling);
  // Six weeks on, course.persistent fires too.
  const auto later = Review(s, {}, kT0 + 42 * kDay);
  EXPECT_EQ(later.current.values[F("onset_days")], 43);
}

TEST(DiaryReview, UnknownStaysUnknown) {
  const EpisodeStart s = Episode("");
  ASSERT_EQ(s.initial.values[F("onset_days")], kUnknown);
  const auto r = Review(s,
                        {Entry(R"({"pain":8})", kT0 + 1000),
                         Entry(R"({"pain":2})", kT0 + 2 * kDay)},
                        kT0 + 10 * kDay);
  EXPECT_EQ(r.current.values[F("onset_days")], kUnknown);
  EXPECT_EQ(r.current.values[F("self_care_days")], 10);  // 0 + 10 days
  // Only two points, no initial score: 8 -> 2 is improving; nothing is
  // ever set to its normal value.
  EXPECT_EQ(r.current.values[F("worsening")], kUnknown);
  for (size_t f = 0; f < Kb().findings().size(); ++f) {
    if (s.initial.values[f] == kUnknown && r.current.values[f] != kUnknown) {
      const FindingDef& d = Kb().findings()[f];
      const bool allowed = d.key == "self_care_days" || d.key == "improving" ||
                           d.key == "pain_score";
      EXPECT_TRUE(allowed) << d.key;
    }
  }
}

TEST(DiaryReview, NoteOnlyEntryKeepsTheLevel) {
  const EpisodeStart s = Episode(
      R"(,"onset_days":1,"pain_score":5,"leg_pain":"one","pain_below_knee":true)");
  const auto r0 = Review(s, {}, kT0);
  const auto r =
      Review(s, {Entry(R"({"note":"same as yesterday"})", kT0 + 1)}, kT0 + 1);
  EXPECT_EQ(r.result.level, r0.result.level);
  EXPECT_EQ(r.previous_level, r0.result.level);
  EXPECT_FALSE(r.escalated);
  EXPECT_TRUE(r.derived.empty());
}

TEST(DiaryReview, LevelNeverDropsWhileTheRedFlagIsPresent) {
  const EpisodeStart s = Episode(R"(,"onset_days":1,"pain_score":8)");
  std::vector<DiaryEntry> entries = {
      Entry(R"({"findings":{"bladder_dysfunction":true}})", kT0 + 1)};
  int64_t t = kT0 + 2;
  for (int p : {7, 5, 3, 1, 0}) {
    entries.push_back(Entry(fmt::format(R"({{"pain":{}}})", p), t++));
    const auto r = Review(s, entries, t);
    EXPECT_EQ(r.result.level, TriageLevel::kEmergency) << p;
  }
  entries.push_back(Entry(R"({"note":"feel fine","done":["walk"]})", t++));
  EXPECT_EQ(Review(s, entries, t).result.level, TriageLevel::kEmergency);
}

TEST(DiaryReview, JsonShapes) {
  const DiaryEntry e = Entry(
      R"({"pain":2,"done":["ice"],"findings":{"leg_weakness":"one"},"note":"n"})",
      kT0);
  std::string out;
  AppendEntryJson(Kb(), 3, e, &out);
  const auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["seq"], 3);
  EXPECT_EQ(j["at"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(j["pain"], 2);
  EXPECT_EQ(j["done"][0], "ice");
  EXPECT_EQ(j["findings"]["leg_weakness"], "one");
  EXPECT_EQ(j["note"], "n");

  PainTrend empty;
  out.clear();
  AppendPainTrendJson(empty, &out);
  EXPECT_EQ(
      out,
      R"({"points":[],"count":0,"meaningful_change":2,"direction":"unknown",)"
      R"("first":null,"last":null,"lowest":null,"highest":null})");
  EXPECT_EQ(FormatUtc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatUtc(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatUtc(951782400000), "2000-02-29T00:00:00Z");
}

// ---- property
// ----------------------------------------------------------------

TEST(DiaryProperty, AnEntryWithAnExtraRedFlagNeverLowersTheLevel) {
  const KnowledgeBase& kb = Kb();
  std::vector<FindingId> red_bools, other_bools;
  for (size_t f = 0; f < kb.findings().size(); ++f) {
    const FindingDef& d = kb.findings()[f];
    if (d.type != FindingType::kBool) continue;
    if (d.key == "worsening" || d.key == "improving") continue;
    (d.red_flag ? red_bools : other_bools).push_back(static_cast<FindingId>(f));
  }
  ASSERT_FALSE(red_bools.empty());
  std::mt19937 rng(20240601);
  auto pick = [&](const std::vector<FindingId>& v) {
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
  };
  const EpisodeStart base = Episode(R"(,"onset_days":2)");
  for (int iter = 0; iter < 2000; ++iter) {
    EpisodeStart s = base;
    if (rng() % 2) kb.SetFinding(F("pain_score"), rng() % 11, &s.initial);
    std::vector<DiaryEntry> entries;
    const int n = static_cast<int>(rng() % 6);
    int64_t t = kT0;
    for (int i = 0; i < n; ++i) {
      DiaryEntry e;
      t += static_cast<int64_t>(rng() % (3 * kDay));
      e.at_ms = t;
      if (rng() % 3) e.pain = static_cast<int>(rng() % 11);
      for (int k = static_cast<int>(rng() % 3); k > 0; --k) {
        const auto& from = rng() % 4 == 0 ? red_bools : other_bools;
        const FindingId f = pick(from);
        e.findings.emplace_back(f, static_cast<int32_t>(rng() % 2));
      }
      if (!e.pain && e.findings.empty()) e.note = "n";
      entries.push_back(std::move(e));
    }
    const int64_t now = t + static_cast<int64_t>(rng() % (10 * kDay));
    auto before = ReviewEpisode(kb, s, entries, now);
    ASSERT_TRUE(before.ok()) << before.status().message();
    DiaryEntry flag;
    flag.at_ms = now;
    const FindingId rf = pick(red_bools);
    flag.findings.emplace_back(rf, 1);
    entries.push_back(flag);
    auto after = ReviewEpisode(kb, s, entries, now);
    ASSERT_TRUE(after.ok()) << after.status().message();
    ASSERT_GE(after->result.level, before->result.level)
        << "iteration " << iter << ": red flag " << kb.findings()[rf].key;
    EXPECT_EQ(after->previous_level, before->result.level);
  }
}

// Random episodes (the generator above): appending the entries one by one
// to the kept state, all at one time, decides exactly what re-reviewing
// every prefix decides (issue 12 finding 1: the incremental review is the
// same review, not an approximation).
TEST(DiaryProperty, IncrementalStateDecidesAsTheFullReview) {
  const KnowledgeBase& kb = Kb();
  std::vector<FindingId> bools;
  for (size_t f = 0; f < kb.findings().size(); ++f) {
    const FindingDef& d = kb.findings()[f];
    if (d.type == FindingType::kBool && d.key != "worsening" &&
        d.key != "improving") {
      bools.push_back(static_cast<FindingId>(f));
    }
  }
  std::mt19937 rng(20261206);
  const EpisodeStart base = Episode(R"(,"onset_days":2)");
  for (int iter = 0; iter < 250; ++iter) {
    EpisodeStart s = base;
    if (rng() % 2) kb.SetFinding(F("pain_score"), rng() % 11, &s.initial);
    const int64_t now = kT0 + static_cast<int64_t>(rng() % (20 * kDay));
    auto st = InitialState(kb, s, now);
    ASSERT_TRUE(st.ok());
    std::vector<DiaryEntry> entries;
    const int n = 1 + static_cast<int>(rng() % 8);
    for (int i = 0; i < n; ++i) {
      DiaryEntry e;
      e.at_ms = kT0 + i;
      if (rng() % 3) e.pain = static_cast<int>(rng() % 11);
      for (int k = static_cast<int>(rng() % 3); k > 0; --k) {
        const FindingId f = bools[rng() % bools.size()];
        e.findings.emplace_back(f, static_cast<int32_t>(rng() % 2));
      }
      std::sort(e.findings.begin(), e.findings.end());
      e.findings.erase(
          std::unique(e.findings.begin(), e.findings.end(),
                      [](auto& a, auto& b) { return a.first == b.first; }),
          e.findings.end());
      if (!e.pain && e.findings.empty()) e.note = "n";
      entries.push_back(e);
      auto inc = AppendEntry(kb, s, e, now, &*st);
      ASSERT_TRUE(inc.ok()) << inc.status().message();
      auto full = ReviewEpisode(kb, s, entries, now);
      ASSERT_TRUE(full.ok());
      ASSERT_EQ(inc->result.level, full->result.level) << "iteration " << iter;
      EXPECT_EQ(inc->result.see, full->result.see) << "iteration " << iter;
      EXPECT_EQ(inc->result.conditions, full->result.conditions)
          << "iteration " << iter;
      EXPECT_EQ(inc->result.red_flags, full->result.red_flags);
      EXPECT_EQ(inc->previous_level, full->previous_level);
      EXPECT_EQ(inc->escalated, full->escalated);
      EXPECT_EQ(inc->current.values, full->current.values);
      EXPECT_EQ(inc->trend.direction, full->trend.direction);
      EXPECT_EQ(inc->trend.count, full->trend.count);
    }
    auto again = ReviewFromState(kb, s, *st, now);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->result.level, st->floor.level);
  }
}

// The state, and so the episode's document and a write's cost, does not
// grow with the number of entries (issue 12 finding 1: at 4,000 entries a
// write cost 24 ms and re-read every entry).
TEST(DiaryProperty, StateDoesNotGrowWithTheEpisode) {
  const EpisodeStart s = Episode(R"(,"pain_score":4)");
  auto st = InitialState(Kb(), s, kT0);
  ASSERT_TRUE(st.ok());
  size_t at_100 = 0;
  for (int i = 1; i <= 5000; ++i) {
    DiaryEntry e;
    e.at_ms = kT0 + int64_t{i} * 60'000;  // one a minute: 1,440 a day
    e.pain = 3 + i % 4;
    ASSERT_TRUE(AppendEntry(Kb(), s, e, e.at_ms, &*st).ok());
    if (i == 100) at_100 = EpisodeDocument(Kb(), s, *st).size();
  }
  EXPECT_EQ(st->entries, 5000);
  EXPECT_EQ(st->pain.count, 5001);
  EXPECT_EQ(st->pain.recent.size(), kPainWindow);
  EXPECT_LE(st->recent_at.size(), kMaxRecentEntryTimes);
  const size_t at_5000 = EpisodeDocument(Kb(), s, *st).size();
  // The last day's entry times are the only part that grows, up to its cap.
  EXPECT_LE(at_5000, at_100 + kMaxRecentEntryTimes * 15);
  // The last day: 1,440 entries, of which the cap keeps the newest.
  const auto day = EntriesInLastDay(*st, kT0 + int64_t{5000} * 60'000);
  EXPECT_EQ(day.size(), kMaxRecentEntryTimes);
  EXPECT_EQ(day.back(), kT0 + int64_t{5000} * 60'000);
}

// What the course derived says why in diary.yaml's words (`course.*.why`),
// which may use the regional terms like every diary.yaml text: the review
// gives them in the episode's region's words, never as "{doctor}".
TEST(DiaryReview, DerivedReasonsAreInTheRegionsWords) {
  std::vector<kb::KbFile> files = kb::EmbeddedFiles();
  for (const kb::KbFile& f : kb::EmbeddedFiles()) {
    if (f.path != "diary.yaml") continue;
    std::string content = f.content;
    const std::string from = "days since the pain began";
    const size_t at = content.find(from);
    ASSERT_NE(at, std::string::npos);
    content.replace(at, from.size(),
                    "days since the pain began (your {doctor} will ask)");
    files.push_back(kb::KbFile{f.path, content});  // the last one wins
  }
  auto built = kb::Build(files);
  for (const LintIssue& i : built.issues) ADD_FAILURE() << i.ToString();
  ASSERT_NE(built.impl, nullptr);
  const auto kb = KnowledgeBaseBuilder::Wrap(std::move(built.impl));
  auto start = ParseEpisodeStart(
      *kb, R"({"findings":{"onset_days":2},"region":"us"})", kT0);
  ASSERT_TRUE(start.ok()) << start.status().message();
  auto review = ReviewEpisode(*kb, *start, {}, kT0 + 3 * kDay);
  ASSERT_TRUE(review.ok()) << review.status().message();
  bool said = false;
  for (const std::string& d : review->derived) {
    EXPECT_EQ(d.find('{'), std::string::npos) << d;
    said = said ||
           d.find("your primary care doctor will ask") != std::string::npos;
  }
  EXPECT_TRUE(said) << ::testing::PrintToString(review->derived);
}

// The regions an episode may name are the knowledge base's
// (knowledge/regions.yaml), not a list in the code: a copy of the knowledge
// base with a region added and one removed is followed.
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
