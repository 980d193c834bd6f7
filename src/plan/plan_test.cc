// Care plan: item selection for a person, rendering, and the steps said
// once.

#include "src/bundle/knowledge_bundle.h"
#include "src/knowledge/program.h"
#include "src/plan/plan_test_util.h"

namespace backaid {
namespace {

using namespace plan_test;  // NOLINT: the shared fixture

TEST_F(PlanTest, EmbeddedKnowledgeBaseHasAPlan) {
  ASSERT_NE(plan::PlanModelOf(*kb_), nullptr);
  EXPECT_GT(plan::PlanModelOf(*kb_)->items.size(), 20u);
}

TEST_F(PlanTest, SectionNames) {
  EXPECT_EQ(PlanSectionName(PlanSection::kNow), "now");
  EXPECT_EQ(PlanSectionName(PlanSection::kIceHeat), "ice_heat");
  EXPECT_EQ(PlanSectionName(PlanSection::kSafetyNet), "safety_net");
  EXPECT_EQ(PlanSectionName(PlanSection::kFollowUp), "follow_up");
}

TEST_F(PlanTest, NsaidItemListsEveryContraindication) {
  const plan::ItemModel* nsaid = nullptr;
  for (const auto& i : plan::PlanModelOf(*kb_)->items)
    if (i.id == "medicines.nsaid") nsaid = &i;
  ASSERT_NE(nsaid, nullptr);
  for (const char* key : kNsaidContraindications) {
    const auto f = kb_->FindFinding(key);
    ASSERT_TRUE(f) << key;
    EXPECT_NE(std::find(nsaid->contraindications.begin(),
                        nsaid->contraindications.end(), *f),
              nsaid->contraindications.end())
        << key;
  }
}

TEST_F(PlanTest, SelfCareWithEverythingClear) {
  const CarePlan p = PlanFor(kClear);
  EXPECT_EQ(p.level, TriageLevel::kSelfCare);
  const PlanItem* nsaid = Find(p, "medicines.nsaid");
  ASSERT_NE(nsaid, nullptr);
  EXPECT_EQ(nsaid->variant, PlanItemVariant::kAdvice);
  EXPECT_NE(nsaid->text.find("ibuprofen"), std::string::npos);
  EXPECT_NE(Find(p, "exercises.programme"), nullptr);
  EXPECT_NE(Find(p, "exercises.stop_rules"), nullptr);
  EXPECT_EQ(Find(p, "exercises.wait"), nullptr);
  EXPECT_NE(Find(p, "ice_heat.ice_first_48h"), nullptr);
  EXPECT_NE(Find(p, "now.position.both"), nullptr);
  // The emergency signs come from the derived safety net below emergency.
  EXPECT_EQ(Find(p, "safety_net.emergency_signs"), nullptr);
  EXPECT_NE(Find(p, "safety_net.if.emergency"), nullptr);
  EXPECT_NE(Find(p, "safety_net.see_doctor"), nullptr);
  for (const char* a : {"ice", "heat", "walk", "check_24h", "check_72h",
                        "check_1w", "check_2w"}) {
    EXPECT_TRUE(HasActivity(p, a)) << a;
  }
  // Items are in section order.
  EXPECT_TRUE(std::is_sorted(p.items.begin(), p.items.end(),
                             [](const PlanItem& a, const PlanItem& b) {
                               return a.section < b.section;
                             }));
  // The ice/heat advice carries the conflict decision.
  EXPECT_EQ(Find(p, "ice_heat.ice_first_48h")->conflict_id, "ice_vs_heat");
  EXPECT_FALSE(Find(p, "ice_heat.ice_first_48h")->decision.empty());
}

TEST_F(PlanTest, PositionFollowsWhatHurts) {
  std::string bending = kClear;
  bending.insert(bending.find("\"pregnant\""),
                 "\"pain_worse_bending_forward\":true,");
  CarePlan p = PlanFor(bending);
  EXPECT_NE(Find(p, "now.position.bending"), nullptr);
  EXPECT_EQ(Find(p, "now.position.standing"), nullptr);
  EXPECT_EQ(Find(p, "now.position.both"), nullptr);

  std::string standing = kClear;
  standing.insert(standing.find("\"pregnant\""),
                  "\"pain_worse_standing\":true,");
  p = PlanFor(standing);
  EXPECT_NE(Find(p, "now.position.standing"), nullptr);
  EXPECT_EQ(Find(p, "now.position.bending"), nullptr);
  EXPECT_EQ(Find(p, "now.position.both"), nullptr);
}

TEST_F(PlanTest, NsaidNotForYouWhenContraindicated) {
  std::string pregnant = kClear;
  pregnant.replace(pregnant.find("\"pregnant\":false"), 16,
                   "\"pregnant\":true");
  const CarePlan p = PlanFor(pregnant);
  const PlanItem* nsaid = Find(p, "medicines.nsaid");
  ASSERT_NE(nsaid, nullptr);
  EXPECT_EQ(nsaid->variant, PlanItemVariant::kNotForYou);
  EXPECT_EQ(nsaid->concerns, std::vector<std::string>{"pregnant"});
  EXPECT_NE(nsaid->text.find("pharmacist"), std::string::npos);
  // Not "paracetamol alone has not been shown to help" to someone who
  // cannot take the NSAID (issue 15, hazard 4).
  EXPECT_TRUE(nsaid->decision.empty()) << nsaid->decision;
  EXPECT_EQ(nsaid->text.find("aspirin are not safe"), std::string::npos);
}

TEST_F(PlanTest, NsaidCheckFirstWhenNotAsked) {
  const CarePlan p = PlanFor(
      R"({"id":"u","age":35,"findings":{"onset_days":0,"pain_score":3,"onset_with_movement":true}})");
  const PlanItem* nsaid = Find(p, "medicines.nsaid");
  ASSERT_NE(nsaid, nullptr);
  EXPECT_EQ(nsaid->variant, PlanItemVariant::kCheckFirst);
  EXPECT_EQ(nsaid->concerns.size(), std::size(kNsaidContraindications) + 2)
      << "the seven of the issue, antiplatelets and steroid tablets";
  // Pregnancy is never a concern for a man.
  const CarePlan man = PlanFor(
      R"({"id":"m","age":35,"sex":"male","findings":{"onset_days":0,"pain_score":3,"onset_with_movement":true}})");
  nsaid = Find(man, "medicines.nsaid");
  ASSERT_NE(nsaid, nullptr);
  EXPECT_EQ(
      std::count(nsaid->concerns.begin(), nsaid->concerns.end(), "pregnant"),
      0);
  EXPECT_EQ(nsaid->concerns.size(), std::size(kNsaidContraindications) + 1);
}

TEST_F(PlanTest, NsaidCautionForOlderOrUnknownAge) {
  std::string old = kClear;
  old.replace(old.find("\"age\":35"), 8, "\"age\":70");
  const CarePlan old_plan = PlanFor(old);
  const PlanItem* nsaid = Find(old_plan, "medicines.nsaid");
  ASSERT_NE(nsaid, nullptr);
  EXPECT_EQ(nsaid->variant, PlanItemVariant::kCaution);
  std::string no_age = kClear;
  no_age.replace(no_age.find("\"age\":35,"), 9, "");
  const CarePlan no_age_plan = PlanFor(no_age);
  nsaid = Find(no_age_plan, "medicines.nsaid");
  ASSERT_NE(nsaid, nullptr);
  EXPECT_EQ(nsaid->variant, PlanItemVariant::kCaution)
      << "an unknown age must not count as young";
}

TEST_F(PlanTest, ExercisesWaitAboveFourOrUnknownPain) {
  std::string high = kClear;
  high.replace(high.find("\"pain_score\":3"), 14, "\"pain_score\":6");
  CarePlan p = PlanFor(high);
  EXPECT_EQ(Find(p, "exercises.programme"), nullptr);
  EXPECT_NE(Find(p, "exercises.wait"), nullptr);
  std::string unknown = kClear;
  unknown.replace(unknown.find("\"pain_score\":3,"), 15, "");
  p = PlanFor(unknown);
  EXPECT_EQ(Find(p, "exercises.programme"), nullptr);
  EXPECT_NE(Find(p, "exercises.wait"), nullptr);
}

TEST_F(PlanTest, LaterOnsetSkipsIce) {
  std::string later = kClear;
  later.replace(later.find("\"onset_days\":0"), 14, "\"onset_days\":3");
  const CarePlan p = PlanFor(later);
  EXPECT_EQ(Find(p, "ice_heat.ice_first_48h"), nullptr);
  EXPECT_NE(Find(p, "ice_heat.heat_now"), nullptr);
  EXPECT_FALSE(HasActivity(p, "ice"));
  ASSERT_TRUE(HasActivity(p, "heat"));
  for (const PlanActivity& a : p.activities) {
    if (a.id == "heat") {
      EXPECT_EQ(a.start_minute, 0);
      EXPECT_EQ(a.until_minute, 7 * 1440 - 3 * 1440);
    }
  }
  // Day 1: the ice window has one day left.
  std::string day1 = kClear;
  day1.replace(day1.find("\"onset_days\":0"), 14, "\"onset_days\":1");
  for (const PlanActivity& a : PlanFor(day1).activities) {
    if (a.id == "ice") {
      EXPECT_EQ(a.until_minute, 1440);
    }
    if (a.id == "heat") {
      EXPECT_EQ(a.start_minute, 1440);
    }
  }
}

TEST_F(PlanTest, EmergencyPlanIsShort) {
  const CarePlan p = PlanFor(
      R"({"id":"e","age":45,"findings":{"onset_days":0,"pain_score":7,"bladder_dysfunction":true,"saddle_numbness":true}})");
  EXPECT_EQ(p.level, TriageLevel::kEmergency);
  EXPECT_NE(Find(p, "now.emergency.call"), nullptr);
  EXPECT_NE(Find(p, "safety_net.emergency_signs"), nullptr);
  for (const PlanItem& i : p.items) {
    EXPECT_TRUE(i.section == PlanSection::kNow ||
                i.section == PlanSection::kSafetyNet)
        << i.id;
  }
  EXPECT_TRUE(p.activities.empty());
}

TEST_F(PlanTest, ParacetamolOveruseSaysStop) {
  // NHS Paracetamol for adults: more than the maximum dose -> A&E now,
  // even if well. Rule and plan say the same (issue 15, hazard 2).
  // The emergency department in the region's words (regions.yaml).
  const char* kCase =
      R"({"id":"p","age":45,"findings":{"onset_days":0,"pain_score":5,"paracetamol_overuse":true}})";
  const CarePlan p = PlanFor(kCase, "uk");
  EXPECT_EQ(p.level, TriageLevel::kEmergency);
  const PlanItem* stop = Find(p, "now.paracetamol_stop");
  ASSERT_NE(stop, nullptr);
  EXPECT_NE(stop->text.find("A&E"), std::string::npos);
  EXPECT_EQ(stop->text.find("today"), std::string::npos);
  EXPECT_NE(Find(p, "now.emergency.call"), nullptr);
  const CarePlan us = PlanFor(kCase, "us");
  stop = Find(us, "now.paracetamol_stop");
  ASSERT_NE(stop, nullptr);
  EXPECT_NE(stop->title.find("acetaminophen"), std::string::npos);
  EXPECT_NE(stop->text.find("emergency room"), std::string::npos);
  EXPECT_EQ(stop->text.find("A&E"), std::string::npos);
  const CarePlan eu = PlanFor(kCase);  // the default region
  stop = Find(eu, "now.paracetamol_stop");
  ASSERT_NE(stop, nullptr);
  EXPECT_NE(stop->text.find("the emergency department"), std::string::npos);
}

// One timetable (issue 15): the timings in the text come from the same
// activities the calendar uses, counted from the onset, so a check-in that
// is already past is neither in the text nor in the calendar.
TEST_F(PlanTest, OneTimetableCountedFromTheOnset) {
  const CarePlan fresh = PlanFor(kClear);
  const PlanItem* checks = Find(fresh, "follow_up.checks");
  ASSERT_NE(checks, nullptr);
  ASSERT_EQ(checks->steps.size(), 4u);
  EXPECT_EQ(checks->steps[0].rfind("Check-in (1 day after the pain began)", 0),
            0u)
      << checks->steps[0];
  EXPECT_NE(checks->steps[3].find("14 days after the pain began"),
            std::string::npos);
  const PlanItem* ice = Find(fresh, "ice_heat.ice_first_48h");
  ASSERT_NE(ice, nullptr);
  ASSERT_FALSE(ice->steps.empty());
  EXPECT_NE(ice->steps[0].find("15 min every 2 hours while you are awake, "
                               "from now until 2 days after the pain began"),
            std::string::npos)
      << ice->steps[0];
  const PlanItem* heat = Find(fresh, "ice_heat.heat_after_48h");
  ASSERT_NE(heat, nullptr);
  EXPECT_NE(heat->steps[0].find("until 7 days after the pain began"),
            std::string::npos)
      << heat->steps[0];
  EXPECT_EQ(heat->text.find("until the spasm settles"), std::string::npos);

  // Day 8: the 1-day, 3-day and 1-week check-ins are past.
  std::string later = kClear;
  later.replace(later.find("\"onset_days\":0"), 14, "\"onset_days\":8");
  const CarePlan p8 = PlanFor(later);
  checks = Find(p8, "follow_up.checks");
  ASSERT_NE(checks, nullptr);
  ASSERT_EQ(checks->steps.size(), 1u);
  EXPECT_NE(checks->steps[0].find("14 days after the pain began"),
            std::string::npos);
  EXPECT_FALSE(HasActivity(p8, "check_1w"));
  ASSERT_TRUE(HasActivity(p8, "check_2w"));
  for (const PlanActivity& a : p8.activities)
    if (a.id == "check_2w") {
      EXPECT_EQ(a.start_minute, 6 * 1440);
    }
}

// The derived safety net (issue 15, hazard 3): every line is a sign that
// would raise this person's level, under the heading of the level the
// rules would then give, so it never disagrees with the triage.
TEST_F(PlanTest, DerivedSafetyNetAgreesWithTheTriage) {
  const auto& model = *plan::PlanModelOf(*kb_);
  const std::vector<std::string> lines = VignetteLinesForNet();
  ASSERT_GT(lines.size(), 30u);
  int derived = 0;
  for (const std::string& line : lines) {
    Case c = kb_->NewCase();
    ExpectedOutcome expected;
    ASSERT_TRUE(reader_.Read(line, &c, &expected).ok());
    const TriageResult r = Evaluate(*kb_, c);
    const CarePlan p = PlanFor(c);
    SCOPED_TRACE(c.id);
    for (const PlanItem& item : p.items) {
      if (item.id.rfind("safety_net.if.", 0) != 0) continue;
      ++derived;
      const TriageLevel at = *ParseLevel(item.id.substr(14));
      EXPECT_GT(at, r.level);
      for (const std::string& step : item.steps) {
        // Re-derive: some sign with this text, not already present, gives
        // exactly this level when added.
        bool found = false;
        for (const plan::SignModel& s : model.signs) {
          if (RegionText(*kb_, "", s.text) != step ||
              c.values[s.finding] == s.value)
            continue;
          if (!plan::Applies(s.condition, c.values)) continue;
          Case probe = c;
          kb_->SetFinding(s.finding, s.value, &probe);
          if (Evaluate(*kb_, probe).level == at) found = true;
        }
        EXPECT_TRUE(found) << item.id << ": " << step;
      }
    }
    // And the other way round: every sign that raises the level is shown
    // at the level it raises to (first applicable wording per answer).
    std::set<std::pair<FindingId, int32_t>> seen;
    for (const plan::SignModel& s : model.signs) {
      if (!plan::Applies(s.condition, c.values)) continue;
      if (!seen.insert({s.finding, s.value}).second) continue;
      if (c.values[s.finding] == s.value) continue;
      Case probe = c;
      kb_->SetFinding(s.finding, s.value, &probe);
      const TriageLevel to = Evaluate(*kb_, probe).level;
      if (to <= r.level) continue;
      const PlanItem* item =
          Find(p, "safety_net.if." + std::string(LevelName(to)));
      ASSERT_NE(item, nullptr) << s.text;
      const std::string text = RegionText(*kb_, "", s.text);
      EXPECT_NE(std::find(item->steps.begin(), item->steps.end(), text),
                item->steps.end())
          << text;
    }
  }
  EXPECT_GT(derived, 100);
}

// Every red-flag sign that alone raises a plain spasm to urgent or
// emergency has words in the derived safety net.
TEST_F(PlanTest, EveryRaisingRedFlagHasASign) {
  const auto& model = *plan::PlanModelOf(*kb_);
  const Case base = Read(kClear);
  const TriageLevel level = Evaluate(*kb_, base).level;
  ASSERT_EQ(level, TriageLevel::kSelfCare);
  for (size_t f = 0; f < kb_->findings().size(); ++f) {
    const FindingDef& def = kb_->findings()[f];
    if (!def.red_flag || def.type != FindingType::kBool) continue;
    // Things the person has (asked once, in the history), not signs that
    // can appear during the episode.
    static const std::set<std::string> kHistory = {"history_of_cancer",
                                                   "immunosuppressed",
                                                   "long_term_steroids",
                                                   "osteoporosis",
                                                   "iv_drug_use",
                                                   "recent_infection",
                                                   "recent_spinal_procedure",
                                                   "known_aortic_aneurysm"};
    if (kHistory.count(def.key)) continue;
    Case probe = base;
    kb_->SetFinding(static_cast<FindingId>(f), 1, &probe);
    if (Evaluate(*kb_, probe).level < TriageLevel::kUrgent) continue;
    const bool has =
        std::any_of(model.signs.begin(), model.signs.end(),
                    [&](const plan::SignModel& s) { return s.finding == f; });
    EXPECT_TRUE(has) << def.key << " raises the level but has no sign";
  }
}

TEST_F(PlanTest, RecurrentAndLowFluidAndPhysio) {
  std::string c = kClear;
  c.insert(c.find("\"pregnant\""),
           "\"previous_episodes_6_months\":3,\"low_fluid_intake\":true,"
           "\"prior_back_injury_physio\":true,");
  const CarePlan p = PlanFor(c);
  EXPECT_NE(Find(p, "prevention.recurrent"), nullptr);
  EXPECT_NE(Find(p, "prevention.fluids_low"), nullptr);
  EXPECT_EQ(Find(p, "prevention.fluids"), nullptr);
  EXPECT_NE(Find(p, "exercises.physio"), nullptr);
}

TEST_F(PlanTest, JsonAndTextRendering) {
  const CarePlan p = PlanFor(kClear);
  std::string json;
  AppendPlanJson(p, &json);
  const auto j = nlohmann::json::parse(json);
  EXPECT_EQ(j["level"], "self_care");
  EXPECT_EQ(j["items"].size(), p.items.size());
  EXPECT_EQ(j["activities"].size(), p.activities.size());
  for (const auto& item : j["items"]) EXPECT_FALSE(item["sources"].empty());
  std::string text, md;
  AppendPlanText(*kb_, p, false, &text);
  AppendPlanText(*kb_, p, true, &md);
  EXPECT_NE(md.find(NotADiagnosisNotice()), std::string::npos);
  EXPECT_EQ(text.rfind("YOUR CARE PLAN\nbackaid gives information", 0), 0u);
  size_t line_start = 0;
  while (line_start < text.size()) {
    size_t end = text.find('\n', line_start);
    if (end == std::string::npos) end = text.size();
    EXPECT_LE(end - line_start, 80u)
        << text.substr(line_start, end - line_start);
    line_start = end + 1;
  }
  EXPECT_NE(text.find("WHEN TO GET HELP"), std::string::npos);
  EXPECT_NE(md.find("## When to get help"), std::string::npos);
  EXPECT_NE(md.find("Sources: "), std::string::npos);
}

// The plan alone says once that it is not a diagnosis; inside a result
// (embedded) it says it no more, nor the level, nor the steps the result
// led with, nor the version.
TEST_F(PlanTest, ThePlanSaysItIsNotADiagnosisOnceAndEmbeddedNotAgain) {
  const CarePlan p = PlanFor(kClear);
  auto count = [](const std::string& text, std::string_view what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos;
         at = text.find(what, at + 1))
      ++n;
    return n;
  };
  for (bool md : {false, true}) {
    std::string alone;
    AppendPlanText(*kb_, p, md, &alone);
    EXPECT_EQ(count(alone, "not a diagnosis"), 1u) << alone;
    EXPECT_EQ(count(alone, md ? "## What to do now" : "WHAT TO DO NOW"), 1u);
    PlanTextOptions options;
    options.embedded = true;
    std::vector<std::string> now;
    for (const PlanItem& i : p.items)
      if (i.section == PlanSection::kNow) now.push_back(i.id);
    ASSERT_GE(now.size(), 4u);  // one is left for "More to do now"
    options.already_shown.assign(now.begin(), now.begin() + 3);
    options.width = 78;
    std::string inside;
    AppendPlanText(*kb_, p, md, &inside, options);
    EXPECT_EQ(count(inside, "not a diagnosis"), 0u) << inside;
    EXPECT_EQ(count(inside, "What to do now"), 0u);
    EXPECT_EQ(count(inside, "WHAT TO DO NOW"), 0u);
    EXPECT_EQ(count(inside, md ? "## More to do now" : "MORE TO DO NOW"), 1u);
    EXPECT_EQ(count(inside, "Level: "), 0u);
    EXPECT_EQ(count(inside, p.kb_version), 0u);
    for (size_t k = 0; k < now.size(); ++k) {
      const PlanItem* item = Find(p, now[k]);
      ASSERT_NE(item, nullptr);
      EXPECT_EQ(count(inside, item->title) > 0, k >= 3) << item->title;
    }
    if (!md) {
      for (size_t b = 0, e; b < inside.size(); b = e + 1) {
        e = inside.find('\n', b);
        if (e == std::string::npos) e = inside.size();
        EXPECT_LE(e - b, 78u) << inside.substr(b, e - b);
      }
    }
  }
}

// Pregnant: telling the midwife (or, at urgent, calling the maternity
// team) is among the first three things to do (WhatToDoNow), whether or
// not a pregnancy sign is present: the NHS back pain in pregnancy page and
// RCOG's pelvic girdle pain leaflet both say to tell the midwife or doctor
// and to ask early. The order is plan.yaml's (the `now` items' order).
TEST_F(PlanTest, APregnantPersonIsToldToTellTheMidwifeInTheFirstThreeSteps) {
  auto pregnant = [](std::string extra) {
    std::string json = kClear;
    json.replace(json.find("\"pregnant\":false"), 16,
                 "\"pregnant\":true" + extra);
    json.replace(json.find("\"age\":35,"), 9, "\"age\":35,\"sex\":\"female\",");
    return json;
  };
  const std::vector<std::string> cases = {
      pregnant(""),
      pregnant(",\"pain_worse_bending_forward\":true"),
      pregnant(",\"pain_worse_standing\":true"),
      pregnant(",\"pregnancy_weeks\":30"),
      pregnant(",\"night_pain\":true"),
      pregnant(",\"chills_or_rigors\":true"),
      pregnant(",\"pain_uncontrolled\":true"),
  };
  std::set<TriageLevel> levels;
  for (const std::string& json : cases) {
    SCOPED_TRACE(json);
    const Case c = Read(json);
    const TriageResult r = Evaluate(*kb_, c);
    if (r.level == TriageLevel::kEmergency) continue;  // the call first
    levels.insert(r.level);
    const CarePlan p = PlanFor(c, "uk");
    const std::vector<NowStep> steps = WhatToDoNow(*kb_, r, &p, "uk");
    ASSERT_LE(steps.size(), 3u);
    EXPECT_TRUE(std::any_of(steps.begin(), steps.end(),
                            [](const NowStep& s) {
                              return s.id == "now.pregnancy.midwife" ||
                                     s.id == "now.urgent.maternity";
                            }))
        << "level " << LevelName(r.level);
  }
  EXPECT_TRUE(levels.count(TriageLevel::kSelfCare));
  EXPECT_GE(levels.size(), 2u);  // and a level above self-care
  // Not for a man, nor when pregnancy was not asked.
  const Case man = Read(kClear);
  const CarePlan p = PlanFor(man);
  for (const NowStep& s : WhatToDoNow(*kb_, Evaluate(*kb_, man), &p, "uk"))
    EXPECT_NE(s.id, "now.pregnancy.midwife");
}

// The headings are plan.yaml's (`sections`), in every front: the JSON
// carries each section's title and how a result shows it, the text uses
// the same titles, and a heading edited in the knowledge base changes
// them all.
TEST_F(PlanTest, SectionHeadingsComeFromTheKnowledgeBase) {
  const CarePlan p = PlanFor(kClear);
  ASSERT_EQ(p.sections.size(), 9u);
  for (size_t i = 0; i < p.sections.size(); ++i)
    EXPECT_EQ(static_cast<size_t>(p.sections[i].section), i);
  std::string json;
  AppendPlanJson(p, &json);
  const auto j = nlohmann::json::parse(json);
  ASSERT_EQ(j["sections"].size(), 9u);
  int open = 0, timetable = 0;
  for (const auto& s : j["sections"]) {
    EXPECT_FALSE(s["title"].get<std::string>().empty()) << s.dump();
    EXPECT_EQ(s["title"],
              PlanSectionTitle(p, p.sections[&s - &j["sections"][0]].section));
    open += s["open"].get<bool>();
    timetable += s["timetable"].get<bool>();
  }
  EXPECT_GE(open, 1);
  EXPECT_EQ(timetable, 1);
  // Edited in plan.yaml, a heading changes in the text too.
  std::vector<kb::KbFile> files = kb::EmbeddedFiles();
  std::string yaml;
  for (const kb::KbFile& f : files)
    if (f.path == "plan.yaml") yaml = f.content;
  const std::string from = "{id: ice_heat, title: Ice and heat";
  ASSERT_NE(yaml.find(from), std::string::npos);
  yaml.replace(yaml.find(from), from.size(),
               "{id: ice_heat, title: Cold packs and warmth");
  files.push_back({"plan.yaml", yaml});
  auto built = kb::Build(files);
  for (const LintIssue& i : built.issues) ADD_FAILURE() << i.ToString();
  ASSERT_NE(built.impl, nullptr);
  const auto kb = KnowledgeBaseBuilder::Wrap(std::move(built.impl));
  const KnowledgeBase& edited = *kb;
  CaseReader reader(edited);
  Case c = edited.NewCase();
  ASSERT_TRUE(reader.Read(kClear, &c).ok());
  auto plan = BuildCarePlan(edited, c, Evaluate(edited, c));
  ASSERT_TRUE(plan.ok());
  ASSERT_NE(std::find_if(plan->items.begin(), plan->items.end(),
                         [](const PlanItem& i) {
                           return i.section == PlanSection::kIceHeat;
                         }),
            plan->items.end());
  std::string text;
  AppendPlanText(edited, *plan, true, &text);
  EXPECT_NE(text.find("## Cold packs and warmth"), std::string::npos);
  EXPECT_EQ(text.find("Ice and heat"), std::string::npos);
}

// At emergency the region's advice leads and stands for the plan's own
// call item (plan.yaml `role: emergency_call`), which is said once: not
// again among the steps, nor in the plan below the result.
TEST_F(PlanTest, TheEmergencyCallIsSaidOnce) {
  const char* kCes =
      R"({"id":"e","age":45,"findings":{"onset_days":0,"pain_score":7,"bladder_dysfunction":true,"saddle_numbness":true}})";
  const Case c = Read(kCes);
  const TriageResult r = Evaluate(*kb_, c);
  ASSERT_EQ(r.level, TriageLevel::kEmergency);
  const CarePlan p = PlanFor(c, "uk");
  std::vector<std::string> calls;
  for (const PlanItem& i : p.items)
    if (i.role == PlanItemRole::kEmergencyCall) calls.push_back(i.id);
  ASSERT_EQ(calls.size(), 1u);
  const std::vector<NowStep> steps = WhatToDoNow(*kb_, r, &p, "uk");
  ASSERT_GE(steps.size(), 2u);
  EXPECT_EQ(steps[0].role, "emergency_call");
  EXPECT_EQ(steps[0].title, EmergencyAdvice(*kb_, "uk"));
  EXPECT_NE(std::find(steps[0].covers.begin(), steps[0].covers.end(), calls[0]),
            steps[0].covers.end());
  for (size_t i = 1; i < steps.size(); ++i) {
    EXPECT_NE(steps[i].id, calls[0]);
    EXPECT_TRUE(steps[i].role.empty());
  }
  const PlanItem* call = Find(p, calls[0]);
  ASSERT_NE(call, nullptr);
  std::string text;
  AppendPersonText(*kb_, c, r, &p, "uk", false, nullptr, nullptr, &text);
  EXPECT_EQ(text.find(call->text.substr(0, 30)), std::string::npos) << text;
  // Below emergency no step is the call.
  const CarePlan self = PlanFor(kClear);
  for (const NowStep& s :
       WhatToDoNow(*kb_, Evaluate(*kb_, Read(kClear)), &self, "uk"))
    EXPECT_TRUE(s.role.empty()) << s.id;
}

}  // namespace
}  // namespace backaid
