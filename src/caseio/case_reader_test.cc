#include <gtest/gtest.h>

#include "backaid/case_json.h"
#include "backaid/knowledge_base.h"

namespace backaid {
namespace {

class CaseReaderTest : public ::testing::Test {
 protected:
  CaseReaderTest() : kb_(*LoadEmbeddedKnowledgeBase()), reader_(*kb_) {}

  // Returns the error message, or "" on success.
  std::string Read(const std::string& json) {
    Status s = reader_.Read(json, &c_, &expected_);
    return s.ok() ? "" : s.message();
  }
  int32_t Value(const char* key) { return c_.values[*kb_->FindFinding(key)]; }

  std::shared_ptr<const KnowledgeBase> kb_;
  CaseReader reader_;
  Case c_;
  ExpectedOutcome expected_;
};

TEST_F(CaseReaderTest, ReadsAFullCase) {
  ASSERT_EQ(Read(R"({"id": "pub-007", "age": 52, "sex": "female",
    "narrative": "ignored", "source": ["also", {"ignored": null}],
    "findings": {"onset_days": 1, "pain_score": 7, "rom_limitation": "mild",
                 "heel_walk": "normal", "bladder_dysfunction": false,
                 "saddle_numbness": true, "temperature_c": 38.55,
                 "leg_pain": "both", "fever": null},
    "expected": {"triage": "self_care", "conditions": ["radiculopathy"]}})"),
            "");
  EXPECT_EQ(c_.id, "pub-007");
  EXPECT_EQ(Value("age"), 52);
  EXPECT_EQ(Value("sex"), 0);
  EXPECT_EQ(Value("pain_score"), 7);
  EXPECT_EQ(Value("rom_limitation"), 1);
  EXPECT_EQ(Value("bladder_dysfunction"), 0);
  EXPECT_EQ(Value("saddle_numbness"), 1);
  EXPECT_EQ(Value("temperature_c"), 386);  // one decimal place, rounded
  EXPECT_EQ(Value("leg_pain"), 2);
  EXPECT_EQ(Value("fever"), kUnknown) << "null means not assessed";
  EXPECT_EQ(Value("night_pain"), kUnknown) << "absent means not assessed";
  EXPECT_TRUE(expected_.present);
  EXPECT_EQ(expected_.level, TriageLevel::kSelfCare);
  EXPECT_EQ(expected_.conditions, 1u << *kb_->FindCondition("radiculopathy"));
  EXPECT_TRUE(c_.known.test(*kb_->FindFinding("bladder_dysfunction")));
  EXPECT_FALSE(c_.abnormal.test(*kb_->FindFinding("bladder_dysfunction")));
  EXPECT_TRUE(c_.abnormal.test(*kb_->FindFinding("saddle_numbness")));
}

TEST_F(CaseReaderTest, ReusedCaseDoesNotKeepOldFindings) {
  ASSERT_EQ(Read(R"({"id":"a","findings":{"fever":true}})"), "");
  ASSERT_EQ(Read(R"({"id":"b","findings":{}})"), "");
  EXPECT_EQ(Value("fever"), kUnknown);
  EXPECT_TRUE(c_.abnormal.none());
  EXPECT_FALSE(expected_.present);
}

TEST_F(CaseReaderTest, ErrorsNameTheProblem) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"id":"x","findings":{"pain_score":11}})",
       "findings.pain_score: 11 is out of range 0..10"},
      {R"({"id":"x","findings":{"pain_score":-1}})",
       "findings.pain_score: -1 is out of range 0..10"},
      {R"({"id":"x","findings":{"pain_score":7.5}})",
       "findings.pain_score: must be a whole number, not 7.5"},
      {R"({"id":"x","findings":{"pain_score":"7"}})",
       "findings.pain_score: must be a number, not a string"},
      {R"({"id":"x","findings":{"pain_score":1e400}})",
       "findings.pain_score: number out of range"},
      {R"({"id":"x","findings":{"fever":"yes"}})",
       "findings.fever: must be true or false, not a string"},
      {R"({"id":"x","findings":{"fever":1}})",
       "findings.fever: must be true or false, not a number"},
      {R"({"id":"x","findings":{"heel_walk":"wobbly"}})",
       "findings.heel_walk: 'wobbly' is not one of normal, weak, unable"},
      {R"({"id":"x","findings":{"bladder":true}})",
       "findings: unknown key 'bladder'"},
      {R"({"id":"x","findings":{"age":40}})", "findings: unknown key 'age'"},
      {R"({"id":"x","findings":{"fever":true,"fever":false}})",
       "findings.fever: duplicate key"},
      {R"({"id":"x","age":121,"findings":{}})",
       "age: 121 is out of range 0..120"},
      {R"({"id":"x","sex":"f","findings":{}})",
       "sex: 'f' is not one of female, male, other"},
      {R"({"id":7,"findings":{}})", "id: must be a string"},
      {R"({"id":"","findings":{}})", "id: must not be empty"},
      {R"({"findings":{}})", "missing 'id'"},
      {R"({"id":"x"})", "missing 'findings'"},
      {R"({"id":"x","findings":[]})", "findings: must be an object"},
      {R"([1,2])", "a case must be a JSON object"},
      {R"({"id":"x","findings":{}} {})",
       "unexpected content after the case object"},
      {R"({"id":"x","expected":{"triage":"soon"},"findings":{}})",
       "expected.triage: unknown level 'soon'"},
      {R"({"id":"x","expected":{"triage":"urgent","conditions":["flu"]},"findings":{}})",
       "expected.conditions: unknown condition 'flu'"},
  };
  for (const auto& [json, want] : cases) {
    EXPECT_EQ(Read(json), want) << json;
  }
}

TEST_F(CaseReaderTest, MalformedJsonIsAnErrorNotACrash) {
  for (const std::string json :
       {"", "{", R"({"id":"x","findings":{"fever":tru}})", "{\"id\":\"x\"",
        R"({"id":"x","findings":{"fever":true},})", "\xff\xfe",
        R"({"id":"x","narrative":[1,,2],"findings":{}})",
        "{\"id\":\"\xc3\x28\",\"findings\":{}}", "null", "42"}) {
    EXPECT_NE(Read(json), "") << json;
  }
}

TEST_F(CaseReaderTest, IdIsRecoveredForErrorLines) {
  EXPECT_NE(Read(R"({"findings":{"pain_score":99},"id":"late-id"})"), "");
  EXPECT_EQ(c_.id, "late-id");
}

TEST_F(CaseReaderTest, WholeNumberWrittenWithDecimalsIsAccepted) {
  ASSERT_EQ(Read(R"({"id":"x","findings":{"pain_score":7.0}})"), "");
  EXPECT_EQ(Value("pain_score"), 7);
}

// Issue 12, finding 7: a literal that underflows to 0 is not a score of 0,
// and U+0000 never enters a case id.
TEST_F(CaseReaderTest, UnderflowAndNulAreRefused) {
  EXPECT_NE(
      Read(R"({"id":"x","findings":{"pain_score":1e-400}})").find("too small"),
      std::string::npos);
  EXPECT_NE(Read(R"({"id":"x","findings":{"temperature_c":-5e-999}})"), "");
  EXPECT_EQ(Read(R"({"id":"x","findings":{"pain_score":0e5}})"), "");
  EXPECT_EQ(Value("pain_score"), 0);
  EXPECT_EQ(Read(R"({"id":"x","findings":{"pain_score":0.0}})"), "");
  EXPECT_EQ(Read(R"({"id":"a\u0000b","findings":{}})"),
            "id: must not contain U+0000");
}

// Found by fuzz_case_reader (issue 12): a malformed literal that starts
// like null, as a finding or in an ignored member, threw simdjson_error
// through the reader (std::terminate). It is an error line like any other.
TEST_F(CaseReaderTest, MalformedNullIsAnErrorNotAnException) {
  EXPECT_NE(Read(R"({"id":"x","findings":{"saddle_numbness":noroal}})"), "");
  EXPECT_NE(Read(R"({"id":"x","findings":{"saddle_numbness":nul}})"), "");
  EXPECT_NE(Read(R"({"id":"x","narrative":nulx,"findings":{}})"), "");
  EXPECT_NE(Read(R"({"id":"x","source":[1,nuLL],"findings":{}})"), "");
  EXPECT_EQ(Read(R"({"id":"x","narrative":null,"findings":{"fever":null}})"),
            "");
}

}  // namespace
}  // namespace backaid
