// Fewer questions, ordered by risk (issue 14): the selection of the next
// question, the progress count and what an answer records.
#include "src/assess/selection.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "backaid/assess.h"
#include "backaid/engine.h"
#include "src/knowledge/program.h"

namespace backaid {
namespace {

std::shared_ptr<const KnowledgeBase> Kb() {
  static auto kb = [] {
    auto r = LoadEmbeddedKnowledgeBase();
    EXPECT_TRUE(r.ok()) << r.status().message();
    return *r;
  }();
  return kb;
}

int32_t Value(const Case& c, std::string_view key) {
  return c.values[*Kb()->FindFinding(key)];
}

int32_t Enum(std::string_view key, std::string_view value) {
  const FindingDef& f = Kb()->findings()[*Kb()->FindFinding(key)];
  for (size_t i = 0; i < f.values.size(); ++i)
    if (f.values[i] == value) return static_cast<int32_t>(i);
  ADD_FAILURE() << key << " has no value " << value;
  return -2;
}

Case FromAnswers(const std::string& json) {
  auto a = CaseFromAnswers(*Kb(), json);
  EXPECT_TRUE(a.ok()) << a.status().message();
  return a.ok() ? a->c : Kb()->NewCase();
}

const assess::QuestionDef& Def(std::string_view id) {
  const auto& model = *assess::QuestionnaireOf(*Kb());
  return model.questions[model.index.at(std::string(id))];
}

// Not ticking "new weakness in both legs" says "not both legs", not "no
// weakness": one-leg weakness has not been asked yet.
TEST(AnswerRecords, OnlyWhatItStates) {
  const std::string start =
      R"({"age": 34, "sex": "male", "emergency_signs": "none",
          "nerve_signs": "none")";
  Case c = FromAnswers(start + "}");
  EXPECT_EQ(Value(c, "leg_weakness"), kUnknown);
  EXPECT_EQ(Value(c, "leg_numbness_tingling"), kUnknown);
  EXPECT_EQ(Value(c, "bladder_dysfunction"), 0);  // its item names it all
  // Once one leg has been asked too, every abnormal value is ruled out.
  c = FromAnswers(start + R"(, "leg_symptoms": "none"})");
  EXPECT_EQ(Value(c, "leg_weakness"), Enum("leg_weakness", "none"));
  EXPECT_EQ(Value(c, "leg_numbness_tingling"),
            Enum("leg_numbness_tingling", "none"));
  // One leg ticked, both not: one.
  c = FromAnswers(start + R"(, "leg_symptoms": ["one_leg_weak"]})");
  EXPECT_EQ(Value(c, "leg_weakness"), Enum("leg_weakness", "one"));
  EXPECT_EQ(Value(c, "leg_numbness_tingling"),
            Enum("leg_numbness_tingling", "none"));
  // "Not sure" to the first rules nothing out.
  c = FromAnswers(
      R"({"age": 34, "sex": "male", "emergency_signs": "none",
          "nerve_signs": "unsure", "leg_symptoms": "none"})");
  EXPECT_EQ(Value(c, "leg_weakness"), kUnknown);
  // In every checklist, what an unticked item records is covered by it.
  for (const auto& q : assess::QuestionnaireOf(*Kb())->questions) {
    for (const auto& [f, v] : q.normals) {
      uint32_t named = 0;
      for (const auto& o : q.options)
        for (const auto& s : o.sets)
          if (s.first == f) named |= 1u << s.second;
      const uint32_t abnormal = assess::AbnormalMask(Kb()->findings()[f]);
      EXPECT_EQ(abnormal & ~named, 0u)
          << q.view.id << ": " << Kb()->findings()[f].key;
    }
  }
}

// Runs a session giving every question the typical answer (nothing to
// report), checking that the count shown never drifts.
TEST(Selection, ProgressIsTheRealRemainingCountAndDoesNotDrift) {
  auto a = Assessment::Start(Kb());
  ASSERT_TRUE(a.ok());
  std::vector<int> abouts;
  while (const Question* q = a->NextQuestion()) {
    const Progress p = a->progress();
    EXPECT_EQ(p.answered, static_cast<int>(abouts.size()));
    EXPECT_GT(p.about, p.answered);
    abouts.push_back(p.about);
    ASSERT_TRUE(a->Answer(assess::TypicalReply(*Kb(), Def(q->id))).ok());
  }
  const int total = static_cast<int>(a->answers().size());
  ASSERT_FALSE(abouts.empty());
  for (size_t i = 0; i < abouts.size(); ++i)
    EXPECT_EQ(abouts[i], total) << "after " << i << " answers";
  EXPECT_EQ(a->progress().about, total);
}

// Every question asked could still change something, and nothing that
// could change something is left unasked at the end.
TEST(Selection, AsksOnlyWhatCanStillMatterAndEverythingThatCan) {
  auto a = Assessment::Start(Kb());
  ASSERT_TRUE(a.ok());
  while (const Question* q = a->NextQuestion()) {
    assess::Relevance rel;
    assess::ComputeRelevance(*Kb(), a->current_case(), a->result(), &rel);
    EXPECT_GT(assess::QuestionWeight(Def(q->id), rel), 0) << q->id;
    const Reply r = q->id == "age"   ? Reply::Number(30)
                    : q->id == "sex" ? Reply::Option("male")
                                     : assess::TypicalReply(*Kb(), Def(q->id));
    ASSERT_TRUE(a->Answer(r).ok());
  }
  EXPECT_NE(a->result().level, TriageLevel::kEmergency);
  // Whatever more urgent rule is still open either needs a finding that no
  // question left to ask could set (its ask_when is false, or nothing asks
  // it), or could no longer fire whatever is answered (its other part needs
  // such a finding): nothing that could change the level was skipped.
  const auto& model = *assess::QuestionnaireOf(*Kb());
  std::vector<bool> asked(model.questions.size(), false);
  for (const auto& [id, r] : a->answers()) asked[model.index.at(id)] = true;
  for (const Undetermined& u :
       CouldNotRuleOut(*Kb(), a->current_case(), a->result())) {
    if (!assess::CouldStillFire(*Kb(), a->current_case(), u.rule)) continue;
    for (FindingId f : u.missing) {
      for (size_t i = 0; i < model.questions.size(); ++i) {
        if (asked[i] || !assess::SettableFindings(model.questions[i]).test(f))
          continue;
        EXPECT_FALSE(
            assess::ShouldAsk(model.questions[i], a->current_case().values))
            << model.questions[i].view.id << " could decide "
            << Kb()->rules()[u.rule].id;
      }
    }
  }
  // "Not checked" lists only warning signs that could still matter.
  assess::Relevance rel;
  assess::ComputeRelevance(*Kb(), a->current_case(), a->result(), &rel);
  EXPECT_TRUE((a->result().not_assessed & ~rel.any).none());
  // The red-flag checklists were asked.
  std::vector<std::string> ids;
  for (const auto& [id, r] : a->answers()) ids.push_back(id);
  for (const char* must : {"emergency_signs", "nerve_signs", "illness_signs"})
    EXPECT_NE(std::find(ids.begin(), ids.end(), must), ids.end()) << must;
}

// A pregnant woman's own warning signs come straight after the pregnancy
// is known, and bleeding ends the questions.
TEST(Selection, PregnancyWarningSignsComeRightAfterPregnancy) {
  auto a = Assessment::Start(Kb());
  ASSERT_TRUE(a.ok());
  auto say = [&](std::string_view id, const Reply& r) {
    const Question* q = a->NextQuestion();
    ASSERT_NE(q, nullptr) << id;
    ASSERT_EQ(q->id, id);
    ASSERT_TRUE(a->Answer(r).ok());
  };
  say("age", Reply::Number(31));
  say("sex", Reply::Option("female"));
  say("pregnant", Reply::Option("yes"));
  say("pregnancy_signs", Reply::Options({"bleeding", "tightenings"}));
  EXPECT_EQ(a->result().level, TriageLevel::kEmergency);
  EXPECT_TRUE(a->finished());
}

// Sex- and age-gated questions only where they apply.
TEST(Selection, NoPregnancyQuestionsForAManAndNoAorticCheckAtThirty) {
  auto a = Assessment::Start(Kb());
  ASSERT_TRUE(a.ok());
  while (const Question* q = a->NextQuestion()) {
    if (q->id == "age") {
      ASSERT_TRUE(a->Answer(Reply::Number(30)).ok());
    } else if (q->id == "sex") {
      ASSERT_TRUE(a->Answer(Reply::Option("male")).ok());
    } else {
      ASSERT_TRUE(a->Answer(assess::TypicalReply(*Kb(), Def(q->id))).ok());
    }
  }
  for (const auto& [id, r] : a->answers()) {
    EXPECT_NE(id, "pregnant");
    EXPECT_NE(id, "pregnancy_signs");
    EXPECT_NE(id, "bleeding");
    EXPECT_NE(id, "heart_risks");
  }
}

// Ordered by risk for this person: once a warning sign is reported, the
// questions that could complete an emergency rule it supports come before
// the other open questions of the same level. Severe pain between the
// shoulder blades at 60: how it started (a sudden tearing onset) and the
// vessel risks come before the walking and leg checks, which the file
// lists first.
TEST(Selection, AWarningSignBringsForwardWhatCouldCompleteItsRule) {
  auto a = Assessment::Start(Kb());
  ASSERT_TRUE(a.ok());
  std::vector<std::string> after;
  bool reported = false;
  while (const Question* q = a->NextQuestion()) {
    if (reported) after.push_back(q->id);
    if (q->id == "age") {
      ASSERT_TRUE(a->Answer(Reply::Number(60)).ok());
    } else if (q->id == "sex") {
      ASSERT_TRUE(a->Answer(Reply::Option("male")).ok());
    } else if (q->id == "pain_score") {
      ASSERT_TRUE(a->Answer(Reply::Number(9)).ok());
    } else if (q->id == "pain_pattern") {
      ASSERT_TRUE(a->Answer(Reply::Options({"upper_back"})).ok());
      reported = true;
    } else {
      ASSERT_TRUE(a->Answer(assess::TypicalReply(*Kb(), Def(q->id))).ok());
    }
  }
  // Answered a question at a time, the rest of the pain pattern's screen
  // (how and when it started) comes first, the most urgent first.
  ASSERT_GE(after.size(), 4u);
  EXPECT_EQ(after[0], "how_started");
  EXPECT_EQ(after[1], "onset_days");
  EXPECT_EQ(after[2], "heart_risks");
  EXPECT_EQ(after[3], "walking");
}

// Resuming from answers given in any order asks the same next question.
TEST(Selection, ResumeDoesNotDependOnTheAnswersOrder) {
  auto a = ResumeAssessment(
      Kb(), R"({"sex": "male", "age": 40, "emergency_signs": "none"})");
  auto b = ResumeAssessment(
      Kb(), R"({"emergency_signs": "none", "age": 40, "sex": "male"})");
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_TRUE(b.ok()) << b.status().message();
  ASSERT_NE(a->NextQuestion(), nullptr);
  ASSERT_NE(b->NextQuestion(), nullptr);
  EXPECT_EQ(a->NextQuestion()->id, b->NextQuestion()->id);
  EXPECT_EQ(a->progress().about, b->progress().about);
}

}  // namespace
// A question is asked only when an answer could still make a rule fire: with
// no fever or shivers reported, the temperature is never asked, so the
// fever-with-tenderness rules cannot fire and pressing on the spine is not
// asked for them (it could only rule them out). With a fever it is.
namespace {
std::vector<std::string> TypicalSession(const std::string& illness_reply) {
  auto a = Assessment::Start(Kb());
  EXPECT_TRUE(a.ok());
  std::vector<std::string> ids;
  while (const Question* q = a->NextQuestion()) {
    ids.push_back(q->id);
    Reply r = assess::TypicalReply(*Kb(), Def(q->id));
    if (q->id == "age") r = Reply::Number(30);
    if (q->id == "sex") r = Reply::Option("male");
    if (q->id == "illness_signs") r = Reply::Option(illness_reply);
    if (q->id == "temperature") r = Reply::Number(38.4);
    EXPECT_TRUE(a->Answer(r).ok()) << q->id;
  }
  return ids;
}
bool Asked(const std::vector<std::string>& ids, const char* id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}
}  // namespace

TEST(Selection, AQuestionThatCouldOnlyRuleOutIsNotAsked) {
  const auto plain = TypicalSession("none");
  EXPECT_FALSE(Asked(plain, "temperature"));
  EXPECT_FALSE(Asked(plain, "touch"));
  const auto fever = TypicalSession("fever");
  EXPECT_TRUE(Asked(fever, "temperature"));
  EXPECT_TRUE(Asked(fever, "touch"));
}

// How it started has no wholly normal answer; the estimate takes the answer
// that makes the fewest rule tests true, never "not sure" (which would add
// the follow-up about a fall that a person who answers gets no more).
TEST(Selection, TypicalReplyIsAnAnswerWhenOneExists) {
  const Reply r = assess::TypicalReply(*Kb(), Def("how_started"));
  ASSERT_EQ(r.options.size(), 1u);
  EXPECT_NE(r.options[0], "unsure");
}

}  // namespace backaid

namespace backaid {
namespace {
size_t RuleIndex(std::string_view id) {
  for (size_t i = 0; i < Kb()->rules().size(); ++i)
    if (Kb()->rules()[i].id == id) return i;
  ADD_FAILURE() << "no rule " << id;
  return 0;
}
bool Askable(const Case& c, std::string_view key) {
  return assess::AskableFindings(*Kb(), c).test(*Kb()->FindFinding(key));
}
}  // namespace

// A question gated on `known(x)` (how many weeks pregnant: only once the
// pregnancy question has been answered; heel and toe walking: only once
// walking has been tried) is false while x is unanswered, but an answer
// still to come makes it true: its findings are still askable, and a rule
// that needs them (a bad headache after 20 weeks of pregnancy, emergency)
// could still fire (SAFETY HAZ-125). Once x is answered the other way they
// are not.
TEST(Selection, AQuestionGatedOnAnAnswerStillToComeCountsAsAskable) {
  const Case woman = FromAnswers(R"({"age": 30, "sex": "female"})");
  EXPECT_EQ(Value(woman, "pregnant"), kUnknown);
  EXPECT_TRUE(Askable(woman, "pregnancy_weeks"));
  EXPECT_TRUE(Askable(woman, "heel_walk"));
  EXPECT_TRUE(Askable(woman, "toe_walk"));
  EXPECT_TRUE(
      assess::CouldStillFire(*Kb(), woman, RuleIndex("pregnancy.headache")));
  // Answered: a man is not pregnant; legs that gave way skip heel walking.
  const Case man = FromAnswers(R"({"age": 30, "sex": "male"})");
  EXPECT_FALSE(Askable(man, "pregnancy_weeks"));
  EXPECT_FALSE(
      assess::CouldStillFire(*Kb(), man, RuleIndex("pregnancy.headache")));
  Case unsteady = man;
  Kb()->SetFinding(*Kb()->FindFinding("gait_disturbance"), 1, &unsteady);
  EXPECT_FALSE(Askable(unsteady, "heel_walk"));
}

}  // namespace backaid
