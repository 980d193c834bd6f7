// Server-driven questioning: the questionnaire as JSON and resuming a
// session from the answers given so far.
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "backaid/assess.h"
#include "src/knowledge/test_kb.h"

namespace backaid {
namespace {

constexpr auto Kb = &kb::testing::EmbeddedKb;

TEST(QuestionnaireJson, ListsEveryQuestionWithoutAskWhen) {
  std::string out;
  AppendQuestionnaireJson(*Kb(), &out);
  const auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["kb_version"], Kb()->version());
  ASSERT_FALSE(j["sections"].empty());
  EXPECT_TRUE(j["sections"][0].contains("title"));
  const auto& qs = j["questions"];
  ASSERT_GT(qs.size(), 20u);
  EXPECT_EQ(qs[0]["id"], "age");
  EXPECT_EQ(qs[0]["kind"], "number");
  EXPECT_EQ(qs[0]["min"], 1);
  EXPECT_EQ(qs[0]["max"], 120);
  EXPECT_TRUE(qs[0]["options"].empty());
  bool saw_checklist = false;
  for (const auto& q : qs) {
    EXPECT_FALSE(q.contains("ask_when")) << q["id"];
    for (const char* k : {"id", "section", "section_title", "text", "help",
                          "kind", "options", "min", "max", "unit"})
      EXPECT_TRUE(q.contains(k)) << q["id"] << " " << k;
    if (q["kind"] == "checklist") {
      saw_checklist = true;
      int none = 0, unsure = 0;
      for (const auto& o : q["options"]) {
        none += o["role"] == "none";
        unsure += o["role"] == "unsure";
      }
      EXPECT_EQ(none, 1);
      EXPECT_EQ(unsure, 1);
      EXPECT_TRUE(q["min"].is_null());
    }
  }
  EXPECT_TRUE(saw_checklist);
}

TEST(ResumeAssessment, PicksUpWhereTheAnswersStop) {
  auto a = ResumeAssessment(
      Kb(), R"({"sex":"male","age":34,"emergency_signs":"none"})");
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_NE(a->NextQuestion(), nullptr);
  EXPECT_EQ(a->NextQuestion()->id, "nerve_signs");
  EXPECT_EQ(a->progress().answered, 3);
  const auto answers = a->answers();
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[0].first, "age");  // questionnaire order
  EXPECT_TRUE(a->Back());
  EXPECT_EQ(a->NextQuestion()->id, "emergency_signs");
  auto empty = ResumeAssessment(Kb(), "{}");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->NextQuestion()->id, "age");
}

TEST(ResumeAssessment, GapsAndBadAnswersAreErrors) {
  const std::pair<std::string, std::string> cases[] = {
      {R"({"age":34,"emergency_signs":"none"})",
       "question 'sex' must be answered before 'emergency_signs'"},
      {R"({"nosuch":1})", "unknown question id 'nosuch'"},
      {R"({"age":300})", "out of range"},
      {R"({"age":"x"})", "question 'age' needs a number from 1 to 120"},
      {"[", "not valid JSON"},
  };
  for (const auto& [body, expected] : cases) {
    auto a = ResumeAssessment(Kb(), body);
    ASSERT_FALSE(a.ok()) << body;
    EXPECT_EQ(a.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(a.status().message().find(expected), std::string::npos)
        << body << ": " << a.status().message();
  }
}

TEST(ResumeAssessment, AnswersAfterAnEmergencyAreStillApplied) {
  auto a = ResumeAssessment(
      Kb(),
      R"({"age":50,"sex":"female","pregnant":"no","emergency_signs":["chest_pain"],"pain_score":6})");
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->result().level, TriageLevel::kEmergency);
  EXPECT_TRUE(a->finished());
  EXPECT_EQ(a->progress().answered, 5);
  EXPECT_EQ(a->current_case().values[*Kb()->FindFinding("pain_score")], 6);
  // The same case CaseFromAnswers builds.
  auto c = CaseFromAnswers(
      *Kb(),
      R"({"age":50,"sex":"female","pregnant":"no","emergency_signs":["chest_pain"],"pain_score":6})");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->c.values, a->current_case().values);
}

}  // namespace
}  // namespace backaid
