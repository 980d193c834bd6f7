#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "backaid/assess.h"
#include "backaid/case_json.h"
#include "backaid/engine.h"
#include "src/assess/questionnaire_model.h"
#include "src/knowledge/program.h"
#include "src/knowledge/test_kb.h"

namespace backaid {
namespace {

constexpr auto Kb = &kb::testing::EmbeddedKb;

int32_t Value(const Assessment& a, std::string_view key) {
  return a.current_case().values[*a.kb().FindFinding(key)];
}

Assessment Start() {
  auto a = Assessment::Start(Kb());
  EXPECT_TRUE(a.ok());
  return std::move(*a);
}

// Answers the next question, which must be `id`.
void Say(Assessment& a, std::string_view id, const Reply& r) {
  const Question* q = a.NextQuestion();
  ASSERT_NE(q, nullptr) << "expected " << id;
  ASSERT_EQ(q->id, id);
  const Status s = a.Answer(r);
  ASSERT_TRUE(s.ok()) << s.message();
}

// A plain spasm in a 34-year-old man: what he would answer to each
// question. The session chooses the order and may not ask all of them.
const std::vector<std::pair<std::string, Reply>>& SelfCareAnswers() {
  static const std::vector<std::pair<std::string, Reply>> answers = {
      {"age", Reply::Number(34)},
      {"sex", Reply::Option("male")},
      {"emergency_signs", Reply::Option("none")},
      {"nerve_signs", Reply::Option("none")},
      {"illness_signs", Reply::Option("none")},
      {"health_history", Reply::Option("none")},
      {"pain_score", Reply::Number(6)},
      {"pain_pattern", Reply::Options({"bending", "moving"})},
      {"range_of_motion", Reply::Option("some")},
      {"walking", Reply::Option("painful")},
      {"heel_toe_walk", Reply::Option("none")},
      {"leg_symptoms", Reply::Option("none")},
      {"onset_days", Reply::Number(0)},
      {"how_started", Reply::Option("movement")},
      {"before", Reply::Option("no")},
      {"outlook", Reply::Option("none")},
      {"look_alikes", Reply::Option("none")},
      {"medicine_safety", Reply::Option("none")},
      {"touch", Reply::Options({"tender", "knot"})},
      {"examined", Reply::Option("none")},
      {"lying_down", Reply::Option("yes")},
  };
  return answers;
}

// Answers every question the session asks from SelfCareAnswers(), to the
// end; a question it has no answer for is a failure.
void AnswerSelfCare(Assessment& a) {
  while (const Question* q = a.NextQuestion()) {
    const auto& all = SelfCareAnswers();
    auto it = std::find_if(all.begin(), all.end(),
                           [&](const auto& x) { return x.first == q->id; });
    ASSERT_NE(it, all.end()) << "unexpected question " << q->id;
    const Status s = a.Answer(it->second);
    ASSERT_TRUE(s.ok()) << q->id << ": " << s.message();
  }
}

TEST(Assessment, SelfCarePathSkipsWhatDoesNotApply) {
  Assessment a = Start();
  AnswerSelfCare(a);
  EXPECT_TRUE(a.finished());
  EXPECT_EQ(a.result().level, TriageLevel::kSelfCare);
  // No pregnancy questions for a man, no course questions on day 0.
  for (const auto& [id, r] : a.answers()) {
    EXPECT_NE(id, "pregnant");
    EXPECT_NE(id, "course");
  }
  // Fewer questions than there are answers: only what could matter.
  EXPECT_LT(a.answers().size(), SelfCareAnswers().size());
  EXPECT_EQ(a.progress().answered, static_cast<int>(a.answers().size()));
  EXPECT_EQ(a.progress().about, a.progress().answered);
}

TEST(Assessment, EmergencyStopsTheQuestions) {
  Assessment a = Start();
  Say(a, "age", Reply::Number(60));
  Say(a, "sex", Reply::Option("female"));
  EXPECT_FALSE(a.finished());
  Say(a, "emergency_signs", Reply::Options({"chest_pain"}));
  EXPECT_EQ(a.result().level, TriageLevel::kEmergency);
  EXPECT_TRUE(a.finished());
  EXPECT_EQ(a.NextQuestion(), nullptr);
  EXPECT_FALSE(a.Answer(Reply::Option("none")).ok());
  // Going back reopens the questions.
  ASSERT_TRUE(a.Back());
  EXPECT_FALSE(a.finished());
  EXPECT_EQ(a.NextQuestion()->id, "emergency_signs");
}

TEST(Assessment, BackRestoresFindingsExactly) {
  Assessment a = Start();
  Say(a, "age", Reply::Number(40));
  Say(a, "sex", Reply::Option("male"));
  const Case before = a.current_case();
  Say(a, "emergency_signs", Reply::Option("none"));
  EXPECT_EQ(Value(a, "chest_pain"), 0);
  ASSERT_TRUE(a.Back());
  EXPECT_EQ(a.current_case().values, before.values);
  EXPECT_EQ(a.current_case().known, before.known);
  EXPECT_EQ(a.current_case().abnormal, before.abnormal);
  EXPECT_EQ(Value(a, "chest_pain"), kUnknown);
  EXPECT_EQ(a.NextQuestion()->id, "emergency_signs");
  EXPECT_EQ(a.answers().size(), 2u);
  ASSERT_TRUE(a.Back());
  ASSERT_TRUE(a.Back());
  EXPECT_FALSE(a.Back());
  EXPECT_EQ(a.NextQuestion()->id, "age");
}

TEST(Assessment, NotSureLeavesFindingsUnknown) {
  Assessment a = Start();
  Say(a, "age", Reply::NotSure());
  EXPECT_EQ(Value(a, "age"), kUnknown);
  Say(a, "sex", Reply::Option("unsure"));
  // A pregnancy cannot be ruled out: it is asked, and "not sure" asks its
  // warning signs.
  for (int i = 0; i < 4 && a.NextQuestion()->id != "emergency_signs"; ++i) {
    const Question* q = a.NextQuestion();
    EXPECT_EQ(q->section, "pregnancy") << q->id;
    ASSERT_TRUE(a.Answer(q->kind == QuestionKind::kChecklist
                             ? Reply::Option("none")
                             : Reply::NotSure())
                    .ok());
  }
  Say(a, "emergency_signs", Reply::Option("unsure"));
  EXPECT_EQ(Value(a, "chest_pain"), kUnknown);
  EXPECT_EQ(Value(a, "fainting"), kUnknown);
  // Ticks with "not sure": the ticked item is set, the others stay unknown.
  Say(a, "nerve_signs", Reply::Options({"both_legs_numb", "unsure"}));
  EXPECT_EQ(a.result().level, TriageLevel::kEmergency);
  EXPECT_EQ(Value(a, "bladder_dysfunction"), kUnknown);
}

// An explicit "not sure" to the cauda equina checklist is information: the
// knowledge base asks a more concrete check, and "still not sure" there
// gives a level (ces.screen_unsure), while the findings stay unknown.
TEST(Assessment, NotSureToNerveSignsAsksAConcreteCheck) {
  Assessment a = Start();
  Say(a, "age", Reply::Number(40));
  Say(a, "sex", Reply::Option("male"));
  Say(a, "emergency_signs", Reply::Option("none"));
  Say(a, "nerve_signs", Reply::Option("unsure"));
  EXPECT_EQ(Value(a, "unsure_nerve_signs"), 1);
  EXPECT_EQ(Value(a, "bladder_dysfunction"), kUnknown);
  EXPECT_EQ(a.NextQuestion()->id, "nerve_check");
  Say(a, "nerve_check", Reply::Option("unsure"));
  EXPECT_EQ(Value(a, "bladder_dysfunction"), kUnknown);
  EXPECT_EQ(a.result().level, TriageLevel::kUrgent);
  // The concrete check answered: the findings are known and no level
  // comes from the first "not sure".
  ASSERT_TRUE(a.Back());
  Say(a, "nerve_check", Reply::Option("none"));
  EXPECT_EQ(Value(a, "bladder_dysfunction"), 0);
  EXPECT_EQ(Value(a, "saddle_numbness"), 0);
  EXPECT_EQ(a.result().level, TriageLevel::kSelfCare);
  ASSERT_TRUE(a.Back());
  Say(a, "nerve_check", Reply::Options({"wipe_numb"}));
  EXPECT_EQ(a.result().level, TriageLevel::kEmergency);
}

// Tingling in both legs that comes with walking is cauda equina unless it
// has lasted for months (stenosis claudication, ces.bilateral_leg_symptoms's
// exception): the emergency is not announced until how long it has lasted
// is asked, and only that is asked after it.
TEST(Assessment, AnEmergencyWithAnOpenExceptionAsksOnlyThatException) {
  Assessment a = Start();
  Say(a, "age", Reply::Number(72));
  Say(a, "sex", Reply::Option("male"));
  Say(a, "emergency_signs", Reply::Option("none"));
  Say(a, "nerve_signs", Reply::Options({"both_legs_walking"}));
  EXPECT_EQ(a.result().level, TriageLevel::kEmergency);
  Say(a, "onset_days", Reply::Number(200));
  EXPECT_NE(a.result().level, TriageLevel::kEmergency);
  EXPECT_NE(a.NextQuestion(), nullptr);
  ASSERT_TRUE(a.Back());
  Say(a, "onset_days", Reply::Number(3));
  EXPECT_EQ(a.result().level, TriageLevel::kEmergency);
  EXPECT_EQ(a.NextQuestion(), nullptr);
  ASSERT_TRUE(a.Back());
  Say(a, "onset_days", Reply::NotSure());
  EXPECT_EQ(a.result().level, TriageLevel::kEmergency);
  EXPECT_EQ(a.NextQuestion(), nullptr);
  // An emergency sign without an exception ends the questions at once.
  ASSERT_TRUE(a.Back());
  ASSERT_TRUE(a.Back());
  Say(a, "nerve_signs", Reply::Options({"bladder"}));
  EXPECT_EQ(a.NextQuestion(), nullptr);
}

TEST(Assessment, NerveCheckIsAskedOnlyAfterNotSure) {
  Assessment a = Start();
  Say(a, "age", Reply::Number(40));
  Say(a, "sex", Reply::Option("male"));
  Say(a, "emergency_signs", Reply::Option("none"));
  Say(a, "nerve_signs", Reply::Option("none"));
  EXPECT_EQ(a.NextQuestion()->id, "illness_signs");
}

TEST(Assessment, UntickedItemsAreNoWithoutNotSure) {
  Assessment a = Start();
  Say(a, "age", Reply::Number(30));
  Say(a, "sex", Reply::Option("female"));
  Say(a, "pregnant", Reply::Option("no"));
  Say(a, "emergency_signs", Reply::Option("none"));
  Say(a, "nerve_signs", Reply::Option("none"));
  Say(a, "illness_signs", Reply::Options({"fever"}));
  EXPECT_EQ(Value(a, "fever"), 1);
  EXPECT_EQ(Value(a, "neck_stiffness"), 0);
  // Fever asks for the temperature (after what the fever makes more
  // urgent to know: the health history, the pain pattern, and the rest of
  // the pain pattern's screen).
  const Question* q = nullptr;
  for (int i = 0; i < 20 && (q = a.NextQuestion()) && q->id != "temperature";
       ++i) {
    ASSERT_TRUE(a.Answer(q->kind == QuestionKind::kNumber
                             ? Reply::NotSure()
                             : Reply::Option(q->options.back().id))
                    .ok());
  }
  ASSERT_NE(q, nullptr);
  Say(a, "temperature", Reply::Number(38.4));
  EXPECT_EQ(Value(a, "temperature_c"), 384);
}

TEST(Assessment, CannotStandSkipsHeelAndToeWalking) {
  Assessment a = Start();
  AnswerSelfCare(a);
  while (a.answers().back().first != "walking") ASSERT_TRUE(a.Back());
  ASSERT_TRUE(a.Back());
  Say(a, "walking", Reply::Option("cannot_stand"));
  AnswerSelfCare(a);
  for (const auto& [id, r] : a.answers()) EXPECT_NE(id, "heel_toe_walk");
  EXPECT_EQ(Value(a, "heel_walk"), kUnknown);
  EXPECT_EQ(Value(a, "toe_walk"), kUnknown);
}

TEST(Assessment, PregnancyQuestionsOnlyWhenTheyApply) {
  Assessment a = Start();
  AnswerSelfCare(a);
  while (a.answers().back().first != "age") ASSERT_TRUE(a.Back());
  Say(a, "sex", Reply::Option("female"));
  std::vector<std::string> asked;
  const std::vector<std::pair<std::string, Reply>> plan = {
      {"pregnant", Reply::Option("yes")},
      {"pregnancy_weeks", Reply::Number(24)},
      {"pregnancy_signs", Reply::Option("none")}};
  while (const Question* q = a.NextQuestion()) {
    asked.push_back(q->id);
    bool done = false;
    for (const auto& [id, r] : plan) {
      if (q->id == id) {
        ASSERT_TRUE(a.Answer(r).ok());
        done = true;
      }
    }
    if (done) continue;
    if (q->kind == QuestionKind::kNumber) {
      ASSERT_TRUE(a.Answer(Reply::Number(0)).ok()) << q->id;
    } else {
      const bool has_none = std::any_of(
          q->options.begin(), q->options.end(),
          [](const QuestionOption& o) { return o.role == OptionRole::kNone; });
      ASSERT_TRUE(
          a.Answer(has_none ? Reply::Option("none") : Reply::NotSure()).ok())
          << q->id;
    }
  }
  EXPECT_NE(std::find(asked.begin(), asked.end(), "pregnancy_weeks"),
            asked.end());
  EXPECT_EQ(Value(a, "pregnancy_weeks"), 24);
}

TEST(Assessment, InvalidAnswersChangeNothing) {
  Assessment a = Start();
  EXPECT_EQ(a.Answer(Reply::Number(500)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(a.Answer(Reply::Number(3.5)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(a.Answer(Reply::Option("male")).code(),
            StatusCode::kInvalidArgument);
  Say(a, "age", Reply::Number(30));
  EXPECT_EQ(a.Answer(Reply::Option("martian")).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(a.Answer(Reply::Options({"male", "female"})).code(),
            StatusCode::kInvalidArgument);
  Say(a, "sex", Reply::Option("male"));
  const Status s = a.Answer(Reply::Options({"none", "chest_pain"}));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("none"), std::string::npos) << s.message();
  EXPECT_EQ(Value(a, "chest_pain"), kUnknown);
  EXPECT_EQ(a.answers().size(), 2u);
}

TEST(CaseFromAnswers, BuildsTheSameCaseAsTheSession) {
  Assessment a = Start();
  AnswerSelfCare(a);
  std::string json;
  AppendAnswersJson(a.answers(), &json);
  auto c = CaseFromAnswers(*Kb(), json);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->c.values, a.current_case().values);
  EXPECT_EQ(Evaluate(*Kb(), c->c).level, TriageLevel::kSelfCare);
}

// A later answer never lowers an earlier one: both-leg weakness (the nerve
// checklist) stays both when the leg checklist's one-leg item is ticked too,
// so the answers sent at once stay an emergency, as the session would have
// stopped there (before, the one-leg tick overwrote it: urgent).
TEST(CaseFromAnswers, ALaterAnswerNeverLowersAnEarlierOne) {
  auto c = CaseFromAnswers(*Kb(), R"({"age": 40, "sex": "male",
      "nerve_signs": ["both_legs_weak"], "leg_symptoms": ["one_leg_weak"]})");
  ASSERT_TRUE(c.ok()) << c.status().message();
  const FindingId weak = *Kb()->FindFinding("leg_weakness");
  EXPECT_EQ(Kb()->findings()[weak].values[c->c.values[weak]], "both");
  EXPECT_EQ(Evaluate(*Kb(), c->c).level, TriageLevel::kEmergency);
  // The other way round the more abnormal answer is the later one.
  auto d = CaseFromAnswers(*Kb(), R"({"age": 40, "sex": "male",
      "nerve_signs": ["none"], "leg_symptoms": ["one_leg_weak"]})");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(Kb()->findings()[weak].values[d->c.values[weak]], "one");
}

TEST(CaseFromAnswers, ErrorsNameTheProblem) {
  auto err = [](std::string_view json) {
    auto r = CaseFromAnswers(*Kb(), json);
    EXPECT_FALSE(r.ok()) << json;
    return r.ok() ? std::string() : r.status().message();
  };
  EXPECT_NE(err("{\"age\": ").find("not valid JSON"), std::string::npos);
  EXPECT_NE(err("[1]").find("JSON object"), std::string::npos);
  EXPECT_NE(err(R"({"agee": 3})").find("unknown question id 'agee'"),
            std::string::npos);
  EXPECT_NE(err(R"({"sex": "martian"})").find("unknown option 'martian'"),
            std::string::npos);
  EXPECT_NE(err(R"({"age": 300})").find("out of range"), std::string::npos);
  // A question merged into another (questions.yaml `retired`) says where
  // it went.
  EXPECT_NE(err(R"({"heel_walk": "normal"})")
                .find("question 'heel_walk' is no longer asked: it is part "
                      "of 'heel_toe_walk' now"),
            std::string::npos);
  // 2^32 + 40 once wrapped to 40 when narrowed to the encoded int32, and a
  // huge literal was converted to an integer for the message (fuzz_answers).
  EXPECT_NE(err(R"({"age": 4294967336})").find("out of range"),
            std::string::npos);
  EXPECT_NE(err(R"({"age": 8.8e120})").find("8.8e+120 is out of range"),
            std::string::npos);
  EXPECT_NE(err(R"({"age": "old"})").find("question 'age'"), std::string::npos);
  EXPECT_NE(err(R"({"sex": "male", "pregnant": "yes"})")
                .find("question 'pregnant' is not asked"),
            std::string::npos);
  auto ok = CaseFromAnswers(*Kb(), R"({"age": "unsure", "sex": "female",
      "pregnant": "yes", "pregnancy_weeks": 30})");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->c.values[*Kb()->FindFinding("pregnancy_weeks")], 30);
}

// Answers the questionnaire as the person of a vignette would: for each
// question, the option that sets the vignette's values ("not sure" where
// the vignette leaves them unknown).
Reply ReplyFor(const assess::QuestionDef& q, const Case& v) {
  auto known = [&](FindingId f) { return v.values[f] != kUnknown; };
  if (q.view.kind == QuestionKind::kNumber) {
    if (!known(q.finding)) return Reply::NotSure();
    const int32_t x = std::clamp(v.values[q.finding], q.min, q.max);
    return Reply::Number(static_cast<double>(x) / q.scale);
  }
  auto agrees = [&](const assess::OptionDef& o, int* matches) {
    *matches = 0;
    for (const auto& [f, x] : o.sets) {
      if (!known(f)) continue;
      if (v.values[f] != x) return false;
      ++*matches;
    }
    return true;
  };
  std::string unsure;
  for (const auto& o : q.view.options)
    if (o.role == OptionRole::kUnsure) unsure = o.id;
  if (q.view.kind == QuestionKind::kSingle) {
    int best = 0;
    std::string pick = unsure;
    for (size_t i = 0; i < q.options.size(); ++i) {
      int m = 0;
      if (q.view.options[i].role == OptionRole::kAnswer &&
          agrees(q.options[i], &m) && m > best) {
        best = m;
        pick = q.view.options[i].id;
      }
    }
    return Reply::Option(pick);
  }
  std::vector<std::string> ticks;
  FindingSet ticked;
  for (size_t i = 0; i < q.options.size(); ++i) {
    if (q.view.options[i].role != OptionRole::kAnswer) continue;
    bool all = !q.options[i].sets.empty();
    for (const auto& [f, x] : q.options[i].sets)
      all &= known(f) && v.values[f] == x;
    if (all) {
      ticks.push_back(q.view.options[i].id);
      for (const auto& s : q.options[i].sets) ticked.set(s.first);
    }
  }
  bool any_unknown = false;
  for (const auto& [f, x] : q.normals)
    any_unknown |= !ticked.test(f) && (!known(f) || v.values[f] != x);
  if (any_unknown) ticks.push_back(unsure);
  if (ticks.empty()) ticks.push_back("none");
  return Reply::Options(ticks);
}

TEST(AssessmentProperty, QuestionnaireCanExpressEveryVignette) {
  const auto& model = *assess::QuestionnaireOf(*Kb());
  CaseReader reader(*Kb());
  int checked = 0;
  for (const char* path :
       {BACKAID_SOURCE_DIR "/../shared/vignettes/public.jsonl",
        BACKAID_SOURCE_DIR "/knowledge/vignettes/own.jsonl"}) {
    std::ifstream in(path);
    ASSERT_TRUE(in) << path;
    std::string line;
    while (std::getline(in, line)) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      Case v = Kb()->NewCase();
      ExpectedOutcome expected;
      ASSERT_TRUE(reader.Read(line, &v, &expected).ok()) << line;
      if (!expected.present) continue;
      Assessment a = Start();
      while (const Question* q = a.NextQuestion()) {
        const Reply r = ReplyFor(model.questions[model.index.at(q->id)], v);
        const Status s = a.Answer(r);
        ASSERT_TRUE(s.ok()) << v.id << ": " << s.message();
      }
      EXPECT_GE(a.result().level, expected.level)
          << v.id << ": got " << LevelName(a.result().level) << ", expected "
          << LevelName(expected.level);
      ++checked;
    }
  }
  EXPECT_GE(checked, 100);
}

}  // namespace
}  // namespace backaid
