// The vocabulary fronts show: complete (every id a result can carry has its
// name) and usable (every red-flag option is a diary entry the server takes
// and that reports something).
#include "backaid/vocabulary.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "backaid/assess.h"
#include "backaid/diary.h"
#include "backaid/report.h"
#include "src/assess/questionnaire_model.h"
#include "src/knowledge/test_kb.h"

namespace backaid {
namespace {

constexpr auto Kb = &kb::testing::EmbeddedKb;

nlohmann::json Vocabulary() {
  std::string out;
  AppendVocabularyJson(*Kb(), &out);
  return nlohmann::json::parse(out);  // throws (fails the test) if invalid
}

TEST(Vocabulary, NamesEveryIdAResultCanCarry) {
  const auto v = Vocabulary();
  const KnowledgeBase& kb = *Kb();
  EXPECT_EQ(v["kb_version"], kb.version());
  ASSERT_EQ(v["levels"].size(), static_cast<size_t>(kLevelCount));
  for (int l = 0; l < kLevelCount; ++l) {
    const auto level = static_cast<TriageLevel>(l);
    EXPECT_EQ(v["levels"][std::string(LevelName(level))],
              kb.level(level).meaning);
  }
  ASSERT_EQ(v["services"].size(), kb.services().size());
  // A service's name in the (default) region's words: "{doctor}" filled.
  for (const auto& s : kb.services())
    EXPECT_EQ(v["services"][s.id], RegionText(kb, "", s.name));
  ASSERT_EQ(v["conditions"].size(), kb.conditions().size());
  for (const auto& c : kb.conditions())
    EXPECT_EQ(v["conditions"][c.id], c.name);
  for (const auto& s : kb.sources()) EXPECT_EQ(v["sources"][s.cite], s.title);
  ASSERT_EQ(v["findings"].size(), kb.findings().size());
  for (const auto& f : kb.findings()) {
    EXPECT_EQ(v["findings"][f.key]["meaning"], f.meaning) << f.key;
    EXPECT_EQ(v["findings"][f.key]["red_flag"], f.red_flag) << f.key;
    // The normal value is one a diary entry takes (a correction sets it).
    if (f.red_flag && f.normal) {
      const auto& n = v["findings"][f.key]["normal"];
      const std::string entry =
          nlohmann::json{{"findings", {{f.key, n}}}}.dump();
      auto parsed = ParseDiaryEntry(kb, entry, 0);
      ASSERT_TRUE(parsed.ok()) << entry;
      ASSERT_EQ(parsed->findings.size(), 1u);
      EXPECT_EQ(parsed->findings[0].second, *f.normal) << entry;
    }
  }
}

TEST(Vocabulary, DiaryRedFlagOptionsAreEntriesTheServerAccepts) {
  const auto v = Vocabulary();
  const KnowledgeBase& kb = *Kb();
  const auto& diary = v["diary"];
  ASSERT_TRUE(diary.is_object());
  EXPECT_GE(diary["meaningful_change"].get<int>(), 1);
  ASSERT_FALSE(diary["activities"].empty());
  for (const auto& a : diary["activities"]) {
    // The activity id is what an entry's "done" takes.
    const std::string entry = nlohmann::json{{"done", {a["id"]}}}.dump();
    EXPECT_TRUE(ParseDiaryEntry(kb, entry, 0).ok()) << entry;
    EXPECT_FALSE(a["label"].get<std::string>().empty());
  }
  const auto& options = diary["red_flag_options"];
  ASSERT_GE(options.size(), 10u);
  std::set<std::string> ids;
  std::set<std::string> reported;
  for (const auto& o : options) {
    EXPECT_TRUE(ids.insert(o["id"].get<std::string>()).second) << o["id"];
    EXPECT_NE(o["id"].get<std::string>().find('.'), std::string::npos);
    ASSERT_FALSE(o["sets"].empty()) << o["id"];
    const std::string entry = nlohmann::json{{"findings", o["sets"]}}.dump();
    auto parsed = ParseDiaryEntry(kb, entry, 0);
    ASSERT_TRUE(parsed.ok()) << entry << ": " << parsed.status().message();
    // Ticking it reports something: at least one finding away from its
    // normal ("no") value.
    bool abnormal = false;
    for (const auto& [finding, value] : parsed->findings) {
      const FindingDef& def = kb.findings()[finding];
      if (!def.normal || *def.normal != value) abnormal = true;
      if (def.red_flag) reported.insert(def.key);
    }
    EXPECT_TRUE(abnormal) << o["id"];
  }
  // The signs that need help at once can all be reported in the diary.
  for (const char* key : {"saddle_numbness", "bladder_dysfunction",
                          "bowel_dysfunction", "chest_pain"}) {
    EXPECT_TRUE(kb.FindFinding(key).has_value()) << key;
    EXPECT_TRUE(reported.count(key)) << key;
  }
}

// Issue 14: what each question asks, for a front's summary: the sex
// question asks sex, not pregnancy (which "male" only implies); a yes/no
// question and a checklist ask their findings.
TEST(Vocabulary, AsksNamesWhatEachQuestionAsks) {
  const auto v = Vocabulary();
  const auto has = [&](const char* q, const char* f) {
    for (const auto& k : v["asks"][q])
      if (k == f) return true;
    return false;
  };
  EXPECT_TRUE(has("sex", "sex"));
  EXPECT_FALSE(has("sex", "pregnant"));
  EXPECT_FALSE(has("sex", "vaginal_bleeding"));
  EXPECT_TRUE(has("heel_toe_walk", "heel_walk"));
  EXPECT_TRUE(has("heel_toe_walk", "toe_walk"));
  EXPECT_TRUE(has("leg_symptoms", "leg_pain"));
  EXPECT_TRUE(has("nerve_signs", "bladder_dysfunction"));
  EXPECT_TRUE(has("age", "age"));
}

// Issue 14: the diary offers every red flag an answer option of the
// assessment can record (derived from questions.yaml and findings.yaml),
// among them new weakness or numbness in one leg or foot, each set once.
TEST(Vocabulary, DiaryOffersEveryRedFlagOptionOfTheAssessment) {
  const auto v = Vocabulary();
  const KnowledgeBase& kb = *Kb();
  const auto& model = assess::QuestionnaireOf(kb);
  ASSERT_TRUE(model);
  std::set<std::string> offered_sets;
  std::map<std::string, std::string> by_id;
  for (const auto& o : v["diary"]["red_flag_options"]) {
    EXPECT_TRUE(offered_sets.insert(o["sets"].dump()).second) << o["id"];
    EXPECT_FALSE(o["group"].get<std::string>().empty()) << o["id"];
    by_id[o["id"].get<std::string>()] = o["sets"].dump();
  }
  // Every red-flag finding some option sets away from normal is offered.
  std::set<std::string> flagged, offered;
  for (const assess::QuestionDef& q : model->questions) {
    for (const auto& opt : q.options) {
      for (const auto& [f, value] : opt.sets) {
        const FindingDef& def = kb.findings()[f];
        if (def.red_flag && (!def.normal || *def.normal != value))
          flagged.insert(def.key);
      }
    }
  }
  for (const auto& o : v["diary"]["red_flag_options"])
    for (const auto& [key, value] : o["sets"].items()) offered.insert(key);
  for (const std::string& key : flagged) EXPECT_TRUE(offered.count(key)) << key;
  ASSERT_TRUE(by_id.count("leg_symptoms.one_leg_weak"));
  EXPECT_EQ(by_id["leg_symptoms.one_leg_weak"], R"({"leg_weakness":"one"})");
  ASSERT_TRUE(by_id.count("leg_symptoms.one_leg_numb"));
  EXPECT_EQ(by_id["leg_symptoms.one_leg_numb"],
            R"({"leg_numbness_tingling":"one"})");
  // The closer look at bladder and bowel repeats the warning signs: once.
  EXPECT_FALSE(by_id.count("nerve_check.no_feel_pee"));
}

// Issue 14: pregnancy signs are not offered in a man's diary (the sex
// answer "Male" rules them out); every other option stays for every sex
// and unknown sex keeps them all. Each option carries its question's help,
// for a label that refers to it ("the saddle area").
TEST(Vocabulary, DiaryOptionsNameTheSexesThatRuleThemOut) {
  const auto v = Vocabulary();
  std::map<std::string, nlohmann::json> by_id;
  for (const auto& o : v["diary"]["red_flag_options"])
    by_id[o["id"].get<std::string>()] = o;
  ASSERT_TRUE(by_id.count("pregnancy_signs.less_moving"));
  EXPECT_EQ(by_id["pregnancy_signs.less_moving"]["not_for_sex"],
            nlohmann::json::array({"male"}));
  ASSERT_TRUE(by_id.count("pregnancy_signs.tightenings"));
  EXPECT_EQ(by_id["pregnancy_signs.tightenings"]["not_for_sex"],
            nlohmann::json::array({"male"}));
  ASSERT_TRUE(by_id.count("leg_symptoms.one_leg_weak"));
  EXPECT_TRUE(by_id["leg_symptoms.one_leg_weak"]["not_for_sex"].empty());
  ASSERT_TRUE(by_id.count("nerve_signs.saddle"));
  EXPECT_TRUE(by_id["nerve_signs.saddle"]["not_for_sex"].empty());
  EXPECT_NE(by_id["nerve_signs.saddle"]["help"].get<std::string>().find(
                "saddle area"),
            std::string::npos);
}

// Issue 14: what to tell the call handler comes from regions.yaml, with
// "{signs}" for the front to fill and a pregnancy line only when pregnant.
TEST(Vocabulary, ServesTheCallHandlerScript) {
  const auto v = Vocabulary();
  const auto& cs = v["regions"]["emergency_call_script"];
  ASSERT_TRUE(cs.is_object());
  EXPECT_EQ(cs["id"], "emergency.call_script");
  EXPECT_FALSE(cs["title"].get<std::string>().empty());
  bool signs = false, pregnant = false;
  for (const auto& l : cs["lines"]) {
    const std::string text = l["text"].get<std::string>();
    signs = signs || text.find("{signs}") != std::string::npos;
    if (l.contains("when")) pregnant = pregnant || l["when"] == "pregnant";
  }
  EXPECT_TRUE(signs);
  EXPECT_TRUE(pregnant);
}

}  // namespace
}  // namespace backaid
