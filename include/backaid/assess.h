// The question-by-question assessment: a session that asks the questions of
// the knowledge base's questionnaire (knowledge/questions.yaml), builds a
// Case from the answers and triages it again after every answer. A question
// is asked only when some answer to it could still change the level, the
// conditions named or the care plan (the engine's three-valued evaluation
// says which rules are still open and which unknown findings decide them,
// src/assess/selection.h), and never when its `ask_when` is definitely
// false; the question that could decide the most urgent open rule comes
// first (ties: the questionnaire's order), so the red-flag screening comes
// first and pregnancy-specific warning signs follow as soon as a pregnancy
// is known. Once the level is emergency the session is finished: no more
// questions are asked.
//
// Questions that share a `screen` id (questions.yaml) are shown together:
// when the next question has one, the questions of its screen that would
// also be asked now come with it (NextScreen), so a person answers short
// related questions (age and sex; how bad the pain is and how it started)
// on one screen. No question of a screen is asked only depending on another
// question of the same screen (the loader checks this), so a screen never
// needs to show or hide a part of itself.
//
// The questions, their options and the findings each option sets are data;
// this module only applies them. An option that is "not sure" leaves its
// findings unknown (not assessed), never "no"; an unticked checklist item
// records only what it states (see QuestionDef::excludes).
#ifndef BACKAID_ASSESS_H_
#define BACKAID_ASSESS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "backaid/case.h"
#include "backaid/engine.h"
#include "backaid/knowledge_base.h"
#include "backaid/status.h"

namespace backaid {

enum class QuestionKind : uint8_t {
  kSingle,     // pick one option
  kChecklist,  // tick any options; "none of these" and "not sure" are
               // options of their own
  kNumber,     // type a number in [min, max], or say "not sure"
};
std::string_view QuestionKindName(QuestionKind k);  // "single", ...

// What kind of option: an ordinary answer, the checklist's "none of these"
// (every finding of the checklist gets its normal value) or "not sure"
// (the findings stay unknown).
enum class OptionRole : uint8_t { kAnswer, kNone, kUnsure };

struct QuestionOption {
  std::string id;
  std::string label;  // plain words
  OptionRole role = OptionRole::kAnswer;
};

// A question as a front shows it.
struct Question {
  std::string id;
  std::string section;        // section id
  std::string section_title;  // plain words
  std::string text;
  std::string help;  // may be empty
  QuestionKind kind = QuestionKind::kSingle;
  std::vector<QuestionOption> options;  // single and checklist
  double min = 0, max = 0;              // number: the accepted range
  std::string unit;                     // number: e.g. "days", may be empty
  std::string screen;  // questions with the same screen id are shown
                       // together (NextScreen); "" = on its own
};

// The reserved answer of a number question that means "not sure".
inline constexpr std::string_view kNotSure = "unsure";

// One answer. Single: one option id. Checklist: the ticked option ids
// ("none" or "unsure" alone, or answer options, optionally with "unsure"
// to leave the unticked ones unknown). Number: `number`, or the option id
// kNotSure.
struct Reply {
  std::vector<std::string> options;
  std::optional<double> number;

  static Reply Option(std::string id) { return Reply{{std::move(id)}, {}}; }
  static Reply Options(std::vector<std::string> ids) {
    return Reply{std::move(ids), {}};
  }
  static Reply Number(double v) { return Reply{{}, v}; }
  static Reply NotSure() { return Reply{{std::string(kNotSure)}, {}}; }
};

struct Progress {
  int answered = 0;  // questions answered so far
  // answered + the questions that would still be asked if every answer
  // from here on is the one a person with nothing to report gives ("none
  // of these", the normal answer): the real remaining count, so it does not
  // change while the answers are the typical ones.
  int about = 0;
  // The same in screens (NextScreen): what a front shows as "step N of
  // about M". A question answered on its own counts as a screen.
  int screens_answered = 0;
  int screens_about = 0;
};

// One assessment. Not thread-safe; the knowledge base is shared.
class Assessment {
 public:
  // Fails (kFailedPrecondition) if the knowledge base has no questionnaire.
  static Result<Assessment> Start(std::shared_ptr<const KnowledgeBase> kb);

  // The next question to ask, or null when the session is finished (every
  // question answered or skipped, or the level is emergency).
  const Question* NextQuestion() const;
  bool finished() const { return NextQuestion() == nullptr; }

  // The next screen: NextQuestion() and the other questions of its screen
  // (same Question::screen) that would be asked now, not yet answered, in
  // questionnaire order. Just NextQuestion() when it has no screen, and
  // always at emergency (only a question that could decide the emergency
  // rule's exception is asked then). Empty when the session is finished.
  // The pointers stay valid as long as the knowledge base.
  std::vector<const Question*> NextScreen() const;

  // Answers NextQuestion() alone (its screen mates, if any, come again in
  // the next screen while they still matter). kInvalidArgument names the
  // problem (unknown option, a number out of range, "none" with other
  // ticks, ...) and changes nothing. kFailedPrecondition when the session
  // is finished.
  Status Answer(const Reply& reply);

  // Answers every question of NextScreen(): `replies` in the same order.
  // All or nothing: a wrong count, or any reply Answer() would refuse, is
  // kInvalidArgument naming the question, and nothing changes. The
  // answers are applied in the screen's order even if the first already
  // makes the level emergency (they add information).
  Status AnswerScreen(const std::vector<Reply>& replies);

  // Whether Answer()/AnswerScreen() would accept `reply` for question
  // `question_id` (the same kInvalidArgument errors), on its own, without
  // changing anything: lets a front check each answer of a screen as it is
  // given. kNotFound for an unknown question id.
  Status CheckReply(std::string_view question_id, const Reply& reply) const;

  // Undoes the last screen's answers (or the last Answer()), restoring
  // every finding exactly as it was. Returns false when there is nothing
  // to undo.
  bool Back();

  Progress progress() const;

  // The case built so far (id "assessment") and its triage result.
  const Case& current_case() const { return case_; }
  const TriageResult& result() const { return result_; }
  const KnowledgeBase& kb() const { return *kb_; }

  // The answers given, in order: question id and reply.
  std::vector<std::pair<std::string, Reply>> answers() const;
  // The label(s) of an answer, for showing back to the person.
  std::string DescribeReply(const Question& q, const Reply& r) const;

 private:
  struct Step {
    int question;
    Reply reply;
    Case before;
    std::vector<std::pair<FindingId, uint32_t>> ruled_out_before;
    bool screen_start = true;  // the first answer of its screen
  };
  friend Result<Assessment> ResumeAssessment(
      std::shared_ptr<const KnowledgeBase> kb, std::string_view json_answers);
  explicit Assessment(std::shared_ptr<const KnowledgeBase> kb);
  // Re-triages the case and chooses the next question and its screen.
  void Refresh();
  // Applies `reply` to question `index` (checked first; nothing changes on
  // an error) and records the step, without Refresh().
  Status ApplyStep(int index, const Reply& reply, bool screen_start);

  std::shared_ptr<const KnowledgeBase> kb_;
  Case case_;
  TriageResult result_;
  std::vector<Step> steps_;
  // Per finding, the values unticked checklist items have ruled out.
  std::vector<std::pair<FindingId, uint32_t>> ruled_out_;
  int next_ = -1;            // the next question's index, -1 when finished
  std::vector<int> screen_;  // NextScreen()'s indices
};

// Builds a case from answers given as a JSON object: question id -> option
// id, list of option ids (checklists), or a number ("unsure" for a number
// not known). Questions are applied in questionnaire order; questions left
// out stay unknown (those no answer could matter for are marked
// Case::not_needed, so they are not listed as not assessed). Unknown question
// or option ids, numbers out of range, answers to questions that the other
// answers skip, and malformed JSON are kInvalidArgument errors that name the
// problem. Answers after an emergency are still applied (they add information).
struct AnsweredCase {
  Case c;
  std::vector<std::pair<std::string, Reply>> answers;
};
Result<AnsweredCase> CaseFromAnswers(const KnowledgeBase& kb,
                                     std::string_view json_answers);

// Resumes a session from the answers given so far (the same JSON object as
// CaseFromAnswers; its order does not matter), replayed in the order the
// session asks them, so that NextQuestion(),
// progress(), result() and answers() say where the person is. This is how a
// stateless front (the HTTP API, the web page) asks one question at a time.
// Errors (kInvalidArgument, naming the problem): everything CaseFromAnswers
// rejects (unknown question or option, a skipped question answered, ...)
// and a gap: a question that is asked but not answered while another that
// could still matter is (answer it, or "unsure"). Answers to questions the
// session did not ask because they could no longer matter are applied
// after the others (they add information). Answers after the session finished
// at emergency are still applied, as CaseFromAnswers does (they add
// information; a finished session asks nothing more but must not drop what
// the person already said); they count as answered and can be undone with
// Back(). kFailedPrecondition if the knowledge base has no questionnaire.
Result<Assessment> ResumeAssessment(std::shared_ptr<const KnowledgeBase> kb,
                                    std::string_view json_answers);

// What a result could not rule out, as questions a person can answer: one
// entry for each unanswered finding that some rule above the result's level
// needs (CouldNotRuleOut), most urgent rule first, without repeats. `text`
// is the questionnaire's wording (a checklist option's label, or the
// question), or the finding's meaning if no question asks it; `question`
// is the question id ("" if none).
// The views point into the knowledge base.
struct OpenQuestion {
  FindingId finding = 0;
  TriageLevel level = TriageLevel::kSelfCare;  // the most urgent it decides
  std::string_view question;
  std::string_view text;
};
std::vector<OpenQuestion> OpenQuestions(const KnowledgeBase& kb, const Case& c,
                                        const TriageResult& r);
// The same from CouldNotRuleOut's answer, when it is already at hand.
std::vector<OpenQuestion> OpenQuestions(const KnowledgeBase& kb,
                                        const std::vector<Undetermined>& u);

// The vignette-study protocol (Semigran 2015, Hill 2020): a simulated
// person answers the questionnaire, in the assessment's own order, from a
// case's stated findings (`truth`, a case as `backaid triage` reads it).
// - number: the stated value; "not sure" when the case does not state it
//   (a number is never guessed);
// - single: the option that agrees with the most stated findings and
//   contradicts none (ties: the one that claims fewer abnormal findings the
//   case does not state); if the case says nothing any option sets, the
//   option whose every finding is normal (the normal answer); otherwise
//   (no option fits what the case states) "not sure";
// - checklist: every option the case states, the rest unticked (their
//   normal answer); "none of these" when it states none of them;
// - either: the "not sure" option when the case states what that option
//   records (said_not_sure findings: the person said "not sure").
// Findings the questionnaire does not ask (an examiner's signs) are lost,
// as they would be for a person at home.
Reply InterviewReply(const KnowledgeBase& kb, const Question& q,
                     const Case& truth);

struct InterviewOutcome {
  Case c;  // the case the answers built (id: the truth's id)
  TriageResult result;
  std::vector<std::pair<std::string, Reply>> answers;
  int questions = 0;  // questions asked (answered) before the session ended
  int screens = 0;    // the screens they were asked on (NextScreen)
};
// Runs a whole assessment, a screen at a time (AnswerScreen), with
// InterviewReply until it is finished.
Result<InterviewOutcome> InterviewCase(std::shared_ptr<const KnowledgeBase> kb,
                                       const Case& truth);

// Appends a question as JSON (no newline): {"id","section","section_title",
// "text","help","kind","options":[{"id","label","role"}],"min","max",
// "unit","screen"}. role is "answer", "none" or "unsure"; options is empty for
// a number question; min, max and unit are null except for one. No ask_when:
// the server decides what is asked next.
void AppendQuestionJson(const Question& q, std::string* out);

// Appends the whole questionnaire as JSON (no newline): {"kb_version":..,
// "sections":[{"id","title"}],"questions":[question, ...]} in asking order;
// sections in the order their first question appears. Appends
// {"kb_version":..,"sections":[],"questions":[]} if the knowledge base has
// no questionnaire. The texts are in the words of `region` (RegionText,
// backaid/report.h; "" = the default region).
void AppendQuestionnaireJson(const KnowledgeBase& kb, std::string* out,
                             std::string_view region = {});

// Appends {"question id": answer, ...} (option id, list, or number).
void AppendAnswersJson(const std::vector<std::pair<std::string, Reply>>& a,
                       std::string* out);

// Appends {"key": value, ...} for every known finding of `c`.
void AppendFindingsJson(const KnowledgeBase& kb, const Case& c,
                        std::string* out);

}  // namespace backaid

#endif  // BACKAID_ASSESS_H_
