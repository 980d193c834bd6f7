// The review of an episode (escalation, pain trends, days elapsed,
// unknowns kept) and its properties: a red flag reported in an entry
// never lowers the level; the incremental state decides as the full
// review and does not grow with the episode.
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
#include "backaid/plan.h"
#include "backaid/report.h"
#include "src/bundle/knowledge_bundle.h"
#include "src/diary/diary_model.h"
#include "src/diary/diary_test_util.h"
#include "src/knowledge/loader.h"
#include "src/knowledge/program.h"
#include "src/knowledge/test_kb.h"

namespace backaid {
namespace {

using namespace diary_test;  // NOLINT: the shared fixtures

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
  // What to do now is the core's choice (WhatToDoNow), step for step:
  // the region's call first, never the plan's own call item again.
  const std::vector<NowStep> steps =
      WhatToDoNow(Kb(), r.result, &r.plan, r.region);
  ASSERT_EQ(j["what_to_do_now"].size(), steps.size());
  ASSERT_GE(steps.size(), 2u);
  ASSERT_LE(steps.size(), 3u);
  for (size_t i = 0; i < steps.size(); ++i) {
    const auto& item = j["what_to_do_now"][i];
    EXPECT_EQ(item["id"], steps[i].id);
    EXPECT_EQ(item["title"], steps[i].title);
    EXPECT_EQ(item["text"], steps[i].text);
    EXPECT_EQ(item["sources"].size(), steps[i].sources.size());
    EXPECT_FALSE(item["sources"].empty()) << item.dump();
  }
  EXPECT_EQ(j["what_to_do_now"][0]["role"], "emergency_call");
  EXPECT_NE(j["what_to_do_now"][0]["title"].get<std::string>().find("Call"),
            std::string::npos);
  for (size_t i = 1; i < steps.size(); ++i) {
    EXPECT_FALSE(j["what_to_do_now"][i].contains("role"));
    for (const PlanItem& p : r.plan.items) {
      if (p.id == steps[i].id) {
        EXPECT_NE(p.role, PlanItemRole::kEmergencyCall) << p.id;
      }
    }
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

// The regions an episode may name are the knowledge base's
// (knowledge/regions.yaml), not a list in the code: a copy of the knowledge
// base with a region added and one removed is followed.

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

}  // namespace
}  // namespace backaid
