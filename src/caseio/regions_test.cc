// The regional wording of the knowledge base (knowledge/regions.yaml):
// what the fronts read, and what its lint refuses.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "backaid/report.h"
#include "src/bundle/knowledge_bundle.h"
#include "src/knowledge/loader.h"

namespace backaid {
namespace {

std::shared_ptr<const KnowledgeBase> Embedded() {
  auto kb = LoadEmbeddedKnowledgeBase();
  EXPECT_TRUE(kb.ok()) << kb.status().message();
  return *kb;
}

TEST(Regions, TheBuiltInKnowledgeBaseNamesEachRegionAndItsNumber) {
  const auto kb = Embedded();
  const std::vector<Region> all = Regions(*kb);
  ASSERT_EQ(all.size(), 3u);
  int defaults = 0;
  for (const Region& r : all) {
    defaults += r.is_default;
    EXPECT_FALSE(r.name.empty()) << r.id;
    EXPECT_EQ(EmergencyNumber(*kb, r.id), r.emergency_number);
  }
  EXPECT_EQ(defaults, 1);
  EXPECT_EQ(EmergencyNumber(*kb, "uk"), "999");
  EXPECT_EQ(EmergencyNumber(*kb, "us"), "911");
  EXPECT_EQ(EmergencyNumber(*kb, "eu"), "112");
}

TEST(Regions, AnUnlistedRegionMeansTheDefaultOne) {
  const auto kb = Embedded();
  std::string fallback;
  for (const Region& r : Regions(*kb))
    if (r.is_default) fallback = r.emergency_number;
  EXPECT_EQ(EmergencyNumber(*kb, "mars"), fallback);
  EXPECT_EQ(EmergencyNumber(*kb, ""), fallback);
}

TEST(Regions, TextsCarryTheRegionsNumber) {
  const auto kb = Embedded();
  EXPECT_NE(LevelHeadline(*kb, TriageLevel::kEmergency, "us").find("911"),
            std::string::npos);
  EXPECT_EQ(LevelHeadline(*kb, TriageLevel::kUrgent, "us").find('{'),
            std::string::npos);
  EXPECT_NE(EmergencyAdvice(*kb, "uk").find("999"), std::string::npos);
  EXPECT_NE(BeforeYouStart(*kb, "eu").find("112"), std::string::npos);
}

// Lint issues of the built-in files with regions.yaml replaced.
std::vector<LintIssue> IssuesWith(const std::string& yaml) {
  std::vector<kb::KbFile> files = kb::EmbeddedFiles();
  files.push_back(kb::KbFile{"regions.yaml", yaml});  // the last one wins
  return kb::Build(files).issues;
}

bool HasIssue(const std::vector<LintIssue>& issues, std::string_view text) {
  for (const LintIssue& i : issues) {
    if (i.where.file == "regions.yaml" &&
        i.message.find(text) != std::string::npos)
      return true;
  }
  return false;
}

constexpr const char* kTail = R"(default: eu
headlines:
  emergency: "Emergency: call {number} now"
  urgent: u
  routine: r
  self_care: s
emergency_advice: {id: a, text: "Call {number}", sources: [nhs_back_pain]}
before_you_start: {id: b, text: "Call {number}", sources: [nhs_back_pain]}
)";

TEST(RegionsLint, TheBuiltInFileIsClean) {
  for (const kb::KbFile& f : kb::EmbeddedFiles()) {
    if (f.path != "regions.yaml") continue;
    EXPECT_TRUE(IssuesWith(f.content).empty());
    return;
  }
  FAIL() << "regions.yaml is not built in";
}

TEST(RegionsLint, RefusesWhatCouldMisleadACaller) {
  EXPECT_TRUE(HasIssue(IssuesWith(std::string(R"(regions:
  - {id: eu, name: Europe, emergency_number: "11two", sources: [eu_112]}
)") + kTail),
                       "must be digits"));
  EXPECT_TRUE(HasIssue(IssuesWith(std::string(R"(regions:
  - {id: eu, name: Europe, emergency_number: "112"}
)") + kTail),
                       "has no sources"));
  EXPECT_TRUE(HasIssue(IssuesWith(std::string(R"(regions:
  - {id: eu, name: Europe, emergency_number: "112", sources: [eu_112]}
  - {id: eu, name: Again, emergency_number: "112", sources: [eu_112]}
)") + kTail),
                       "listed twice"));
  std::string no_number = std::string(R"(regions:
  - {id: eu, name: Europe, emergency_number: "112", sources: [eu_112]}
)") + kTail;
  no_number.replace(no_number.find("text: \"Call {number}\""), 21,
                    "text: \"Call for help\"");
  EXPECT_TRUE(HasIssue(IssuesWith(no_number), "'{number}'"));
  std::string bad_default = std::string(R"(regions:
  - {id: eu, name: Europe, emergency_number: "112", sources: [eu_112]}
)") + kTail;
  bad_default.replace(bad_default.find("default: eu"), 11, "default: uk");
  EXPECT_TRUE(HasIssue(IssuesWith(bad_default), "default"));
}

TEST(RegionsLint, TheCallHandlerScriptIsCheckedLikeTheOtherTexts) {
  const std::string base = std::string(R"(regions:
  - {id: eu, name: Europe, emergency_number: "112", sources: [eu_112]}
)") + kTail;
  EXPECT_TRUE(IssuesWith(base + R"(emergency_call_script:
  id: s
  title: Tell them
  lines: [{text: "Back pain with {signs}."}]
  sources: [nhs_back_pain]
)")
                  .empty());
  EXPECT_TRUE(HasIssue(IssuesWith(base + R"(emergency_call_script:
  id: s
  title: Tell them
  lines: [{text: "Back pain with {signs}."}]
)"),
                       "has no sources"));
  EXPECT_TRUE(HasIssue(IssuesWith(base + R"(emergency_call_script:
  id: s
  title: Tell them
  lines: [{text: "Pregnant.", when: pregnancy_weeks}]
  sources: [nhs_back_pain]
)"),
                       "not a yes/no finding"));
  EXPECT_TRUE(HasIssue(IssuesWith(base + R"(emergency_call_script:
  id: s
  title: Tell them
  lines: []
  sources: [nhs_back_pain]
)"),
                       "'lines'"));
}

}  // namespace
}  // namespace backaid
