// Shared fixture of the care-plan tests: the embedded knowledge base, a
// case reader and plan builders, and the vignettes.
#ifndef BACKAID_SRC_PLAN_PLAN_TEST_UTIL_H_
#define BACKAID_SRC_PLAN_PLAN_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "backaid/case_json.h"
#include "backaid/engine.h"
#include "backaid/plan.h"
#include "backaid/report.h"
#include "src/knowledge/loader.h"
#include "src/knowledge/test_kb.h"
#include "src/plan/plan_model.h"

namespace backaid::plan_test {

// The NSAID contraindications the issue names; plan.yaml must list all.
inline const char* const kNsaidContraindications[] = {
    "pregnant",          "stomach_ulcer_or_bleed_history",
    "kidney_disease",    "heart_failure",
    "anticoagulant_use", "asthma_worse_with_nsaids",
    "nsaid_allergy"};

// Every public and own vignette, one JSON line each.
inline std::vector<std::string> VignetteLines() {
  std::vector<std::string> lines;
  for (const std::string& path :
       {std::string(BACKAID_SOURCE_DIR) + "/../shared/vignettes/public.jsonl",
        std::string(BACKAID_SOURCE_DIR) + "/knowledge/vignettes/own.jsonl"}) {
    std::ifstream in(path);
    EXPECT_TRUE(in.good()) << "cannot open " << path;
    std::string line;
    while (std::getline(in, line))
      if (!line.empty()) lines.push_back(line);
  }
  return lines;
}
inline std::vector<std::string> VignetteLinesForNet() {
  return VignetteLines();
}

class PlanTest : public ::testing::Test {
 protected:
  PlanTest() : kb_(*LoadEmbeddedKnowledgeBase()), reader_(*kb_) {}

  Case Read(const std::string& json) {
    Case c = kb_->NewCase();
    Status s = reader_.Read(json, &c);
    EXPECT_TRUE(s.ok()) << s.message() << "\n" << json;
    return c;
  }

  CarePlan PlanFor(const Case& c, std::string_view region = {}) {
    auto plan = BuildCarePlan(*kb_, c, Evaluate(*kb_, c), region);
    EXPECT_TRUE(plan.ok()) << plan.status().message();
    return plan.ok() ? *plan : CarePlan{};
  }

  CarePlan PlanFor(const std::string& json, std::string_view region = {}) {
    return PlanFor(Read(json), region);
  }

  static const PlanItem* Find(const CarePlan& p, std::string_view id) {
    for (const PlanItem& i : p.items)
      if (i.id == id) return &i;
    return nullptr;
  }
  static bool HasSection(const CarePlan& p, PlanSection s) {
    return std::any_of(p.items.begin(), p.items.end(),
                       [&](const PlanItem& i) { return i.section == s; });
  }
  static bool HasActivity(const CarePlan& p, std::string_view id) {
    return std::any_of(p.activities.begin(), p.activities.end(),
                       [&](const PlanActivity& a) { return a.id == id; });
  }

  std::shared_ptr<const KnowledgeBase> kb_;
  CaseReader reader_;
};

// A self-care case with every NSAID contraindication answered "no".
constexpr char kClear[] =
    R"({"id":"clear","age":35,"findings":{"onset_days":0,"pain_score":3,)"
    R"("onset_with_movement":true,"muscle_spasm":true,"pregnant":false,)"
    R"("stomach_ulcer_or_bleed_history":false,"kidney_disease":false,)"
    R"("heart_failure":false,"anticoagulant_use":false,)"
    R"("antiplatelet_use":false,"long_term_steroids":false,)"
    R"("high_blood_pressure":false,"immunosuppressed":false,)"
    R"("asthma_worse_with_nsaids":false,"nsaid_allergy":false,)"
    R"("bladder_dysfunction":false,"bowel_dysfunction":false,)"
    R"("saddle_numbness":false,"leg_weakness":"none","fever":false}})";

}  // namespace backaid::plan_test

#endif  // BACKAID_SRC_PLAN_PLAN_TEST_UTIL_H_
