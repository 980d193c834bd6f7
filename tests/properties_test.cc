// Safety properties over generated cases (synthetic, random, fixed seed).
#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "backaid/case_json.h"
#include "backaid/engine.h"
#include "backaid/knowledge_base.h"
#include "src/engine/engine_internal.h"
#include "src/knowledge/compiled.h"
#include "src/knowledge/eval.h"
#include "src/knowledge/program.h"

namespace backaid {
namespace {

constexpr int kCases = 20000;

class PropertiesTest : public ::testing::Test {
 protected:
  PropertiesTest() : kb_(*LoadEmbeddedKnowledgeBase()), rng_(20261121) {}

  int32_t RandomValue(const FindingDef& f) {
    switch (f.type) {
      case FindingType::kBool:
        return std::bernoulli_distribution(0.3)(rng_) ? 1 : 0;
      case FindingType::kEnum:
        return std::uniform_int_distribution<int32_t>(
            0, static_cast<int32_t>(f.values.size()) - 1)(rng_);
      case FindingType::kInt:
      case FindingType::kNumber: {
        // Mostly near the normal value, sometimes anywhere in range.
        if (f.normal && std::bernoulli_distribution(0.5)(rng_)) {
          const int32_t span = std::max(1, (f.max - f.min) / 10);
          return std::clamp(*f.normal + std::uniform_int_distribution<int32_t>(
                                            -span, span)(rng_),
                            f.min, f.max);
        }
        return std::uniform_int_distribution<int32_t>(f.min, f.max)(rng_);
      }
    }
    return kUnknown;
  }

  Case RandomCase() {
    Case c = kb_->NewCase();
    c.id = "gen";
    for (size_t f = 0; f < kb_->findings().size(); ++f) {
      if (std::bernoulli_distribution(0.35)(rng_)) {
        kb_->SetFinding(static_cast<FindingId>(f),
                        RandomValue(kb_->findings()[f]), &c);
      }
    }
    return c;
  }

  // Values of a red-flag finding more severe than `current`: true for a
  // yes/no finding, a later value for an enum (their values go from normal
  // to worst: none/one/both, normal/weak/unable).
  std::vector<int32_t> WorseValues(const FindingDef& f, int32_t current) {
    std::vector<int32_t> out;
    if (f.type == FindingType::kBool) {
      if (current != 1) out.push_back(1);
    } else if (f.type == FindingType::kEnum && f.normal) {
      for (int32_t v = 0; v < static_cast<int32_t>(f.values.size()); ++v)
        if (v != *f.normal && (current == kUnknown || v > current))
          out.push_back(v);
    }
    return out;
  }

  std::shared_ptr<const KnowledgeBase> kb_;
  std::mt19937 rng_;
};

TEST_F(PropertiesTest, AddingRedFlagNeverLowersLevel) {
  std::vector<FindingId> red;
  for (size_t f = 0; f < kb_->findings().size(); ++f)
    if (kb_->findings()[f].red_flag) red.push_back(static_cast<FindingId>(f));
  ASSERT_GT(red.size(), 20u);
  for (int i = 0; i < kCases; ++i) {
    Case c = RandomCase();
    const TriageLevel before = Evaluate(*kb_, c).level;
    const FindingId f = red[rng_() % red.size()];
    for (int32_t v : WorseValues(kb_->findings()[f], c.values[f])) {
      Case raised = c;
      kb_->SetFinding(f, v, &raised);
      const TriageLevel after = Evaluate(*kb_, raised).level;
      ASSERT_GE(after, before)
          << "setting " << kb_->findings()[f].key << "=" << v
          << " lowered the level from " << LevelName(before) << " to "
          << LevelName(after);
    }
  }
}

TEST_F(PropertiesTest, UnknownNeverLowersLevel) {
  int compared = 0;
  for (int i = 0; i < kCases; ++i) {
    Case c = RandomCase();
    for (int k = 0; k < 5; ++k) {
      const FindingId f = static_cast<FindingId>(rng_() % kb_->findings().size());
      const FindingDef& def = kb_->findings()[f];
      if (!def.normal) continue;
      Case answered_no = c, unanswered = c;
      kb_->SetFinding(f, *def.normal, &answered_no);
      kb_->SetFinding(f, kUnknown, &unanswered);
      const TriageLevel no = Evaluate(*kb_, answered_no).level;
      const TriageLevel unknown = Evaluate(*kb_, unanswered).level;
      ASSERT_GE(unknown, no) << "leaving " << def.key
                             << " unanswered gave " << LevelName(unknown)
                             << " but answering it normal gave "
                             << LevelName(no);
      ++compared;
    }
  }
  EXPECT_GT(compared, kCases);
}

TEST_F(PropertiesTest, PrefilterNeverSkipsAFiringRule) {
  const kb::Program& p = kb::Internal(*kb_).program;
  for (int i = 0; i < kCases; ++i) {
    Case c = RandomCase();
    TriageResult r;
    internal::Evaluate(*kb_, c, &r, /*use_compiled=*/false);
    std::vector<uint16_t> all;
    for (size_t k = 0; k < p.rules.size(); ++k)
      if (kb::Fires(p, p.rules[k], c.values.data()))
        all.push_back(static_cast<uint16_t>(k));
    ASSERT_EQ(r.fired, all);
  }
}

TEST_F(PropertiesTest, EmbeddedKnowledgeBaseUsesCompiledRules) {
  EXPECT_EQ(std::string(kb::kCompiledRulesVersion), kb_->version())
      << "the build did not compile the embedded knowledge base's rules";
  EXPECT_NE(kb::CompiledRulesFor(kb_->version().c_str()), nullptr);
  EXPECT_EQ(kb::CompiledRulesFor("0.0.0+000000000000"), nullptr);
}

TEST_F(PropertiesTest, CompiledRulesMatchInterpreter) {
  TriageResult compiled, interpreted;
  for (int i = 0; i < kCases; ++i) {
    Case c = RandomCase();
    internal::Evaluate(*kb_, c, &compiled, /*use_compiled=*/true);
    internal::Evaluate(*kb_, c, &interpreted, /*use_compiled=*/false);
    ASSERT_EQ(compiled.fired, interpreted.fired);
    ASSERT_EQ(compiled.level, interpreted.level);
    ASSERT_EQ(compiled.conditions, interpreted.conditions);
    ASSERT_EQ(compiled.see, interpreted.see);
    ASSERT_EQ(compiled.red_flags, interpreted.red_flags);
    ASSERT_EQ(compiled.not_assessed, interpreted.not_assessed);
  }
}

TEST_F(PropertiesTest, Deterministic) {
  std::vector<Case> cases;
  for (int i = 0; i < 2000; ++i) cases.push_back(RandomCase());
  auto render = [&](std::vector<std::string>* out) {
    TriageResult r;
    for (const Case& c : cases) {
      Evaluate(*kb_, c, &r);
      std::string s;
      AppendResultJson(*kb_, c, r, &s);
      out->push_back(std::move(s));
    }
  };
  std::vector<std::string> a, b, c;
  render(&a);
  std::thread t1([&] { render(&b); });
  std::thread t2([&] { render(&c); });
  t1.join();
  t2.join();
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, c);
}

}  // namespace
}  // namespace backaid
