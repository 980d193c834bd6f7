// The regional wording of the knowledge base (knowledge/regions.yaml):
// what the fronts read, and what its lint refuses.
#include "src/caseio/regions.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "backaid/assess.h"
#include "backaid/case_json.h"
#include "backaid/engine.h"
#include "backaid/report.h"
#include "backaid/vocabulary.h"
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

// ---- what to tell the call handler, filled in (CallHandlerScript) ------

Case ReadCase(const KnowledgeBase& kb, const std::string& json) {
  CaseReader reader(kb);
  Case c = kb.NewCase();
  const Status s = reader.Read(json, &c);
  EXPECT_TRUE(s.ok()) << s.message() << "\n" << json;
  return c;
}

bool AnyLine(const CallScriptText& s, std::string_view text) {
  for (const std::string& l : s.lines)
    if (l.find(text) != std::string::npos) return true;
  return false;
}

TEST(CallHandlerScript, NamesTheSignsAndThePregnancyWeeksWhenKnown) {
  const auto kb = Embedded();
  const std::string bleeding =
      R"({"id":"p","age":30,"sex":"female","findings":{"pregnant":true,)"
      R"("vaginal_bleeding":true,"pregnancy_contractions":true)";
  const Case weeks = ReadCase(*kb, bleeding + R"(,"pregnancy_weeks":33}})");
  const TriageResult r = Evaluate(*kb, weeks);
  ASSERT_EQ(r.level, TriageLevel::kEmergency);
  const CallScriptText s = CallHandlerScript(*kb, weeks, r, "uk");
  EXPECT_EQ(s.id, "emergency.call_script");
  EXPECT_EQ(s.title, "What to tell the call handler");
  EXPECT_TRUE(AnyLine(s, "That you are 33 weeks pregnant."));
  EXPECT_FALSE(AnyLine(s, "how many weeks"));
  const std::string bleeding_words =
      kb->findings()[*kb->FindFinding("vaginal_bleeding")].meaning;
  EXPECT_TRUE(AnyLine(s, "What is happening: back pain with "));
  EXPECT_TRUE(AnyLine(s, bleeding_words)) << bleeding_words;
  for (const std::string& l : s.lines) {
    EXPECT_EQ(l.find('{'), std::string::npos) << l;
    EXPECT_EQ(l.find('_'), std::string::npos) << l;
  }
  // Weeks not known: the line that asks for them instead.
  const Case no_weeks = ReadCase(*kb, bleeding + "}}");
  const CallScriptText u =
      CallHandlerScript(*kb, no_weeks, Evaluate(*kb, no_weeks), "us");
  EXPECT_TRUE(AnyLine(u, "That you are pregnant, and how many weeks"));
  EXPECT_FALSE(AnyLine(u, "33"));
  EXPECT_FALSE(AnyLine(u, "weeks pregnant."));
}

TEST(CallHandlerScript, OnlyAtEmergencyAndNothingOfPregnancyForAMan) {
  const auto kb = Embedded();
  const Case ces = ReadCase(
      *kb,
      R"({"id":"c","age":50,"sex":"male","findings":{"bladder_dysfunction":true,)"
      R"("saddle_numbness":true}})");
  const TriageResult r = Evaluate(*kb, ces);
  ASSERT_EQ(r.level, TriageLevel::kEmergency);
  const CallScriptText s = CallHandlerScript(*kb, ces, r, "eu");
  EXPECT_EQ(s.lines.size(), 4u);
  EXPECT_FALSE(AnyLine(s, "pregnant"));
  EXPECT_TRUE(
      AnyLine(s, kb->findings()[*kb->FindFinding("saddle_numbness")].meaning));
  std::string json;
  AppendCallScriptJson(s, &json);
  EXPECT_EQ(json.rfind("{\"id\":\"emergency.call_script\",\"title\":", 0), 0u)
      << json;
  const Case plain =
      ReadCase(*kb, R"({"id":"s","age":30,"findings":{"muscle_spasm":true}})");
  const CallScriptText none =
      CallHandlerScript(*kb, plain, Evaluate(*kb, plain), "eu");
  EXPECT_TRUE(none.id.empty());
  EXPECT_TRUE(none.lines.empty());
  std::string null_json;
  AppendCallScriptJson(none, &null_json);
  EXPECT_EQ(null_json, "null");
}

TEST(RegionsLint, ACallScriptFindingIsFilledOnlyWhereItIsKnown) {
  const std::string base = std::string(R"(regions:
  - {id: eu, name: Europe, emergency_number: "112", sources: [eu_112]}
)") + kTail;
  const std::string head = base + R"(emergency_call_script:
  id: s
  title: Tell them
  sources: [nhs_back_pain]
  lines:
)";
  EXPECT_FALSE(HasIssue(
      IssuesWith(
          head +
          R"(    - {text: "{pregnancy_weeks} weeks.", known: pregnancy_weeks}
    - {text: "How many weeks.", unknown: pregnancy_weeks}
)"),
      ""));
  EXPECT_TRUE(
      HasIssue(IssuesWith(head + R"(    - {text: "{pregnancy_weeks} weeks."}
)"),
               "is filled only in a line whose `known`"));
  EXPECT_TRUE(
      HasIssue(IssuesWith(head + R"(    - {text: "Weeks.", known: pregnancy_wks}
)"),
               "not a finding"));
}

// ---- service names in the region's words ------------------------------

TEST(RegionTerms, ServicesAreNamedInTheRegionsWords) {
  const auto kb = Embedded();
  std::string gp;
  for (const ServiceDef& s : kb->services())
    if (s.id == "gp") gp = s.name;
  ASSERT_FALSE(gp.empty());
  EXPECT_EQ(RegionText(*kb, "uk", gp), "Your GP");
  EXPECT_EQ(RegionText(*kb, "eu", gp), "Your family doctor");
  EXPECT_EQ(RegionText(*kb, "us", gp), "Your primary care doctor");
  // Each region shows only its word, in every service's name.
  const std::vector<std::pair<std::string, std::vector<std::string>>> never = {
      {"uk", {"family doctor", "primary care"}},
      {"eu", {"GP", "primary care"}},
      {"us", {"GP", "family doctor"}}};
  for (const auto& [region, words] : never) {
    for (const ServiceDef& s : kb->services()) {
      const std::string name = RegionText(*kb, region, s.name);
      EXPECT_EQ(name.find('{'), std::string::npos) << name;
      for (const std::string& w : words)
        EXPECT_EQ(name.find(w), std::string::npos) << region << ": " << name;
    }
  }
  // The vocabulary names them so too.
  for (const auto& [region, word] :
       std::vector<std::pair<std::string, std::string>>{
           {"uk", "Your GP"}, {"us", "Your primary care doctor"}}) {
    std::string v;
    AppendVocabularyJson(*kb, &v, region);
    EXPECT_NE(v.find("\"gp\":\"" + word + "\""), std::string::npos) << region;
  }
}

TEST(RegionTermsLint, OnlyServiceNamesOfTheCoreMayUseTerms) {
  EXPECT_FALSE(HasIssueIn(
      IssuesWithFile("kb.yaml", Edited("kb.yaml", "name: Physiotherapist",
                                       "name: Physiotherapist ({doctor})")),
      "kb.yaml", ""));
  EXPECT_TRUE(HasIssueIn(
      IssuesWithFile("kb.yaml", Edited("kb.yaml", "name: Physiotherapist",
                                       "name: Physiotherapist ({doktor})")),
      "kb.yaml", "is not a term of region"));
  EXPECT_TRUE(HasIssueIn(
      IssuesWithFile(
          "kb.yaml",
          Edited("kb.yaml", "Book an appointment with your own doctor",
                 "Book an appointment with your {doctor}")),
      "kb.yaml", "the core files are region-neutral"));
}

// ---- one grammar of placeholders (issue 14) -----------------------------

// RegionText fills exactly what the lint accepts: a "{{doctor}}" (or any
// brace outside a placeholder) and a "{DOCTOR}" would reach the person as
// they are, so the lint refuses them.
TEST(RegionTermsLint, WhatRegionTextWouldLeaveIsRefused) {
  const std::string from = "Tell your midwife or {doctor} about";
  for (const auto& [written, message] :
       std::vector<std::pair<std::string, std::string>>{
           {"Tell your midwife or {{doctor}} about",
            "not part of a placeholder"},
           {"Tell your midwife or {doctor}} about",
            "not part of a placeholder"},
           {"Tell your midwife or { doctor } about",
            "not part of a placeholder"},
           {"Tell your midwife or {DOCTOR} about",
            "'{DOCTOR}' is not a placeholder any front fills"},
           {"Tell your midwife or {doctor2} about",
            "'{doctor2}' is not a placeholder any front fills"}}) {
    const auto issues =
        IssuesWithFile("plan.yaml", Edited("plan.yaml", from, written));
    EXPECT_TRUE(HasIssueIn(issues, "plan.yaml", message)) << written;
  }
  // The same texts, filled: what the lint refuses is what keeps a brace.
  const auto kb = Embedded();
  EXPECT_NE(RegionText(*kb, "uk", "your {{doctor}}").find('{'),
            std::string::npos);
  EXPECT_NE(RegionText(*kb, "uk", "your {DOCTOR}").find('{'),
            std::string::npos);
  EXPECT_EQ(RegionText(*kb, "uk", "your {doctor}, {Doctor}"), "your GP, GP");
}

TEST(Placeholders, OneScannerForTheFillAndTheLint) {
  using regions::ScanPlaceholders;
  using regions::StrayBraces;
  const auto ps = ScanPlaceholders("a {doctor} {{number}} {Term_2} {} {1x}");
  ASSERT_EQ(ps.size(), 3u);
  EXPECT_EQ(ps[0].name, "doctor");
  EXPECT_EQ(ps[1].name, "number");
  EXPECT_EQ(ps[2].name, "Term_2");
  EXPECT_EQ(StrayBraces("a {doctor} b").size(), 0u);
  EXPECT_EQ(StrayBraces("{{doctor}}"), (std::vector<size_t>{0, 9}));
  EXPECT_EQ(StrayBraces("{} {1x} }{").size(), 6u);
  EXPECT_TRUE(StrayBraces("").empty());
}

// Every text of the built-in knowledge base, filled in every region (and
// an unlisted one), keeps no brace: nothing is shown as "{doctor}". The
// vocabulary keeps only "{number}", which the page fills. The call
// handler's script is filled by CallHandlerScript, for both of its
// pregnancy lines.
void CollectTexts(const YAML::Node& n, bool in_script,
                  std::vector<std::string>* texts,
                  std::vector<std::string>* script) {
  if (n.IsScalar()) {
    (in_script ? script : texts)->push_back(n.Scalar());
  } else if (n.IsSequence()) {
    for (const auto& item : n) CollectTexts(item, in_script, texts, script);
  } else if (n.IsMap()) {
    for (const auto& kv : n) {
      const bool s =
          in_script ||
          (kv.first.IsScalar() && kv.first.Scalar() == "emergency_call_script");
      CollectTexts(kv.second, s, texts, script);
    }
  }
}

TEST(RegionTerms, EveryKnowledgeBaseTextIsFilledInEveryRegion) {
  const auto kb = Embedded();
  std::vector<std::string> texts;
  std::vector<std::string> script;
  size_t files = 0;
  for (const kb::KbFile& f : kb::EmbeddedFiles()) {
    if (f.path.size() < 5 || f.path.substr(f.path.size() - 5) != ".yaml")
      continue;
    ++files;
    CollectTexts(YAML::Load(f.content), false, &texts, &script);
  }
  ASSERT_GE(files, 8u);
  ASSERT_GT(texts.size(), 1000u);
  ASSERT_FALSE(script.empty());
  size_t with_placeholders = 0;
  std::vector<std::string> regions = {"", "mars"};
  for (const Region& r : Regions(*kb)) regions.push_back(r.id);
  for (const std::string& text : texts) {
    with_placeholders += text.find('{') != std::string::npos;
    for (const std::string& region : regions) {
      const std::string filled = RegionText(*kb, region, text);
      EXPECT_EQ(filled.find_first_of("{}"), std::string::npos)
          << region << ": " << filled;
      std::string kept = RegionTextKeepingNumber(*kb, region, text);
      for (size_t at = kept.find("{number}"); at != std::string::npos;
           at = kept.find("{number}"))
        kept.erase(at, 8);
      EXPECT_EQ(kept.find_first_of("{}"), std::string::npos)
          << region << ": " << kept;
    }
  }
  EXPECT_GT(with_placeholders, 20u);  // the walk reached the worded texts
  // The script, filled for an emergency with and without the weeks known:
  // every line of it is said in one of the two.
  const std::string pregnant =
      R"({"id":"p","age":30,"sex":"female","findings":{"pregnant":true,)"
      R"("vaginal_bleeding":true,"pregnancy_contractions":true)";
  size_t said = 0;
  for (const std::string& json :
       {pregnant + R"(,"pregnancy_weeks":33}})", pregnant + "}}"}) {
    const Case c = ReadCase(*kb, json);
    const TriageResult r = Evaluate(*kb, c);
    ASSERT_EQ(r.level, TriageLevel::kEmergency);
    for (const std::string& region : regions) {
      const CallScriptText s = CallHandlerScript(*kb, c, r, region);
      EXPECT_EQ(s.title.find_first_of("{}"), std::string::npos) << s.title;
      for (const std::string& l : s.lines)
        EXPECT_EQ(l.find_first_of("{}"), std::string::npos) << region << l;
      if (region.empty()) said += s.lines.size();
    }
  }
  // Each case says every line but the other case's pregnancy line.
  const regions::RegionModel* m = regions::RegionsOf(*kb);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(said, 2 * (m->call_script.lines.size() - 1));
}

}  // namespace
}  // namespace backaid
