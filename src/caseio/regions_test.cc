// The regional wording of the knowledge base (knowledge/regions.yaml):
// what the fronts read, and what its lint refuses.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "backaid/assess.h"
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
  // No issue in regions.yaml ({signs} is the front's to fill; the other
  // files' terms are not defined by this one-region file, and that is
  // reported against them).
  EXPECT_FALSE(HasIssue(IssuesWith(base + R"(emergency_call_script:
  id: s
  title: Tell them
  lines: [{text: "Back pain with {signs}."}]
  sources: [nhs_back_pain]
)"),
                        ""));
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

// The built-in file with `from` replaced by `to` (once; the test fails if
// `from` is not there).
std::string Edited(const std::string& path, const std::string& from,
                   const std::string& to) {
  for (const kb::KbFile& f : kb::EmbeddedFiles()) {
    if (f.path != path) continue;
    std::string content = f.content;
    const size_t at = content.find(from);
    EXPECT_NE(at, std::string::npos) << path << ": " << from;
    if (at != std::string::npos) content.replace(at, from.size(), to);
    return content;
  }
  ADD_FAILURE() << path << " is not built in";
  return "";
}

std::vector<LintIssue> IssuesWithFile(const std::string& path,
                                      const std::string& content) {
  std::vector<kb::KbFile> files = kb::EmbeddedFiles();
  files.push_back(kb::KbFile{path, content});  // the last one wins
  return kb::Build(files).issues;
}

bool HasIssueIn(const std::vector<LintIssue>& issues, std::string_view file,
                std::string_view text) {
  for (const LintIssue& i : issues)
    if (i.where.file == file && i.message.find(text) != std::string::npos)
      return true;
  return false;
}

TEST(RegionTerms, EachRegionHasItsOwnWords) {
  const auto kb = Embedded();
  const std::string text =
      "Call {advice_line} or your {doctor}; {Paracetamol} is not "
      "{paracetamol}'s brand; in danger call {number}.";
  const std::string us = RegionText(*kb, "us", text);
  EXPECT_EQ(us,
            "Call your doctor's after-hours line or a nurse advice line or "
            "your primary care doctor; Acetaminophen is not acetaminophen's "
            "brand; in danger call 911.");
  const std::string uk = RegionText(*kb, "uk", text);
  EXPECT_NE(uk.find("Call NHS 111 or your GP;"), std::string::npos) << uk;
  EXPECT_NE(uk.find("Paracetamol is not paracetamol"), std::string::npos);
  EXPECT_NE(uk.find("call 999."), std::string::npos);
  const std::string eu = RegionText(*kb, "eu", text);
  EXPECT_NE(eu.find("your family doctor"), std::string::npos) << eu;
  EXPECT_EQ(eu.find("NHS"), std::string::npos) << eu;
  EXPECT_NE(eu.find("call 112."), std::string::npos);
  // An unlisted region is the default one (eu).
  EXPECT_EQ(RegionText(*kb, "mars", text), eu);
  // The vocabulary keeps the number for the page to fill in.
  EXPECT_EQ(RegionTextKeepingNumber(*kb, "us", "{Doctor}: call {number}"),
            "Primary care doctor: call {number}");
  // Braces that name no term are left as they are.
  EXPECT_EQ(RegionText(*kb, "us", "a {b c} {1}"), "a {b c} {1}");
}

TEST(RegionTerms, QuestionsAreShownInTheRegionsWords) {
  const auto kb = Embedded();
  Question q;
  q.text = "More {paracetamol} than the packet says?";
  q.help = "Ask your {doctor}.";
  q.options.push_back(QuestionOption{"yes", "{Paracetamol}, yes"});
  const Question us = QuestionInRegion(*kb, "us", q);
  EXPECT_EQ(us.text, "More acetaminophen than the packet says?");
  EXPECT_EQ(us.help, "Ask your primary care doctor.");
  EXPECT_EQ(us.options[0].label, "Acetaminophen, yes");
  // A number question's unit is a text of questions.yaml too.
  q.unit = "{paracetamol} tablets";
  EXPECT_EQ(QuestionInRegion(*kb, "us", q).unit, "acetaminophen tablets");
}

TEST(RegionTermsLint, AnUndefinedTermIsRefused) {
  const auto issues = IssuesWithFile(
      "plan.yaml", Edited("plan.yaml", "{advice_line}", "{helpline}"));
  EXPECT_TRUE(HasIssueIn(issues, "plan.yaml",
                         "'{helpline}' is not a term of region us"));
  EXPECT_TRUE(HasIssueIn(issues, "plan.yaml",
                         "'{helpline}' is not a term of region uk"));
}

TEST(RegionTermsLint, EveryRegionMustWordEveryTerm) {
  const std::string regions =
      Edited("regions.yaml",
             "      paracetamol: {text: \"acetaminophen\", sources: "
             "[medlineplus_acetaminophen]}\n",
             "");
  const auto issues = IssuesWithFile("regions.yaml", regions);
  EXPECT_TRUE(HasIssueIn(issues, "regions.yaml",
                         "region us does not define the term 'paracetamol'"));
  // ... and every text that uses it is named too.
  EXPECT_TRUE(HasIssueIn(issues, "plan.yaml",
                         "'{paracetamol}' is not a term of region us"));
}

TEST(RegionTermsLint, ATermNeedsASourceAndPlainWords) {
  EXPECT_TRUE(HasIssueIn(
      IssuesWithFile("regions.yaml",
                     Edited("regions.yaml",
                            "doctor: {text: \"GP\", sources: [nhs_back_pain]}",
                            "doctor: {text: \"GP\"}")),
      "regions.yaml", "has no sources"));
  EXPECT_TRUE(HasIssueIn(
      IssuesWithFile("regions.yaml", Edited("regions.yaml", "text: \"GP\",",
                                            "text: \"<b>GP</b>\",")),
      "regions.yaml", "plain words"));
  // A region's name goes into index.html as it is.
  EXPECT_TRUE(HasIssueIn(
      IssuesWithFile("regions.yaml",
                     Edited("regions.yaml", "name: United States",
                            "name: United States<script>alert(1)</script>")),
      "regions.yaml", "a region's name is plain words"));
}

TEST(RegionTermsLint, NoRegionNeutralTextNamesAUkService) {
  EXPECT_TRUE(HasIssueIn(
      IssuesWithFile("plan.yaml",
                     Edited("plan.yaml", "title: Also contact a {doctor} if",
                            "title: Also contact NHS 111 if")),
      "plan.yaml", "names 'NHS' outside a term"));
  EXPECT_TRUE(HasIssueIn(
      IssuesWithFile(
          "questions.yaml",
          Edited("questions.yaml", "Tick all that apply.", "Or call 111.")),
      "questions.yaml", "names '111' outside a term"));
  // A region's number in a region-neutral text.
  EXPECT_TRUE(HasIssueIn(
      IssuesWithFile("plan.yaml",
                     Edited("plan.yaml", "title: Call {number} at once if",
                            "title: Call 999 at once if")),
      "plan.yaml", "names the emergency number 999"));
  // "NG111" and the like are not the service.
  EXPECT_FALSE(HasIssueIn(
      IssuesWithFile("plan.yaml",
                     Edited("plan.yaml", "title: Also contact a {doctor} if",
                            "title: Also contact a {doctor} (NG111) if")),
      "plan.yaml", "outside a term"));
}

// Only plan.yaml, questions.yaml, diary.yaml, regions.yaml and a conflict's
// decision are given in a region's words (RegionText); the other extension
// files (orders.yaml: the CDS Hooks cards; fhir.yaml: code displays) are
// shown as they are, so a term there would reach a clinician as "{doctor}".
TEST(RegionTermsLint, FilesNotGivenInARegionsWordsUseNoTerms) {
  const auto orders = IssuesWithFile(
      "orders.yaml",
      Edited("orders.yaml", "ask the patient to complete it",
             "ask the patient or their {doctor} to complete it"));
  EXPECT_TRUE(HasIssueIn(orders, "orders.yaml", "'{doctor}'")) << orders.size();
  // The files that are substituted still may.
  EXPECT_FALSE(HasIssueIn(
      IssuesWithFile(
          "diary.yaml",
          Edited("diary.yaml", "label: \"Saw a doctor or pharmacist\"",
                 "label: \"Saw your {doctor} or a pharmacist\"")),
      "diary.yaml", "'{doctor}'"));
}

// "{signs}" is filled only by the front that shows the call handler's
// script (the warning signs found); anywhere else RegionText leaves it, and
// the person would read "{signs}".
TEST(RegionTermsLint, SignsOnlyInTheCallScript) {
  EXPECT_TRUE(HasIssueIn(
      IssuesWithFile("plan.yaml",
                     Edited("plan.yaml", "title: Call {number} at once if",
                            "title: Call {number} at once if {signs} or")),
      "plan.yaml", "'{signs}'"));
  EXPECT_TRUE(
      HasIssueIn(IssuesWithFile("regions.yaml",
                                Edited("regions.yaml", "Do not drive yourself.",
                                       "Say: {signs}. Do not drive yourself.")),
                 "regions.yaml", "'{signs}'"));
  // The built-in call script uses it and lints clean (TheBuiltInFileIsClean).
}

// The page fills "{number}" and "{signs}" as written (the vocabulary keeps
// them); "{Number}" would reach the person as it is.
TEST(RegionTermsLint, TheFrontsPlaceholdersAreLowerCase) {
  EXPECT_TRUE(HasIssueIn(
      IssuesWithFile(
          "regions.yaml",
          Edited("regions.yaml",
                 "text: \"Call {number} now. Do not drive yourself.\"",
                 "text: \"{Number}: call it now. Do not drive "
                 "yourself.\"")),
      "regions.yaml", "'{Number}'"));
  EXPECT_TRUE(HasIssueIn(
      IssuesWithFile("regions.yaml",
                     Edited("regions.yaml", "back pain with {signs}.",
                            "back pain. {Signs}.")),
      "regions.yaml", "'{Signs}'"));
}

TEST(RegionTermsLint, CoreTextsStayRegionNeutral) {
  // The triage result carries rule reasons as they are: no terms there.
  const auto issues = IssuesWithFile(
      "rules/lookalikes.yaml",
      Edited("rules/lookalikes.yaml", "Go to an emergency department now",
             "Go to {emergency_department} now"));
  EXPECT_TRUE(HasIssueIn(issues, "rules/lookalikes.yaml",
                         "the core files are region-neutral"));
}

}  // namespace
}  // namespace backaid
