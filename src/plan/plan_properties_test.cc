// Care plan: safety properties over every public and own vignette.

#include "src/plan/plan_test_util.h"

namespace backaid {
namespace {

using namespace plan_test;  // NOLINT: the shared fixture

TEST_F(PlanTest, PropertiesOverEveryVignette) {
  const auto lines = VignetteLines();
  ASSERT_GT(lines.size(), 30u);
  // Every contraindication of the NSAID item (its `unless` decides, per
  // person, whether one can apply at all).
  const plan::ItemModel* nsaid_model = nullptr;
  for (const auto& m : plan::PlanModelOf(*kb_)->items)
    if (m.id == "medicines.nsaid") nsaid_model = &m;
  ASSERT_NE(nsaid_model, nullptr);
  const FindingId pain = *kb_->FindFinding("pain_score");
  for (const std::string& line : lines) {
    Case c = kb_->NewCase();
    ExpectedOutcome expected;
    ASSERT_TRUE(reader_.Read(line, &c, &expected).ok()) << line;
    const TriageResult r = Evaluate(*kb_, c);
    auto built = BuildCarePlan(*kb_, c, r);
    ASSERT_TRUE(built.ok()) << c.id;
    const CarePlan& p = *built;
    SCOPED_TRACE(c.id);
    std::vector<FindingId> contra;
    for (size_t k = 0; k < nsaid_model->contraindications.size(); ++k) {
      const auto& unless = nsaid_model->contraindication_unless[k];
      if (unless && plan::Evaluate(*unless, c.values) == plan::Truth::kTrue)
        continue;
      contra.push_back(nsaid_model->contraindications[k]);
    }
    const bool any_present =
        std::any_of(contra.begin(), contra.end(), [&](FindingId f) {
          return c.values[f] != kUnknown && c.values[f] != 0;
        });
    std::vector<std::string> unknown;
    for (FindingId f : contra)
      if (c.values[f] == kUnknown)
        unknown.push_back(kb_->findings()[f].meaning);
    for (const PlanItem& i : p.items) {
      EXPECT_FALSE(i.sources.empty()) << i.id << " has no source";
      EXPECT_FALSE(i.title.empty()) << i.id;
      EXPECT_FALSE(i.text.empty()) << i.id;
      const bool mentions_nsaid =
          i.text.find("ibuprofen") != std::string::npos ||
          i.text.find("naproxen") != std::string::npos;
      if (mentions_nsaid && i.variant != PlanItemVariant::kNotForYou) {
        // Advised (or check-first): never with a contraindication present,
        // and never without the check list when one was not assessed.
        EXPECT_FALSE(any_present) << i.id << " advises an NSAID";
        if (!unknown.empty()) {
          EXPECT_EQ(i.variant, PlanItemVariant::kCheckFirst) << i.id;
          EXPECT_EQ(i.concerns, unknown) << i.id;
        }
      }
      if (i.id == "medicines.nsaid" && any_present) {
        EXPECT_EQ(i.variant, PlanItemVariant::kNotForYou);
      }
    }
    const bool programme = Find(p, "exercises.programme") != nullptr;
    if (r.level >= TriageLevel::kUrgent || r.red_flags.any() ||
        c.values[pain] == kUnknown || c.values[pain] > 4) {
      EXPECT_FALSE(programme) << "exercise programme not allowed here";
    }
    if (r.level == TriageLevel::kEmergency) {
      EXPECT_NE(Find(p, "safety_net.emergency_signs"), nullptr);
    } else {
      EXPECT_NE(Find(p, "safety_net.if.emergency"), nullptr);
    }
    EXPECT_TRUE(HasSection(p, PlanSection::kSafetyNet));
    if (r.level >= TriageLevel::kUrgent) {
      EXPECT_FALSE(HasSection(p, PlanSection::kExercises));
      EXPECT_FALSE(HasSection(p, PlanSection::kIceHeat));
      EXPECT_TRUE(p.activities.empty());
      for (const PlanItem& i : p.items) {
        EXPECT_TRUE(i.section == PlanSection::kNow ||
                    i.section == PlanSection::kSafetyNet)
            << i.id;
      }
    }
  }
}

}  // namespace
}  // namespace backaid
