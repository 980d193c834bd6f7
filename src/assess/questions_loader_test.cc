// Lint of questions.yaml: each problem is reported with its line.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "backaid/knowledge_base.h"
#include "src/assess/questionnaire_model.h"
#include "src/knowledge/loader.h"
#include "src/knowledge/program.h"
#include "src/knowledge/test_kb.h"

namespace backaid::kb {
namespace {

constexpr const char* kRules = testing::kGoodRules;

// Line 1 = "sections:". Line numbers below refer to this text.
constexpr char kGood[] = R"(sections:
  - {id: s, title: Section}
questions:
  - id: age
    section: s
    kind: number
    finding: age
    range: [1, 120]
    text: How old?
  - id: flags
    section: s
    kind: checklist
    text: Any of these?
    options:
      - {id: a, label: A, sets: {a: true}}
      - {id: b, label: B, sets: {b: true, side: both}}
      - {id: none, label: None, role: none}
      - {id: unsure, label: Not sure, role: unsure}
  - id: walk
    section: s
    kind: single
    ask_when: not a and age >= 18
    text: Walk?
    options:
      - {id: ok, label: OK, sets: {walk: normal}}
      - {id: weak, label: Weak, sets: {walk: weak}}
      - {id: unsure, label: Not sure, role: unsure}
)";

std::vector<LintIssue> Lint(const std::string& questions) {
  auto files = testing::TestKbFiles(kRules, /*with_base_rule=*/true);
  files.push_back({"questions.yaml", questions});
  return Build(files).issues;
}

std::string All(const std::vector<LintIssue>& issues) {
  std::string all = std::to_string(issues.size()) + " issues:";
  for (const auto& i : issues) all += "\n" + i.ToString();
  return all;
}

// Replaces the first `from` in kGood by `to`.
std::string With(const std::string& from, const std::string& to) {
  std::string s = kGood;
  const size_t p = s.find(from);
  EXPECT_NE(p, std::string::npos) << from;
  if (p != std::string::npos) s.replace(p, from.size(), to);
  return s;
}

// Expects exactly one issue, at `line`, whose message contains `text`.
void ExpectIssue(const std::string& yaml, int line, const std::string& text) {
  const auto issues = Lint(yaml);
  ASSERT_EQ(issues.size(), 1u) << All(issues);
  EXPECT_EQ(issues[0].where.file, "questions.yaml");
  EXPECT_EQ(issues[0].where.line, line) << issues[0].ToString();
  EXPECT_NE(issues[0].message.find(text), std::string::npos)
      << issues[0].ToString();
}

TEST(QuestionsLint, GoodQuestionnaireLoads) {
  auto files = testing::TestKbFiles(kRules, true);
  files.push_back({"questions.yaml", kGood});
  auto out = Build(files);
  ASSERT_TRUE(out.issues.empty()) << All(out.issues);
  const auto kb = KnowledgeBaseBuilder::Wrap(std::move(out.impl));
  ASSERT_TRUE(assess::QuestionnaireOf(*kb));
  const auto& q = *assess::QuestionnaireOf(*kb);
  ASSERT_EQ(q.questions.size(), 3u);
  EXPECT_EQ(q.questions[1].view.kind, QuestionKind::kChecklist);
  // Unticked items mean the normal answer of the findings whose every
  // abnormal value an item names (a, b); "side: both" only rules out both.
  EXPECT_EQ(q.questions[1].normals.size(), 2u);
  ASSERT_EQ(q.questions[1].excludes.size(), 1u);
  EXPECT_EQ(q.questions[1].excludes[0].second, 1u << 2);
  EXPECT_TRUE(q.questions[2].has_ask_when);
  EXPECT_EQ(q.questions[0].view.max, 120);
}

TEST(QuestionsLint, UnknownKey) {
  ExpectIssue(With("    text: Walk?", "    text: Walk?\n    txet: Walk?"), 24,
              "unknown key 'txet'");
}

TEST(QuestionsLint, UnknownFinding) {
  ExpectIssue(With("sets: {walk: normal}", "sets: {zz: normal}"), 25,
              "unknown finding 'zz'");
}

TEST(QuestionsLint, WrongValueType) {
  ExpectIssue(With("sets: {walk: weak}", "sets: {walk: wobbly}"), 26,
              "'wobbly' is not a valid value for finding 'walk'");
  ExpectIssue(With("side: both}", "side: three}"), 16,
              "'three' is not a valid value for finding 'side'");
}

TEST(QuestionsLint, NumberRangeOutsideTheFinding) {
  ExpectIssue(With("range: [1, 120]", "range: [1, 200]"), 8,
              "'200' is not a valid value for finding 'age'");
}

TEST(QuestionsLint, NumberQuestionNeedsANumberFinding) {
  // The question is dropped, so the later ask_when that uses age is
  // reported too.
  const auto issues = Lint(With("finding: age", "finding: a"));
  ASSERT_EQ(issues.size(), 2u) << All(issues);
  EXPECT_EQ(issues[0].where.line, 7);
  EXPECT_NE(issues[0].message.find("finding 'a' is not a number"),
            std::string::npos);
}

TEST(QuestionsLint, DuplicateQuestionId) {
  ExpectIssue(With("  - id: walk", "  - id: flags"), 19,
              "duplicate question id 'flags'");
}

// `retired`: a merged question keeps its id, what asks it now and what it
// asked; each part is checked.
TEST(QuestionsLint, RetiredQuestions) {
  const std::string good =
      std::string(kGood) +
      "retired:\n"
      "  - {id: old_walk, now: [walk], findings: [walk]}\n";
  auto files = testing::TestKbFiles(kRules, true);
  files.push_back({"questions.yaml", good});
  auto out = Build(files);
  ASSERT_TRUE(out.issues.empty()) << All(out.issues);
  const auto kb = KnowledgeBaseBuilder::Wrap(std::move(out.impl));
  const auto& q = *assess::QuestionnaireOf(*kb);
  ASSERT_EQ(q.retired.count("old_walk"), 1u);
  EXPECT_EQ(q.retired.at("old_walk").now, std::vector<std::string>{"walk"});
  ASSERT_EQ(q.retired.at("old_walk").findings.size(), 1u);

  const std::string in_use = std::string(kGood) +
                             "retired:\n"
                             "  - {id: walk, now: [walk], findings: [walk]}\n";
  ExpectIssue(in_use, 29, "retired question walk: the id is in use");
  const std::string gone = std::string(kGood) +
                           "retired:\n"
                           "  - {id: x, now: [nowhere], findings: [walk]}\n";
  ExpectIssue(gone, 29, "'now' names no current question");
  const std::string unknown = std::string(kGood) +
                              "retired:\n"
                              "  - {id: x, now: [walk], findings: [zz]}\n";
  ExpectIssue(unknown, 29, "unknown finding");
}

TEST(QuestionsLint, DuplicateOptionId) {
  ExpectIssue(With("{id: b, label: B", "{id: a, label: B"), 16,
              "duplicate option id 'a'");
}

TEST(QuestionsLint, BadExpression) {
  ExpectIssue(
      With("ask_when: not a and age >= 18", "ask_when: not a and agee >= 18"),
      22, "ask_when");
}

TEST(QuestionsLint, AskWhenUsesALaterFinding) {
  ExpectIssue(With("ask_when: not a and age >= 18", "ask_when: walk == weak"),
              22, "finding 'walk' is not set by any earlier question");
}

TEST(QuestionsLint, AScreenCannotDependOnItsOwnAnswers) {
  // walk (line 20) is asked only when `a` is false, which flags sets: on
  // one screen they would change while the person answers.
  std::string yaml =
      With("    text: Any of these?", "    text: Any of these?\n    screen: x");
  yaml.replace(yaml.find("    text: Walk?"), 15,
               "    text: Walk?\n    screen: x");
  ExpectIssue(yaml, 20, "reads 'a', which question flags on the same screen");
  // Without the dependency the same screen is fine.
  std::string fine =
      With("    text: How old?", "    text: How old?\n    screen: x");
  fine.replace(fine.find("    text: Any of these?"), 23,
               "    text: Any of these?\n    screen: x");
  EXPECT_TRUE(Lint(fine).empty()) << All(Lint(fine));
}

TEST(QuestionsLint, AScreenNeedsTwoQuestions) {
  ExpectIssue(
      With("    text: Any of these?", "    text: Any of these?\n    screen: x"),
      10, "screen 'x' has no other question");
}

TEST(QuestionsLint, EveryRedFlagMustBeAsked) {
  const auto issues =
      Lint(With("sets: {b: true, side: both}", "sets: {side: both}"));
  ASSERT_EQ(issues.size(), 1u) << All(issues);
  EXPECT_NE(issues[0].message.find("red-flag finding 'b' is not set"),
            std::string::npos)
      << issues[0].ToString();
}

// An answer records only what it states: "none of these" to a checklist
// that names only "both sides" cannot record "no side at all".
TEST(QuestionsLint, NoneOfTheseCannotStateMoreThanItsItems) {
  ExpectIssue(With("{id: none, label: None, role: none}",
                   "{id: none, label: None, role: none, sets: {side: none}}"),
              15, "an answer records only what it states");
}

TEST(QuestionsLint, ChecklistNeedsNoneAndUnsure) {
  ExpectIssue(With("      - {id: none, label: None, role: none}\n", ""), 15,
              "exactly one 'none' option and one 'unsure'");
}

// "Not sure" never answers a finding; it may only record that the person
// said so (group said_not_sure).
TEST(QuestionsLint, UnsureOptionSetsOnlySaidNotSureFindings) {
  ExpectIssue(With("{id: unsure, label: Not sure, role: unsure}\n  - id: walk",
                   "{id: unsure, label: Not sure, role: unsure, sets: {c: "
                   "true}}\n  - id: walk"),
              18,
              "a \"not sure\" option may only set findings of group "
              "said_not_sure to true, not 'c'");
}

TEST(QuestionsLint, UnknownSection) {
  ExpectIssue(With("    section: s\n    kind: single",
                   "    section: t\n    kind: single"),
              20, "unknown section 't'");
}

TEST(QuestionsLint, SectionDiaryFlagMustBeABoolean) {
  ExpectIssue(With("  - {id: s, title: Section}",
                   "  - {id: s, title: Section, diary: sometimes}"),
              2, "'diary' must be true or false");
}

TEST(QuestionsLint, YamlSyntaxError) {
  const auto issues = Lint("sections: [\nquestions: {");
  ASSERT_EQ(issues.size(), 1u) << All(issues);
  EXPECT_NE(issues[0].message.find("YAML syntax error"), std::string::npos);
  EXPECT_GT(issues[0].where.line, 0);
}

TEST(QuestionsLint, RealKnowledgeBaseHasQuestions) {
  auto dir = LoadKnowledgeBase(BACKAID_SOURCE_DIR "/knowledge");
  ASSERT_TRUE(dir.ok()) << dir.status().message();
  ASSERT_TRUE(assess::QuestionnaireOf(*(*dir)));
  EXPECT_GE(assess::QuestionnaireOf(*(*dir))->questions.size(), 20u);
}

TEST(QuestionsLint, RealQuestionnaireAsksForEveryRedFlag) {
  auto kb = LoadEmbeddedKnowledgeBase();
  ASSERT_TRUE(kb.ok()) << kb.status().message();
  ASSERT_TRUE(assess::QuestionnaireOf(*(*kb)));
  FindingSet set;
  for (const auto& q : assess::QuestionnaireOf(*(*kb))->questions) {
    if (q.view.kind == QuestionKind::kNumber) set.set(q.finding);
    for (const auto& o : q.options)
      for (const auto& s : o.sets) set.set(s.first);
  }
  for (size_t f = 0; f < (*kb)->findings().size(); ++f) {
    if ((*kb)->findings()[f].red_flag) {
      EXPECT_TRUE(set.test(f)) << (*kb)->findings()[f].key;
    }
  }
}

}  // namespace
}  // namespace backaid::kb
