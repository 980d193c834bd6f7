#include "src/knowledge/loader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "backaid/knowledge_base.h"
#include "src/knowledge/test_kb.h"

namespace backaid::kb {
namespace {

using ::backaid::kb::testing::TestKbFiles;

std::vector<LintIssue> Lint(const std::string& rules) {
  return Build(TestKbFiles(rules, /*with_base_rule=*/true)).issues;
}

// The single issue's text, or a description of what was found instead.
std::string OnlyIssue(const std::vector<LintIssue>& issues) {
  if (issues.size() == 1) return issues[0].ToString();
  std::string all = std::to_string(issues.size()) + " issues:";
  for (const auto& i : issues) all += "\n" + i.ToString();
  return all;
}

constexpr const char* kGoodRule = testing::kGoodRules;

TEST(Loader, TestKbLintsClean) {
  EXPECT_EQ(OnlyIssue(Lint(kGoodRule)), "0 issues:");
}

TEST(Loader, EmbeddedLintsClean) {
  const auto issues = LintKnowledgeBase("");
  for (const auto& i : issues) ADD_FAILURE() << i.ToString();
  auto kb = LoadEmbeddedKnowledgeBase();
  ASSERT_TRUE(kb.ok()) << kb.status().message();
  EXPECT_GT((*kb)->rules().size(), 50u);
}

TEST(Loader, VersionIsSemverPlusContentHash) {
  auto out = Build(TestKbFiles(kGoodRule));
  ASSERT_TRUE(out.impl);
  EXPECT_EQ(out.impl->version.substr(0, 6), "1.2.3+");
  EXPECT_EQ(out.impl->version.size(), 6u + 12u);
  std::string changed = kGoodRule;
  changed.replace(changed.find("because"), 7, "changed");
  auto out2 = Build(TestKbFiles(changed));
  EXPECT_NE(out.impl->version, out2.impl->version)
      << "any content change must change the version";
}

TEST(Loader, DirectoryCopyOfKnowledgeHasSameVersionAsEmbedded) {
  auto dir = LoadKnowledgeBase(BACKAID_SOURCE_DIR "/knowledge");
  ASSERT_TRUE(dir.ok()) << dir.status().message();
  auto embedded = LoadEmbeddedKnowledgeBase();
  ASSERT_TRUE(embedded.ok());
  EXPECT_EQ((*dir)->version(), (*embedded)->version());
}

TEST(Loader, RefusesBrokenKb) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "backaid_broken_kb";
  fs::remove_all(dir);
  fs::create_directories(dir / "rules");
  for (const auto& f : TestKbFiles(R"(rules:
  - id: r1
    when: a or nosuch
    level: urgent
    see: [gp]
    reason: r
    sources: [s1]
)")) {
    std::ofstream(dir / f.path) << f.content;
  }
  auto kb = LoadKnowledgeBase(dir.string());
  ASSERT_FALSE(kb.ok());
  EXPECT_EQ(kb.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(kb.status().message().find("rules/r.yaml:3:"), std::string::npos)
      << kb.status().message();
  fs::remove_all(dir);
}

TEST(LoaderLint, UnknownFinding) {
  EXPECT_EQ(OnlyIssue(Lint(R"(rules:
  - id: r1
    when: a or bladder
    level: urgent
    see: [gp]
    reason: r
    sources: [s1]
)")),
            "rules/r.yaml:3:16: rule r1 when: unknown finding 'bladder'");
}

TEST(LoaderLint, TypeMismatch) {
  for (const char* when :
       {"walk == 3", "walk in [slow]", "score == high", "a == 1",
        "walk >= weak", "score", "side in [left]", "score == 2.5"}) {
    const auto issues = Lint(std::string(R"(rules:
  - id: r1
    when: )") + when + R"(
    level: urgent
    see: [gp]
    reason: r
    sources: [s1]
)");
    ASSERT_EQ(issues.size(), 1u) << when;
    EXPECT_NE(issues[0].message.find("type mismatch"), std::string::npos)
        << when << " -> " << issues[0].ToString();
    EXPECT_EQ(issues[0].where.line, 3) << when;
  }
}

TEST(LoaderLint, UnknownConditionId) {
  EXPECT_EQ(OnlyIssue(Lint(R"(rules:
  - id: r1
    when: a
    level: urgent
    conditions: [x, kidney_stones]
    see: [gp]
    reason: r
    sources: [s1]
)")),
            "rules/r.yaml:5:21: rule r1: unknown condition id 'kidney_stones'");
}

TEST(LoaderLint, DuplicateId) {
  const auto issues = Lint(R"(rules:
  - id: r1
    when: a
    level: urgent
    see: [gp]
    reason: r
    sources: [s1]
  - id: r1
    when: b
    level: urgent
    see: [gp]
    reason: r
    sources: [s1]
)");
  ASSERT_EQ(issues.size(), 1u) << OnlyIssue(issues);
  EXPECT_EQ(issues[0].where.line, 8);
  EXPECT_NE(issues[0].message.find("duplicate rule id 'r1'"), std::string::npos);
}

TEST(LoaderLint, NeverFires) {
  for (const char* rule : {"    when: score > 10\n",
                           "    when: a and at_least(2, b, c)\n    unless: b\n",
                           "    when: walk == weak and walk == unable\n",
                           "    when: temp >= 46\n"}) {
    const auto issues = Lint(std::string("rules:\n  - id: r1\n") + rule + R"(    level: urgent
    see: [gp]
    reason: r
    sources: [s1]
)");
    ASSERT_EQ(issues.size(), 1u) << rule << OnlyIssue(issues);
    EXPECT_NE(issues[0].message.find("can never fire"), std::string::npos)
        << rule << issues[0].ToString();
  }
}

TEST(LoaderLint, MissingSource) {
  EXPECT_EQ(OnlyIssue(Lint(R"(rules:
  - id: r1
    when: a
    level: urgent
    see: [gp]
    reason: r
)")),
            "rules/r.yaml:2:5: rule r1 has no sources: every rule and piece of "
            "advice needs one");
  const auto unknown = Lint(R"(rules:
  - id: r1
    when: a
    level: urgent
    see: [gp]
    reason: r
    sources: [nice_ng99]
)");
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_NE(unknown[0].message.find("unknown source 'nice_ng99'"),
            std::string::npos);
}

TEST(LoaderLint, NegationInWhen) {
  const auto issues = Lint(R"(rules:
  - id: r1
    when: a and not b
    level: urgent
    see: [gp]
    reason: r
    sources: [s1]
)");
  ASSERT_EQ(issues.size(), 1u) << OnlyIssue(issues);
  EXPECT_NE(issues[0].message.find("negated 'b'"), std::string::npos);
  EXPECT_EQ(issues[0].where.column, 21);  // points at the negated finding
  // The same exception is fine in `unless`.
  EXPECT_TRUE(Lint(R"(rules:
  - id: r1
    when: a
    unless: not b
    level: urgent
    see: [gp]
    reason: r
    sources: [s1]
)").empty());
}

TEST(LoaderLint, TrueAtNormal) {
  for (const char* when : {"score <= 3", "walk != weak", "a == false",
                           "known(a)", "age <= 45"}) {
    const auto issues = Lint(std::string(R"(rules:
  - id: r1
    when: )") + when + R"(
    level: urgent
    see: [gp]
    reason: r
    sources: [s1]
)");
    ASSERT_EQ(issues.size(), 1u) << when << OnlyIssue(issues);
    EXPECT_NE(issues[0].message.find("lower"), std::string::npos)
        << when << " -> " << issues[0].ToString();
  }
}

TEST(LoaderLint, UnknownKey) {
  const auto issues = Lint(R"(rules:
  - id: r1
    when: a
    wen: b
    level: urgent
    see: [gp]
    reason: r
    sources: [s1]
)");
  ASSERT_EQ(issues.size(), 1u) << OnlyIssue(issues);
  EXPECT_EQ(issues[0].where.line, 4);
  EXPECT_NE(issues[0].message.find("unknown key 'wen'"), std::string::npos);
}

TEST(LoaderLint, YamlSyntaxError) {
  const auto issues = Lint("rules:\n  - id: r1\n    when: [a\n");
  ASSERT_FALSE(issues.empty());
  EXPECT_EQ(issues[0].where.file, "rules/r.yaml");
  EXPECT_NE(issues[0].message.find("YAML syntax error"), std::string::npos);
  EXPECT_GT(issues[0].where.line, 0);
}

TEST(LoaderLint, RedFlagUnused) {
  const auto issues = Build(TestKbFiles(R"(rules:
  - id: r1
    when: a
    level: urgent
    see: [gp]
    reason: r
    sources: [s1]
)")).issues;
  ASSERT_EQ(issues.size(), 1u) << OnlyIssue(issues);
  EXPECT_EQ(issues[0].where.file, "findings.yaml");
  EXPECT_NE(issues[0].message.find("red-flag finding 'b' is not used"),
            std::string::npos);
}

TEST(LoaderLint, MissingRequiredFile) {
  for (const char* missing : {"kb.yaml", "findings.yaml", "conditions.yaml",
                              "sources.yaml", "conflicts.yaml", "plan.yaml",
                              "questions.yaml"}) {
    auto files = TestKbFiles(kGoodRule);
    std::erase_if(files, [&](const KbFile& f) { return f.path == missing; });
    bool found = false;
    for (const auto& i : Build(files).issues) {
      if (i.where.file == missing &&
          i.message.find("required file is missing") != std::string::npos)
        found = true;
    }
    EXPECT_TRUE(found) << missing;
  }
}

TEST(LoaderLint, ReportsEveryProblemAtOnce) {
  const auto issues = Lint(R"(rules:
  - id: r1
    when: a or nosuch
    level: soon
    see: [dentist]
    reason: r
    sources: [s1]
  - id: r2
    when: b and not c
    level: urgent
    see: [gp]
    reason: r
)");
  // unknown finding, unknown level, unknown service (so nobody to see),
  // missing sources, negation in `when`.
  EXPECT_EQ(issues.size(), 6u) << OnlyIssue(issues);
}

}  // namespace
}  // namespace backaid::kb
