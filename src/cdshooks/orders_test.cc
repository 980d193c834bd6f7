#include "src/cdshooks/orders.h"

#include <gtest/gtest.h>

#include <string>

#include "backaid/engine.h"
#include "src/knowledge/test_kb.h"

namespace backaid::cdshooks {
namespace {

constexpr char kGood[] = R"(systems: {cpt: http://www.ama-assn.org/go/cpt}
advice:
  - id: img
    sources: [s1]
    orders: [{system: cpt, code: "72148", display: MRI}]
    advise_against_at: [self_care, routine]
    unless_conditions: [y]
    advise_against: {summary: no, detail: d, suggestion: remove}
    warning_signs: {summary: signs, detail: d}
    incomplete: {summary: open, detail: d}
    unassessed: {summary: none, detail: d}
)";

std::vector<LintIssue> Lint(const std::string& yaml) {
  auto files = kb::testing::TestKbFiles(kb::testing::kGoodRules);
  files.push_back({"orders.yaml", yaml});
  return kb::Build(files).issues;
}

std::string Replace(std::string s, const std::string& from,
                    const std::string& to) {
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? s : s.replace(at, from.size(), to);
}

TEST(OrdersLintTest, CleanFileLintsClean) {
  const auto issues = Lint(kGood);
  EXPECT_TRUE(issues.empty()) << issues.front().ToString();
}

// Each mistake a clinician editing the file could make is named, with its
// line, never silently accepted.
TEST(OrdersLintTest, EveryMistakeIsAnIssue) {
  const std::pair<std::string, std::string> mistakes[] = {
      {"code: \"72148\"", "code: \"7214\""},         // not a CPT code
      {"code: \"72148\"", "code: \"7214x\""},        // not a CPT code
      {"system: cpt, code", "system: loinc, code"},  // system not listed
      {"sources: [s1]", "sources: [nope]"},          // unknown source
      {"sources: [s1]", "sources: []"},              // no source
      {"unless_conditions: [y]", "unless_conditions: [zz]"},
      {"[self_care, routine]", "[self_care, sometimes]"},
      {"[self_care, routine]", "[emergency]"},  // never advise against
      {"summary: no,", "summary: " + std::string(141, 'x') + ","},
      {"suggestion: remove", "suggest: remove"},             // typo in a key
      {"    incomplete: {summary: open, detail: d}\n", ""},  // missing
      {"orders: [{system: cpt, code: \"72148\", display: MRI}]",
       "orders: [{system: cpt, code: \"72148\", display: MRI}, "
       "{system: cpt, code: \"72148\", display: MRI again}]"},  // twice
      {"advice:", "advise:"},
  };
  for (const auto& [from, to] : mistakes) {
    const std::string yaml = Replace(kGood, from, to);
    const auto issues = Lint(yaml);
    ASSERT_FALSE(issues.empty()) << "accepted: " << to;
    EXPECT_EQ(issues.front().where.file, "orders.yaml") << to;
    EXPECT_GT(issues.front().where.line, 0) << to;
  }
  // The wrong YAML shape anywhere: an issue, never an exception.
  for (const char* shape :
       {"[1, 2]", "systems: 5\nadvice: []", "systems: {cpt: x}\nadvice: 7",
        "systems: {cpt: x}\nadvice: [5]",
        "systems: {cpt: x}\nadvice: [{id: [1], orders: {a: 1}}]"}) {
    EXPECT_FALSE(Lint(shape).empty()) << shape;
  }
}

class OrdersKbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kb_ = kb::testing::EmbeddedKb();
    ASSERT_NE(kb_, nullptr);
    model_ = OrderAdviceOf(*kb_);
    ASSERT_NE(model_, nullptr);
    auto found =
        AdviceForOrder(*model_, {{"http://www.ama-assn.org/go/cpt", "72148"}});
    ASSERT_EQ(found.size(), 1u);
    advice_ = found.front();
  }
  int Condition(const std::string& id) const {
    for (size_t i = 0; i < kb_->conditions().size(); ++i)
      if (kb_->conditions()[i].id == id) return static_cast<int>(i);
    ADD_FAILURE() << id;
    return 0;
  }
  int RuleAt(TriageLevel level) const {
    for (size_t i = 0; i < kb_->rules().size(); ++i)
      if (kb_->rules()[i].level == level) return static_cast<int>(i);
    ADD_FAILURE() << "no rule at that level";
    return 0;
  }

  std::shared_ptr<const KnowledgeBase> kb_;
  const OrderAdviceModel* model_ = nullptr;
  const OrderAdvice* advice_ = nullptr;
};

TEST_F(OrdersKbTest, OnlyListedCodesMatch) {
  EXPECT_TRUE(
      AdviceForOrder(*model_, {{"http://www.ama-assn.org/go/cpt", "99213"}})
          .empty());
  EXPECT_TRUE(AdviceForOrder(*model_, {{"http://loinc.org", "72148"}}).empty());
  EXPECT_TRUE(AdviceForOrder(*model_, {}).empty());
}

// The safety property: the card advises against imaging only for a low
// level, no serious condition named and no more urgent rule left open.
TEST_F(OrdersKbTest, AdvisesAgainstOnlyWhenTheScreenIsCompleteAndClear) {
  TriageResult r;
  r.level = TriageLevel::kSelfCare;
  EXPECT_EQ(ChooseAnswer(*kb_, *advice_, r, {}), OrderAnswer::kAdviseAgainst);
  r.level = TriageLevel::kRoutine;
  EXPECT_EQ(ChooseAnswer(*kb_, *advice_, r, {}), OrderAnswer::kAdviseAgainst);

  // A serious condition named, even at routine: the advice does not apply.
  r.conditions = 1u << Condition("spinal_malignancy");
  EXPECT_EQ(ChooseAnswer(*kb_, *advice_, r, {}), OrderAnswer::kWarningSigns);
  r.conditions = 0;
  for (TriageLevel l : {TriageLevel::kUrgent, TriageLevel::kEmergency}) {
    r.level = l;
    EXPECT_EQ(ChooseAnswer(*kb_, *advice_, r, {}), OrderAnswer::kWarningSigns);
  }

  // A rule above the advice's levels left open by an unanswered question.
  r.level = TriageLevel::kSelfCare;
  Undetermined open;
  open.rule = static_cast<uint16_t>(RuleAt(TriageLevel::kEmergency));
  EXPECT_EQ(ChooseAnswer(*kb_, *advice_, r, {open}), OrderAnswer::kIncomplete);
  open.rule = static_cast<uint16_t>(RuleAt(TriageLevel::kUrgent));
  EXPECT_EQ(ChooseAnswer(*kb_, *advice_, r, {open}), OrderAnswer::kIncomplete);
}

TEST_F(OrdersKbTest, TheBuiltInAdviceCitesNiceNg59) {
  bool ng59 = false;
  for (uint16_t s : advice_->sources)
    ng59 |= kb_->sources()[s].id == "nice_ng59";
  EXPECT_TRUE(ng59);
  EXPECT_FALSE(advice_->advise_against.suggestion.empty());
}

}  // namespace
}  // namespace backaid::cdshooks
