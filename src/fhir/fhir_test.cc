#include "src/fhir/fhir.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "backaid/assess.h"
#include "src/fhir/fhir_codes.h"
#include "src/knowledge/loader.h"
#include "src/knowledge/test_kb.h"

namespace backaid::fhir {
namespace {

using json = nlohmann::json;

TEST(FhirCodesTest, LoincCheckDigit) {
  EXPECT_TRUE(ValidLoinc("72514-3"));
  EXPECT_TRUE(ValidLoinc("30525-0"));
  EXPECT_TRUE(ValidLoinc("8310-5"));
  EXPECT_FALSE(ValidLoinc("72514-4"));
  EXPECT_FALSE(ValidLoinc("72514"));
  EXPECT_FALSE(ValidLoinc("7a514-3"));
}

TEST(FhirCodesTest, SnomedCheckDigit) {
  EXPECT_TRUE(ValidSnomedConcept("386661006"));  // fever
  EXPECT_TRUE(ValidSnomedConcept("29857009"));   // chest pain
  EXPECT_FALSE(ValidSnomedConcept("386661007"));
  EXPECT_FALSE(ValidSnomedConcept("12345"));
}

std::vector<LintIssue> LintFhir(const std::string& yaml) {
  auto files = kb::testing::TestKbFiles(kb::testing::kGoodRules);
  files.push_back({"fhir.yaml", yaml});
  return kb::Build(files).issues;
}

TEST(FhirCodesTest, LintCatchesBadEntries) {
  EXPECT_TRUE(LintFhir("systems: {loinc: http://loinc.org}\n"
                       "findings:\n  a: [{system: loinc, code: 72514-3, "
                       "display: Pain}]\n")
                  .empty());
  for (const char* bad :
       {"systems: {loinc: http://loinc.org}\nfindings:\n  nope: "
        "[{system: loinc, code: 72514-3, display: x}]\n",
        "systems: {loinc: http://loinc.org}\nfindings:\n  a: "
        "[{system: loinc, code: 72514-4, display: x}]\n",
        "systems: {loinc: http://loinc.org}\nfindings:\n  a: "
        "[{system: snomed, code: '386661006', display: x}]\n",
        "systems: {loinc: http://loinc.org}\nfindings:\n  a: "
        "[{system: loinc, code: 72514-3}]\n",
        "systems: {loinc: http://loinc.org}\nextra: 1\n"}) {
    EXPECT_FALSE(LintFhir(bad).empty()) << bad;
  }
}

class FhirKbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto kb = LoadEmbeddedKnowledgeBase();
    ASSERT_TRUE(kb.ok()) << kb.status().message();
    kb_ = *kb;
  }
  std::shared_ptr<const KnowledgeBase> kb_;
};

// Every question of questions.yaml is an item, in asking order, with its
// options as codings, and the canonical version is the knowledge base's.
TEST_F(FhirKbTest, QuestionnaireHasEveryQuestion) {
  const json q = json::parse(QuestionnaireJson(*kb_));
  EXPECT_EQ(q["resourceType"], "Questionnaire");
  EXPECT_EQ(q["version"], kb_->version());
  json parsed_qn;
  std::string qn_json;
  AppendQuestionnaireJson(*kb_, &qn_json);
  parsed_qn = json::parse(qn_json);
  std::vector<std::string> ids;
  std::set<std::string> link_ids;
  for (const auto& group : q["item"]) {
    EXPECT_TRUE(link_ids.insert(group["linkId"]).second);
    for (const auto& item : group["item"]) {
      ids.push_back(item["linkId"]);
      EXPECT_TRUE(link_ids.insert(item["linkId"]).second);
    }
  }
  ASSERT_EQ(ids.size(), parsed_qn["questions"].size());
  for (size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(ids[i], parsed_qn["questions"][i]["id"]);
  }
}

// Pain carries LOINC 72514-3 from knowledge/fhir.yaml; a branching
// question has enableWhen, including "not answered" (unknown asks).
TEST_F(FhirKbTest, CodesAndEnableWhen) {
  const json q = json::parse(QuestionnaireJson(*kb_));
  bool pain_coded = false, some_enable_when = false;
  for (const auto& group : q["item"]) {
    for (const auto& item : group["item"]) {
      if (item.contains("code")) {
        for (const auto& c : item["code"]) {
          pain_coded |= c["code"] == "72514-3";
        }
      }
      if (item.contains("enableWhen")) {
        some_enable_when = true;
        bool has_exists = false;
        for (const auto& w : item["enableWhen"]) {
          has_exists |= w["operator"] == "exists";
        }
        EXPECT_TRUE(has_exists) << item["linkId"];
        if (item["enableWhen"].size() > 1) {
          EXPECT_EQ(item["enableBehavior"], "any");
        }
      }
    }
  }
  EXPECT_TRUE(pain_coded);
  EXPECT_TRUE(some_enable_when);
}

}  // namespace
}  // namespace backaid::fhir
