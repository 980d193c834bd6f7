// The clinical vignettes are golden data: every public vignette and every
// one of our own must come out exactly (level and condition set), and
// together they must fire every rule of the knowledge base.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "backaid/case_json.h"
#include "backaid/engine.h"
#include "backaid/knowledge_base.h"

namespace backaid {
namespace {

struct Vignette {
  std::string line;
  Case c;
  ExpectedOutcome expected;
};

std::vector<Vignette> Load(const std::string& path) {
  auto kb = *LoadEmbeddedKnowledgeBase();
  CaseReader reader(*kb);
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::vector<Vignette> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    Vignette v;
    v.line = line;
    Status s = reader.Read(line, &v.c, &v.expected);
    EXPECT_TRUE(s.ok()) << path << ": " << s.message() << "\n" << line;
    EXPECT_TRUE(v.expected.present) << line;
    out.push_back(std::move(v));
  }
  return out;
}

std::string Names(const KnowledgeBase& kb, uint32_t bits) {
  std::string s;
  for (; bits; bits &= bits - 1) s += kb.conditions()[__builtin_ctz(bits)].id + " ";
  return s;
}

void ExpectExact(const std::string& path, size_t minimum) {
  auto kb = *LoadEmbeddedKnowledgeBase();
  auto vignettes = Load(path);
  EXPECT_GE(vignettes.size(), minimum);
  for (const auto& v : vignettes) {
    TriageResult r = Evaluate(*kb, v.c);
    EXPECT_EQ(LevelName(r.level), LevelName(v.expected.level)) << v.c.id;
    EXPECT_EQ(Names(*kb, r.conditions), Names(*kb, v.expected.conditions))
        << v.c.id;
  }
}

const std::string kPublic = BACKAID_SOURCE_DIR "/../shared/vignettes/public.jsonl";
const std::string kOwn = BACKAID_SOURCE_DIR "/knowledge/vignettes/own.jsonl";

TEST(Vignettes, PublicExact) { ExpectExact(kPublic, 33); }

TEST(Vignettes, OwnExact) { ExpectExact(kOwn, 80); }

TEST(Vignettes, EveryRuleFiredBySomeVignette) {
  auto kb = *LoadEmbeddedKnowledgeBase();
  std::set<uint16_t> fired;
  for (const auto& path : {kPublic, kOwn}) {
    for (const auto& v : Load(path)) {
      for (uint16_t r : Evaluate(*kb, v.c).fired) fired.insert(r);
    }
  }
  for (size_t i = 0; i < kb->rules().size(); ++i) {
    EXPECT_TRUE(fired.count(static_cast<uint16_t>(i)))
        << "rule " << kb->rules()[i].id << " ("
        << kb->rules()[i].where.file << ":" << kb->rules()[i].where.line
        << ") is not fired by any vignette";
  }
}

TEST(Vignettes, EveryLevelAndConditionCovered) {
  auto kb = *LoadEmbeddedKnowledgeBase();
  std::array<int, kLevelCount> levels{};
  std::vector<int> conditions(kb->conditions().size());
  for (const auto& v : Load(kOwn)) {
    ++levels[static_cast<int>(v.expected.level)];
    for (uint32_t b = v.expected.conditions; b; b &= b - 1)
      ++conditions[__builtin_ctz(b)];
  }
  for (int l = 0; l < kLevelCount; ++l) {
    EXPECT_GE(levels[l], 10) << LevelName(static_cast<TriageLevel>(l));
  }
  for (size_t c = 0; c < conditions.size(); ++c) {
    EXPECT_GE(conditions[c], 2) << kb->conditions()[c].id;
  }
}

TEST(Vignettes, OwnVignettesNameTheirSource) {
  std::ifstream in(kOwn);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    EXPECT_NE(line.find("\"source\": \""), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace backaid
