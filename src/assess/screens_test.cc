// Screens: short related questions shown together (questions.yaml
// `screen`), answered at once or a part at a time, and replayed from the
// answers alone (ResumeAssessment) whichever way a front answered them.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "backaid/assess.h"
#include "backaid/case_json.h"
#include "src/knowledge/test_kb.h"

namespace backaid {
namespace {

constexpr auto Kb = &kb::testing::EmbeddedKb;

std::vector<std::string> Ids(const std::vector<const Question*>& qs) {
  std::vector<std::string> out;
  for (const Question* q : qs) out.push_back(q->id);
  return out;
}

std::string AnswersJson(const std::vector<std::pair<std::string, Reply>>& a) {
  std::string out;
  AppendAnswersJson(a, &out);
  return out;
}

TEST(Screens, TheFirstScreenAsksAgeAndSexTogether) {
  auto a = Assessment::Start(Kb());
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(Ids(a->NextScreen()), (std::vector<std::string>{"age", "sex"}));
  EXPECT_EQ(a->NextQuestion()->id, "age");
  EXPECT_EQ(a->NextScreen()[0]->screen, "about_you");
  const Progress p = a->progress();
  EXPECT_EQ(p.screens_answered, 0);
  EXPECT_LT(p.screens_about, p.about);  // fewer screens than questions
}

TEST(Screens, AnswerScreenIsAllOrNothing) {
  auto a = Assessment::Start(Kb());
  ASSERT_TRUE(a.ok());
  Status s = a->AnswerScreen({Reply::Number(40)});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("2 questions"), std::string_view::npos)
      << s.message();
  // A bad second reply: the good first one is not applied either.
  s = a->AnswerScreen({Reply::Number(40), Reply::Option("martian")});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'sex'"), std::string_view::npos) << s.message();
  EXPECT_TRUE(a->answers().empty());
  EXPECT_FALSE(a->current_case().known.test(*Kb()->FindFinding("age")));
  EXPECT_EQ(Ids(a->NextScreen()), (std::vector<std::string>{"age", "sex"}));
}

TEST(Screens, BackUndoesTheWholeScreen) {
  auto a = Assessment::Start(Kb());
  ASSERT_TRUE(a.ok());
  const Case before = a->current_case();
  ASSERT_TRUE(a->AnswerScreen({Reply::Number(40), Reply::Option("male")}).ok());
  EXPECT_EQ(a->progress().answered, 2);
  EXPECT_EQ(a->progress().screens_answered, 1);
  EXPECT_NE(Ids(a->NextScreen())[0], "age");
  ASSERT_TRUE(a->Back());
  EXPECT_EQ(a->progress().answered, 0);
  EXPECT_EQ(a->current_case().values, before.values);
  EXPECT_EQ(Ids(a->NextScreen()), (std::vector<std::string>{"age", "sex"}));
}

TEST(Screens, AnAnswerAloneLeavesTheRestOfItsScreenNext) {
  // A front that answers only next_question: the rest of the screen comes
  // next, before anything else, and the state is the same as answering the
  // screen at once.
  auto one = Assessment::Start(Kb());
  auto all = Assessment::Start(Kb());
  ASSERT_TRUE(one.ok() && all.ok());
  ASSERT_TRUE(one->Answer(Reply::Number(40)).ok());
  EXPECT_EQ(Ids(one->NextScreen()), (std::vector<std::string>{"sex"}));
  ASSERT_TRUE(one->Answer(Reply::Option("female")).ok());
  ASSERT_TRUE(
      all->AnswerScreen({Reply::Number(40), Reply::Option("female")}).ok());
  EXPECT_EQ(one->current_case().values, all->current_case().values);
  EXPECT_EQ(Ids(one->NextScreen()), Ids(all->NextScreen()));
  EXPECT_EQ(one->progress().screens_answered, 2);
  EXPECT_EQ(all->progress().screens_answered, 1);
}

TEST(Screens, AnEmergencyOnAScreenKeepsTheOtherAnswers) {
  auto a = Assessment::Start(Kb());
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(a->AnswerScreen({Reply::Number(58), Reply::Option("male")}).ok());
  const auto screen = a->NextScreen();
  ASSERT_EQ(Ids(screen),
            (std::vector<std::string>{"emergency_signs", "nerve_signs"}));
  ASSERT_TRUE(a->AnswerScreen({Reply::Options({"chest_pain"}),
                               Reply::Options({"bladder"})})
                  .ok());
  EXPECT_EQ(a->result().level, TriageLevel::kEmergency);
  EXPECT_TRUE(a->finished());
  EXPECT_TRUE(a->NextScreen().empty());
  const auto answers = a->answers();
  ASSERT_EQ(answers.size(), 4u);
  EXPECT_EQ(answers[3].first, "nerve_signs");
  EXPECT_EQ(a->current_case().values[*Kb()->FindFinding("bladder_dysfunction")],
            1);
}

// Every published and own vignette, answered three ways: a screen at a
// time, a question at a time (NextQuestion only) and the last question of
// each screen at a time through ResumeAssessment (as a stateless front
// does). Each way finishes, its answers replay to the same place, and the
// screen-at-a-time path never shows more screens than questions.
std::vector<Case> Vignettes() {
  std::vector<Case> out;
  for (const char* path :
       {BACKAID_SOURCE_DIR "/knowledge/vignettes/own.jsonl",
        BACKAID_SOURCE_DIR "/../shared/vignettes/public.jsonl"}) {
    std::ifstream in(path);
    EXPECT_TRUE(in.good()) << path;
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      CaseReader reader(*Kb());
      Case c = Kb()->NewCase();
      ExpectedOutcome e;
      if (reader.Read(line, &c, &e).ok()) out.push_back(std::move(c));
    }
  }
  return out;
}

void ExpectReplays(const Assessment& live, const std::string& id,
                   const char* way) {
  auto again = ResumeAssessment(Kb(), AnswersJson(live.answers()));
  ASSERT_TRUE(again.ok()) << id << " " << way << ": "
                          << again.status().message();
  EXPECT_TRUE(again->finished()) << id << " " << way;
  EXPECT_EQ(again->result().level, live.result().level) << id << " " << way;
  EXPECT_EQ(again->result().conditions, live.result().conditions)
      << id << " " << way;
  EXPECT_EQ(again->current_case().values, live.current_case().values)
      << id << " " << way;
}

TEST(Screens, EveryWayOfAnsweringReplays) {
  const std::vector<Case> cases = Vignettes();
  ASSERT_GT(cases.size(), 150u);
  for (const Case& truth : cases) {
    // A screen at a time; each step's answers resume to the same screen.
    auto screens = Assessment::Start(Kb());
    ASSERT_TRUE(screens.ok());
    int shown = 0;
    while (!screens->finished()) {
      std::vector<Reply> replies;
      for (const Question* q : screens->NextScreen())
        replies.push_back(InterviewReply(*Kb(), *q, truth));
      ASSERT_TRUE(screens->AnswerScreen(replies).ok()) << truth.id;
      ++shown;
      auto resumed = ResumeAssessment(Kb(), AnswersJson(screens->answers()));
      ASSERT_TRUE(resumed.ok())
          << truth.id << ": " << resumed.status().message();
      EXPECT_EQ(Ids(resumed->NextScreen()), Ids(screens->NextScreen()))
          << truth.id;
      EXPECT_EQ(resumed->progress().screens_answered, shown) << truth.id;
    }
    EXPECT_LE(shown, static_cast<int>(screens->answers().size()));
    ExpectReplays(*screens, truth.id, "screens");

    // A question at a time.
    auto single = Assessment::Start(Kb());
    ASSERT_TRUE(single.ok());
    while (const Question* q = single->NextQuestion())
      ASSERT_TRUE(single->Answer(InterviewReply(*Kb(), *q, truth)).ok());
    ExpectReplays(*single, truth.id, "one at a time");
    // The same level either way (the screens may ask a question or two
    // more, never fewer warning signs).
    EXPECT_EQ(single->result().level, screens->result().level) << truth.id;

    // The last question of each screen, through the stateless replay.
    std::vector<std::pair<std::string, Reply>> given;
    for (int step = 0; step < 100; ++step) {
      auto at = ResumeAssessment(Kb(), AnswersJson(given));
      ASSERT_TRUE(at.ok()) << truth.id << ": " << at.status().message();
      if (at->finished()) {
        ExpectReplays(*at, truth.id, "last of each screen");
        break;
      }
      const Question* last = at->NextScreen().back();
      given.emplace_back(last->id, InterviewReply(*Kb(), *last, truth));
    }
  }
}

}  // namespace
}  // namespace backaid
