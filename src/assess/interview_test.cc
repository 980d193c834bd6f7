// The vignette-study protocol: how the simulated person answers, and a
// whole interview end to end.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "backaid/assess.h"
#include "backaid/batch.h"
#include "backaid/case_json.h"
#include "backaid/engine.h"
#include "src/assess/questionnaire_model.h"
#include "src/knowledge/program.h"
#include "src/knowledge/test_kb.h"

namespace backaid {
namespace {

constexpr auto Kb = &kb::testing::EmbeddedKb;

Case Read(std::string_view json) {
  CaseReader reader(*Kb());
  Case c = Kb()->NewCase();
  ExpectedOutcome e;
  const Status s = reader.Read(json, &c, &e);
  EXPECT_TRUE(s.ok()) << s.message();
  return c;
}

const Question& Q(std::string_view id) {
  const auto& m = *assess::QuestionnaireOf(*Kb());
  return m.questions[m.index.at(std::string(id))].view;
}

std::vector<std::string> Ticks(std::string_view question, std::string_view c) {
  return InterviewReply(*Kb(), Q(question), Read(c)).options;
}

TEST(InterviewReply, NumberIsStatedOrNotSure) {
  const Case c = Read(R"({"id":"n","age":40,"findings":{"pain_score":7}})");
  Reply r = InterviewReply(*Kb(), Q("pain_score"), c);
  ASSERT_TRUE(r.number.has_value());
  EXPECT_EQ(*r.number, 7);
  r = InterviewReply(*Kb(), Q("onset_days"), c);
  EXPECT_FALSE(r.number.has_value());
  EXPECT_EQ(r.options, std::vector<std::string>{std::string(kNotSure)});
}

TEST(InterviewReply, SilentSingleGetsTheNormalAnswer) {
  EXPECT_EQ(Ticks("below_knee", R"({"id":"s","age":40,"findings":{}})"),
            std::vector<std::string>{"no"});
}

TEST(InterviewReply, SingleFollowsWhatTheCaseStates) {
  EXPECT_EQ(Ticks("below_knee",
                  R"({"id":"s","age":40,"findings":{"pain_below_knee":true}})"),
            std::vector<std::string>{"yes"});
  // A slip while lifting is the fall, the risk that must not be missed.
  EXPECT_EQ(
      Ticks("how_started",
            R"({"id":"s","age":40,"findings":{"onset_with_movement":true,)"
            R"("minor_trauma":true}})"),
      std::vector<std::string>{"fall"});
  // A strain: "movement", not "sudden for no clear reason".
  EXPECT_EQ(
      Ticks("how_started",
            R"({"id":"s","age":40,"findings":{"onset_with_movement":true}})"),
      std::vector<std::string>{"movement"});
  // The same, and no option claims a sudden onset that is not stated when
  // only a gradual one is.
  EXPECT_EQ(Ticks("how_started",
                  R"({"id":"s","age":40,"findings":{"onset_gradual":true}})"),
            std::vector<std::string>{"gradual"});
}

TEST(InterviewReply, SingleWithNoFittingOptionIsNotSure) {
  // how_started has no wholly normal option: silence is "not sure".
  EXPECT_EQ(Ticks("how_started", R"({"id":"s","age":40,"findings":{}})"),
            std::vector<std::string>{"unsure"});
}

TEST(InterviewReply, ChecklistTicksWhatIsStatedElseNone) {
  EXPECT_EQ(Ticks("nerve_signs",
                  R"({"id":"c","age":40,"findings":{"bladder_dysfunction":true,
                      "saddle_numbness":true,"fever":true}})"),
            (std::vector<std::string>{"bladder", "saddle"}));
  EXPECT_EQ(
      Ticks("nerve_signs",
            R"({"id":"c","age":40,"findings":{"bladder_dysfunction":false}})"),
      std::vector<std::string>{"none"});
}

TEST(InterviewReply, ChecklistOptionSayingMoreThanTheCaseIsNotTicked) {
  // Both legs tingle, nothing said about walking: the plain option only,
  // never the long-standing-claudication one (that would claim a pattern
  // the case does not state, and could hide cauda equina).
  EXPECT_EQ(Ticks("nerve_signs",
                  R"({"id":"c","age":50,"findings":{
                      "leg_numbness_tingling":"both"}})"),
            std::vector<std::string>{"both_legs_numb"});
  EXPECT_EQ(Ticks("nerve_signs",
                  R"({"id":"c","age":70,"findings":{
                      "leg_numbness_tingling":"both",
                      "neurogenic_claudication":true}})"),
            (std::vector<std::string>{"both_legs_numb", "both_legs_walking"}));
}

TEST(Interview, LongStandingStenosisIsNotSentToEmergency) {
  // Months of both-leg tingling on walking, eased by sitting: stenosis
  // (NICE CKS, NASS), routine; the same tingling when new is cauda equina
  // until proven otherwise (GIRFT), emergency.
  const Case old_c = Read(
      R"({"id":"s","age":68,"sex":"male","findings":{"onset_days":400,
          "leg_numbness_tingling":"both","neurogenic_claudication":true,
          "bladder_dysfunction":false,"bowel_dysfunction":false,
          "saddle_numbness":false}})");
  auto out = InterviewCase(Kb(), old_c);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->result.level, TriageLevel::kRoutine);
  const Case new_c = Read(
      R"({"id":"n","age":68,"sex":"male","findings":{"onset_days":3,
          "leg_numbness_tingling":"both","neurogenic_claudication":true}})");
  out = InterviewCase(Kb(), new_c);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->result.level, TriageLevel::kEmergency);
  const Case silent = Read(
      R"({"id":"u","age":68,"sex":"male","findings":{
          "leg_numbness_tingling":"both"}})");
  out = InterviewCase(Kb(), silent);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->result.level, TriageLevel::kEmergency);
}

TEST(InterviewReply, StatedNotSureIsNotSure) {
  EXPECT_EQ(
      Ticks("nerve_signs",
            R"({"id":"u","age":40,"findings":{"unsure_nerve_signs":true}})"),
      std::vector<std::string>{"unsure"});
}

TEST(Interview, CaudaEquinaStopsEarlyAtEmergency) {
  const Case c = Read(
      R"({"id":"ces","age":45,"sex":"male","findings":{"bladder_dysfunction":true}})");
  auto out = InterviewCase(Kb(), c);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->result.level, TriageLevel::kEmergency);
  EXPECT_LE(out->questions, 5);
  EXPECT_EQ(out->c.id, "ces");
}

TEST(Interview, PlainSpasmAnswersEveryQuestionAndIsNotUrgent) {
  const Case c = Read(
      R"({"id":"p","age":34,"sex":"male","findings":{"onset_days":0,
          "onset_with_movement":true,"pain_score":5,"rom_limitation":"mild",
          "heel_walk":"normal","toe_walk":"normal"}})");
  auto out = InterviewCase(Kb(), c);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_LE(out->result.level, TriageLevel::kRoutine);
  EXPECT_GT(out->questions, 10);
  // Examiner-only findings are not in the questionnaire, so they are lost;
  // stated findings the questionnaire asks come through.
  EXPECT_EQ(out->c.values[*Kb()->FindFinding("pain_score")], 5);
}

TEST(ValidateInterview, ReportsQuestionCountsByLevel) {
  const std::string text =
      R"({"id":"a","age":45,"sex":"male","findings":{"bladder_dysfunction":true},)"
      R"("expected":{"triage":"emergency","conditions":["cauda_equina_syndrome"]}})"
      "\n";
  ValidateOptions o;
  o.interview = true;
  auto r = ValidateText(Kb(), text, o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->interview);
  EXPECT_EQ(r->level_exact, 1u);
  ASSERT_EQ(r->questions[static_cast<int>(TriageLevel::kEmergency)].size(), 1u);
  EXPECT_EQ(MedianQuestions(r->questions[3]), r->questions[3][0]);
  EXPECT_NE(RenderValidationText(*r).find("questions asked"),
            std::string::npos);
  EXPECT_NE(RenderValidationJson(*r).find("\"not_emergency\""),
            std::string::npos);
}

TEST(ValidateInterview, MedianIsTheUpperMiddle) {
  EXPECT_EQ(MedianQuestions({}), -1);
  EXPECT_EQ(MedianQuestions({3, 1, 2}), 2);
  EXPECT_EQ(MedianQuestions({4, 1, 2, 3}), 3);
  EXPECT_EQ(MaxQuestions({4, 9, 2}), 9);
}

}  // namespace
}  // namespace backaid
