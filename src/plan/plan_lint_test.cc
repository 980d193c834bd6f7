// Care plan: the plan.yaml lint, each problem with its file and line.

#include "src/plan/plan_test_util.h"

namespace backaid {
namespace {

using namespace plan_test;  // NOLINT: the shared fixture

// ---- plan.yaml lint ------------------------------------------------------

constexpr const char* kRule = kb::testing::kGoodRules;

constexpr char kGoodPlan[] = R"(items:
  - id: net
    section: safety_net
    levels: [self_care, routine, urgent, emergency]
    title: Get help
    text: call
    sources: [s1]
  - id: med
    section: medicines
    levels: [self_care]
    when: score <= 4
    title: Med
    text: take it
    contraindications: [c]
    not_for_you: not you
    check_first: check
    cautions: ["age >= 65"]
    caution_text: careful
    conflict: k
    sources: [s1]
activities:
  - id: ice
    levels: [self_care]
    anchor: start
    title: Ice
    description: ice
    from_minute: 0
    until_minute: 600
    every_minutes: 120
    duration_minutes: 15
    sources: [s1]
sections:
  - {id: now, title: Now, rest_title: More now}
  - {id: ice_heat, title: Ice and heat, timetable: true}
  - {id: activity, title: Activity}
  - {id: medicines, title: Medicines}
  - {id: exercises, title: Exercises}
  - {id: prevention, title: Prevention}
  - {id: avoid, title: Avoid}
  - {id: safety_net, title: Get help, open: true}
  - {id: follow_up, title: Check again}
)";

// The emergency level's call item, appended to the items of kGoodPlan.
constexpr char kCallItem[] = R"(  - id: call
    section: now
    role: emergency_call
    levels: [emergency]
    title: Call
    text: call now
    sources: [s1]
)";

// kGoodPlan (edited) with the call item among its items.
std::string WithCall(std::string plan) {
  const size_t at = plan.find("activities:");
  if (plan.find("items:") == std::string::npos || at == std::string::npos)
    return plan;
  plan.insert(at, kCallItem);
  return plan;
}

std::vector<LintIssue> LintPlan(const std::string& plan_yaml) {
  auto files = kb::testing::TestKbFiles(kRule, /*with_base_rule=*/true);
  files.push_back({"plan.yaml", WithCall(plan_yaml)});
  return kb::Build(files).issues;
}

std::string Issues(const std::vector<LintIssue>& issues) {
  std::string all;
  for (const auto& i : issues) {
    // Only this module's file: other modules' own checks are theirs.
    if (i.where.file == "plan.yaml") all += i.ToString() + "\n";
  }
  return all;
}

TEST(PlanLint, GoodPlanIsClean) { EXPECT_EQ(Issues(LintPlan(kGoodPlan)), ""); }

struct LintCase {
  const char* from;
  const char* to;
  const char* expect;  // substring of the issue, with file:line
};

// Each case: kGoodPlan with `from` replaced by `to` reports `expect`.
template <size_t N>
void ExpectEachIssue(const LintCase (&cases)[N]) {
  for (const LintCase& c : cases) {
    std::string plan = kGoodPlan;
    const size_t at = plan.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    plan.replace(at, std::string(c.from).size(), c.to);
    const std::string issues = Issues(LintPlan(plan));
    EXPECT_NE(issues.find(c.expect), std::string::npos)
        << "expected '" << c.expect << "' in:\n"
        << issues;
  }
}

TEST(PlanLint, ReportsProblemsWithFileAndLine) {
  const LintCase cases[] = {
      {"    text: take it\n", "    text: take it\n    txet: x\n",
       "plan.yaml:14:5: unknown key 'txet'"},
      {"    conflict: k\n", "    conflict: nope\n",
       "plan.yaml:19:15: unknown conflict 'nope'"},
      {"    conflict: k\n",
       "    conflict: k\n    screens:\n      - unless: score <= 2\n",
       "a screen is missing 'why'"},
      {"    conflict: k\n", "    conflict: k\n    schedule: [nope]\n",
       "'schedule' names 'nope', which is not an activity"},
      {"    when: score <= 4", "    when: score <= high", "plan.yaml:11:"},
      {"    when: score <= 4", "    when: nosuch",
       "plan.yaml:11:11: 'when' in item 'med'"},
      {"  - id: med", "  - id: net", "plan.yaml:8:9: duplicate id 'net'"},
      {"    section: medicines", "    section: pills",
       "plan.yaml:9:14: unknown section 'pills'"},
      {"    levels: [self_care]\n    when",
       "    levels: [self_care, urgent]\n    when",
       "applies at urgent or emergency level"},
      {"    levels: [self_care, routine, urgent, emergency]",
       "    levels: [self_care, routine, urgent, sometimes]",
       "unknown level 'sometimes'"},
      {"    sources: [s1]\n  - id: med", "    sources: [s9]\n  - id: med",
       "plan.yaml:7:15: unknown source 's9'"},
      {"    sources: [s1]\n  - id: med", "  - id: med",
       "item 'net' has no sources"},
      {"    contraindications: [c]", "    contraindications: [score]",
       "must be a yes/no finding"},
      {"    not_for_you: not you\n", "", "is missing 'not_for_you'"},
      {"    levels: [self_care, routine, urgent, emergency]",
       "    levels: [self_care, routine, urgent]",
       "level 'emergency' has no unconditional safety_net item"},
      {"    every_minutes: 120", "    every_minutes: 10",
       "lasts as long as its interval"},
      {"    anchor: start", "    anchor: lunch",
       "'anchor' must be 'start' or 'onset'"},
      {"    levels: [self_care]\n    anchor",
       "    levels: [emergency]\n    anchor", "where a plan has no schedule"},
  };
  ExpectEachIssue(cases);
}

// The emergency call item's role is data (plan.yaml `role`), read by
// WhatToDoNow: a plan that loses it, or gives it to another item, fails.
TEST(PlanLint, TheEmergencyCallItemKeepsItsRole) {
  auto files = kb::testing::TestKbFiles(kRule, /*with_base_rule=*/true);
  files.push_back({"plan.yaml", kGoodPlan});  // no call item at all
  EXPECT_NE(Issues(kb::Build(files).issues)
                .find("level 'emergency' has no unconditional 'now' item "
                      "with 'role: emergency_call'"),
            std::string::npos);
  const LintCase cases[] = {
      {"    role: emergency_call\n", "",
       "has no unconditional 'now' item with 'role: emergency_call'"},
      {"    role: emergency_call\n", "    role: call_someone\n",
       "unknown role 'call_someone'"},
      {"    levels: [emergency]\n    title: Call",
       "    levels: [urgent, emergency]\n    title: Call",
       "is not a 'now' item of the emergency level only"},
      {"    levels: [emergency]\n    title: Call",
       "    levels: [emergency]\n    when: score <= 4\n    title: Call",
       "has no unconditional 'now' item"},
  };
  for (const LintCase& c : cases) {
    std::string plan = WithCall(kGoodPlan);
    const size_t at = plan.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    plan.replace(at, std::string(c.from).size(), c.to);
    auto with = kb::testing::TestKbFiles(kRule, /*with_base_rule=*/true);
    with.push_back({"plan.yaml", plan});
    const std::string issues = Issues(kb::Build(with).issues);
    EXPECT_NE(issues.find(c.expect), std::string::npos)
        << "expected '" << c.expect << "' in:\n"
        << issues;
  }
  // The built-in plan.yaml marks its call item so.
  bool found = false;
  for (const kb::KbFile& f : kb::EmbeddedFiles()) {
    if (f.path != "plan.yaml") continue;
    found = true;
    EXPECT_NE(f.content.find("role: emergency_call"), std::string::npos);
  }
  EXPECT_TRUE(found);
}

// Every section's heading is data: each section once, in reading order.
TEST(PlanLint, SectionsHeadEverySectionInOrder) {
  const LintCase cases[] = {
      {"  - {id: exercises, title: Exercises}\n", "",
       "section 'prevention' is out of place"},
      {"  - {id: follow_up, title: Check again}\n", "",
       "'sections' does not head section 'follow_up'"},
      {"{id: avoid, title: Avoid}", "{id: avoid}",
       "section 'avoid' is "
       "missing 'title'"},
      {"{id: avoid, title: Avoid}",
       "{id: avoid, title: Avoid, timetable: true}",
       "only one section is followed by the timetable"},
      {"{id: avoid, title: Avoid}", "{id: avoid, title: Avoid, open: yes}",
       "'open' in section 'avoid' must be true or false"},
      {"{id: avoid, title: Avoid}", "{id: avoids, title: Avoid}",
       "unknown section 'avoids'"},
      {"sections:\n", "sektions:\n", "needs a 'sections' list"},
  };
  ExpectEachIssue(cases);
}

TEST(PlanLint, SyntaxErrorAndMissingItems) {
  const auto syntax = LintPlan("items: [\n");
  ASSERT_EQ(syntax.size(), 1u) << Issues(syntax) << "reported once";
  EXPECT_EQ(syntax[0].where.file, "plan.yaml");
  EXPECT_NE(syntax[0].message.find("YAML syntax error"), std::string::npos);
  const std::string issues = Issues(LintPlan("activities: []\n"));
  EXPECT_NE(issues.find("needs an 'items' list"), std::string::npos) << issues;
}

}  // namespace
}  // namespace backaid
