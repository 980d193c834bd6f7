#include "backaid/engine.h"

#include <gtest/gtest.h>

#include "backaid/case_json.h"
#include "backaid/report.h"
#include "src/knowledge/program.h"
#include "src/knowledge/test_kb.h"

namespace backaid {

namespace {

std::shared_ptr<const KnowledgeBase> FromRules(const std::string& rules) {
  auto out = kb::Build(kb::testing::TestKbFiles(rules));
  for (const auto& i : out.issues) ADD_FAILURE() << i.ToString();
  return KnowledgeBaseBuilder::Wrap(std::move(out.impl));
}

constexpr char kRules[] = R"(rules:
  - id: emergency_a
    when: a
    level: emergency
    conditions: [x]
    see: [er]
    reason: ra
    sources: [s1]
  - id: urgent_b_unless_c
    when: b
    unless: c
    level: urgent
    conditions: [y]
    see: [gp]
    reason: rb
    sources: [s1]
  - id: routine_two_of
    when: at_least(2, score >= 7, walk in [weak, unable], temp >= 38.0)
    level: routine
    conditions: [y]
    see: [gp]
    reason: rc
    sources: [s1]
  - id: routine_unasked
    when: unknown(b)
    level: routine
    see: [gp]
    reason: rd
    sources: [s1]
)";

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() : kb_(FromRules(kRules)), reader_(*kb_) {}

  TriageResult Run(const std::string& findings) {
    c_ = Case();
    Status s = reader_.Read(
        R"({"id":"t","age":40,"sex":"male","findings":)" + findings + "}", &c_);
    EXPECT_TRUE(s.ok()) << s.message();
    return Evaluate(*kb_, c_);
  }
  std::vector<std::string> Fired(const TriageResult& r) {
    std::vector<std::string> ids;
    for (uint16_t i : r.fired) ids.push_back(kb_->rules()[i].id);
    return ids;
  }

  std::shared_ptr<const KnowledgeBase> kb_;
  CaseReader reader_;
  Case c_;
};

TEST_F(EngineTest, NothingAbnormalIsSelfCare) {
  auto r = Run(R"({"a":false,"b":false})");
  EXPECT_EQ(r.level, TriageLevel::kSelfCare);
  EXPECT_TRUE(r.fired.empty());
  EXPECT_EQ(r.conditions, 0u);
}

TEST_F(EngineTest, UnknownDoesNotFireButIsListedAsNotAssessed) {
  auto r = Run(R"({"b":false})");
  EXPECT_EQ(r.level, TriageLevel::kSelfCare);
  EXPECT_TRUE(r.not_assessed.test(*kb_->FindFinding("a")));
  EXPECT_FALSE(r.not_assessed.test(*kb_->FindFinding("b")));
  EXPECT_FALSE(r.not_assessed.test(*kb_->FindFinding("c")))
      << "c is not a red flag";
}

TEST_F(EngineTest, UnanswerableQuestionRaisesThroughUnknownPredicate) {
  auto r = Run(R"({"a":false})");
  EXPECT_EQ(r.level, TriageLevel::kRoutine);
  EXPECT_EQ(Fired(r), std::vector<std::string>{"routine_unasked"});
}

TEST_F(EngineTest, UnlessNeedsAConfirmedException) {
  EXPECT_EQ(Run(R"({"a":false,"b":true,"c":true})").level,
            TriageLevel::kSelfCare);
  EXPECT_EQ(Run(R"({"a":false,"b":true,"c":false})").level,
            TriageLevel::kUrgent);
  // c not assessed: the exception is not confirmed, so the rule fires.
  EXPECT_EQ(Run(R"({"a":false,"b":true})").level, TriageLevel::kUrgent);
}

TEST_F(EngineTest, AtLeastCountsOnlyDefiniteTruths) {
  EXPECT_EQ(Run(R"({"a":false,"b":false,"score":8,"walk":"weak"})").level,
            TriageLevel::kRoutine);
  EXPECT_EQ(Run(R"({"a":false,"b":false,"score":8,"temp":38.0})").level,
            TriageLevel::kRoutine);
  EXPECT_EQ(Run(R"({"a":false,"b":false,"score":8,"temp":37.9})").level,
            TriageLevel::kSelfCare);
  EXPECT_EQ(Run(R"({"a":false,"b":false,"score":8})").level,
            TriageLevel::kSelfCare);
}

TEST_F(EngineTest, HighestLevelWinsAndCoveredConditionIsDropped) {
  auto r = Run(R"({"a":true,"b":true,"c":false})");
  EXPECT_EQ(r.level, TriageLevel::kEmergency);
  // y is covered_by x, so only x remains.
  EXPECT_EQ(r.conditions, 1u << *kb_->FindCondition("x"));
  // Only the emergency rule decides who to see.
  EXPECT_EQ(r.see, 1u);
  EXPECT_EQ(OrderedServices(*kb_, r), (std::vector<uint16_t>{0}));
  EXPECT_TRUE(r.red_flags.test(*kb_->FindFinding("a")));
  EXPECT_TRUE(r.red_flags.test(*kb_->FindFinding("b")));
}

TEST_F(EngineTest, EvidenceNamesTheFindingsThatFired) {
  auto r = Run(R"({"a":false,"b":false,"score":9,"walk":"unable","temp":37})");
  ASSERT_EQ(Fired(r), std::vector<std::string>{"routine_two_of"});
  auto ev = Evidence(*kb_, c_, r.fired[0]);
  EXPECT_EQ(ev, (std::vector<FindingId>{*kb_->FindFinding("walk"),
                                        *kb_->FindFinding("score")}));
}

TEST_F(EngineTest, CouldNotRuleOutNamesMissingFindings) {
  auto r = Run(R"({"b":false})");
  auto open = CouldNotRuleOut(*kb_, c_, r);
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(kb_->rules()[open[0].rule].id, "emergency_a");
  EXPECT_EQ(open[0].missing, std::vector<FindingId>{*kb_->FindFinding("a")});
  EXPECT_EQ(kb_->rules()[open[1].rule].id, "routine_two_of");
  EXPECT_EQ(open[1].missing.size(), 3u);
}

TEST_F(EngineTest, ResultObjectIsReusable) {
  TriageResult r;
  c_ = Case();
  ASSERT_TRUE(reader_.Read(R"({"id":"1","findings":{"a":true}})", &c_).ok());
  Evaluate(*kb_, c_, &r);
  EXPECT_EQ(r.level, TriageLevel::kEmergency);
  ASSERT_TRUE(
      reader_.Read(R"({"id":"2","findings":{"a":false,"b":false}})", &c_).ok());
  Evaluate(*kb_, c_, &r);
  EXPECT_EQ(r.level, TriageLevel::kSelfCare);
  EXPECT_TRUE(r.fired.empty());
  EXPECT_TRUE(r.red_flags.none());
}

TEST_F(EngineTest, ResultJsonHasEveryField) {
  auto r = Run(R"({"a":true,"b":false})");
  std::string json;
  AppendResultJson(*kb_, c_, r, &json);
  EXPECT_EQ(json,
            R"({"id":"t","triage":"emergency","conditions":["x"],)"
            R"("red_flags":["a"],"not_assessed":[],)"
            R"("screen":{"complete":true,"open_questions":[]},"see":["er"],)"
            R"("explanation":[{"rule":"emergency_a","level":"emergency",)"
            R"("reason":"ra","sources":["S1"],"because":["a"]}],)"
            R"("could_not_rule_out":[],"kb_version":")" +
                kb_->version() + R"("})");
}

// An incomplete result says so and names what is open, unconditionally:
// in full, in the questionnaire's words where a question asks the finding;
// compact (the batch), as question ids. could_not_rule_out is the same in
// both and names every missing finding, also those no question asks.
TEST_F(EngineTest, IncompleteScreenListsOpenQuestions) {
  auto r = Run(R"({"b":false})");
  std::string json;
  AppendResultJson(*kb_, c_, r, &json, ResultDetail::kFull);
  EXPECT_NE(
      json.find(R"("screen":{"complete":false,"open_questions":[)"
                R"({"finding":"a","level":"emergency","question":"flags",)"
                R"("text":"A"},{"finding":"walk","level":"routine",)"
                R"("question":null,"text":"walk"})"),
      std::string::npos)
      << json;
  const size_t cnro = json.find(
      R"(,"could_not_rule_out":[{"rule":"emergency_a","level":"emergency","missing":["a"]})");
  EXPECT_NE(cnro, std::string::npos) << json;
  EXPECT_NE(json.find(R"("missing":["walk","score","temp"])"),
            std::string::npos)
      << json;
  std::string compact;
  AppendResultJson(*kb_, c_, r, &compact);
  EXPECT_NE(compact.find(R"("screen":{"complete":false,)"
                         R"("open_questions":["flags"]},)"),
            std::string::npos)
      << compact;
  // The rest is byte for byte the same.
  const size_t oq = json.find(R"("open_questions":)");
  const size_t oq_compact = compact.find(R"("open_questions":)");
  EXPECT_EQ(json.substr(0, oq), compact.substr(0, oq_compact));
  EXPECT_EQ(json.substr(json.find(R"(},"see":)")),
            compact.substr(compact.find(R"(},"see":)")));
  std::string text;
  AppendResultText(*kb_, c_, r, /*markdown=*/false, &text);
  const size_t open = text.find("Answers to these could change");
  ASSERT_NE(open, std::string::npos) << text;
  EXPECT_LT(open, text.find("SELF CARE")) << text;
  EXPECT_NE(text.find("(could make it EMERGENCY)"), std::string::npos) << text;
  // One question that asks two open findings is named once.
  auto empty = Run(R"({})");
  std::string full_empty, compact_empty;
  AppendResultJson(*kb_, c_, empty, &full_empty, ResultDetail::kFull);
  AppendResultJson(*kb_, c_, empty, &compact_empty);
  EXPECT_NE(full_empty.find(R"({"finding":"b","level":"urgent",)"
                            R"("question":"flags","text":"B"})"),
            std::string::npos)
      << full_empty;
  EXPECT_NE(compact_empty.find(R"("open_questions":["flags"]})"),
            std::string::npos)
      << compact_empty;
}

}  // namespace
}  // namespace backaid
