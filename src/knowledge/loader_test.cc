#include "src/knowledge/loader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <tuple>

#include "backaid/knowledge_base.h"
#include "src/assess/questionnaire_model.h"
#include "src/knowledge/program.h"
#include "src/knowledge/test_kb.h"
#include "src/plan/plan_model.h"

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
  EXPECT_NE(issues[0].message.find("duplicate rule id 'r1'"),
            std::string::npos);
}

TEST(LoaderLint, NeverFires) {
  for (const char* rule : {"    when: score > 10\n",
                           "    when: a and at_least(2, b, c)\n    unless: b\n",
                           "    when: walk == weak and walk == unable\n",
                           "    when: temp >= 46\n"}) {
    const auto issues =
        Lint(std::string("rules:\n  - id: r1\n") + rule + R"(    level: urgent
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
)")
                  .empty());
}

TEST(LoaderLint, TrueAtNormal) {
  for (const char* when :
       {"score <= 3", "walk != weak", "a == false", "known(a)", "age <= 45"}) {
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

// Enum values run from normal to most abnormal (the assessment keeps the
// larger value when two answers set one finding).
TEST(LoaderLint, EnumNormalValueListedFirst) {
  auto files = TestKbFiles(kGoodRule, /*with_base_rule=*/true);
  for (auto& f : files) {
    if (f.path != "findings.yaml") continue;
    const std::string from = "values: [normal, weak, unable], normal: normal";
    const size_t at = f.content.find(from);
    ASSERT_NE(at, std::string::npos);
    f.content.replace(at, from.size(),
                      "values: [weak, normal, unable], normal: normal");
  }
  const auto issues = Build(files).issues;
  ASSERT_EQ(issues.size(), 1u) << OnlyIssue(issues);
  EXPECT_EQ(issues[0].where.file, "findings.yaml");
  EXPECT_NE(issues[0].message.find("listed first"), std::string::npos)
      << issues[0].ToString();
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
)"))
                          .issues;
  ASSERT_EQ(issues.size(), 1u) << OnlyIssue(issues);
  EXPECT_EQ(issues[0].where.file, "findings.yaml");
  EXPECT_NE(issues[0].message.find("red-flag finding 'b' is not used"),
            std::string::npos);
}

TEST(LoaderLint, MissingRequiredFile) {
  for (const char* missing :
       {"kb.yaml", "findings.yaml", "conditions.yaml", "sources.yaml",
        "conflicts.yaml", "plan.yaml", "questions.yaml"}) {
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

// The built-in knowledge base is not parsed from YAML at start-up: its
// definitions come from backaid_kbc's generated C++
// (EmbeddedDefinitions) and BuildFromDefinitions compiles them without
// the lint checks. Everything it builds must equal what the full YAML
// path builds from the same embedded files.
auto Loc(const SourceLocation& w) { return std::tie(w.file, w.line, w.column); }

TEST(Loader, EmbeddedDefinitionsBuildWhatTheYamlBuilds) {
  BuildOutput yaml = Build(EmbeddedFiles());
  ASSERT_TRUE(yaml.issues.empty()) << OnlyIssue(yaml.issues);
  ASSERT_TRUE(yaml.impl);
  BuildOutput fast =
      BuildFromDefinitions(EmbeddedDefinitions(), BundleExtensions());
  ASSERT_TRUE(fast.issues.empty()) << OnlyIssue(fast.issues);
  ASSERT_TRUE(fast.impl);
  const KnowledgeBase::Impl& a = *yaml.impl;
  const KnowledgeBase::Impl& b = *fast.impl;
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.semver, b.semver);
  EXPECT_EQ(a.version, b.version);
  for (size_t i = 0; i < a.levels.size(); ++i) {
    EXPECT_EQ(a.levels[i].name, b.levels[i].name);
    EXPECT_EQ(a.levels[i].meaning, b.levels[i].meaning);
  }
  ASSERT_EQ(a.findings.size(), b.findings.size());
  for (size_t i = 0; i < a.findings.size(); ++i) {
    const FindingDef &x = a.findings[i], &y = b.findings[i];
    EXPECT_TRUE(std::tie(x.key, x.type, x.group, x.meaning, x.min, x.max,
                         x.scale, x.values, x.normal, x.red_flag) ==
                std::tie(y.key, y.type, y.group, y.meaning, y.min, y.max,
                         y.scale, y.values, y.normal, y.red_flag))
        << x.key;
    EXPECT_TRUE(Loc(x.where) == Loc(y.where)) << x.key;
    EXPECT_EQ(b.finding_index.at(x.key), i);
  }
  EXPECT_EQ(a.finding_index.size(), b.finding_index.size());
  ASSERT_EQ(a.conditions.size(), b.conditions.size());
  for (size_t i = 0; i < a.conditions.size(); ++i) {
    const ConditionDef &x = a.conditions[i], &y = b.conditions[i];
    EXPECT_TRUE(
        std::tie(x.id, x.name, x.description, x.covered_by, x.sources) ==
        std::tie(y.id, y.name, y.description, y.covered_by, y.sources))
        << x.id;
    EXPECT_TRUE(Loc(x.where) == Loc(y.where)) << x.id;
  }
  EXPECT_EQ(a.condition_index, b.condition_index);
  ASSERT_EQ(a.services.size(), b.services.size());
  for (size_t i = 0; i < a.services.size(); ++i) {
    EXPECT_EQ(a.services[i].id, b.services[i].id);
    EXPECT_EQ(a.services[i].name, b.services[i].name);
  }
  ASSERT_EQ(a.sources.size(), b.sources.size());
  for (size_t i = 0; i < a.sources.size(); ++i) {
    const SourceDef &x = a.sources[i], &y = b.sources[i];
    EXPECT_TRUE(std::tie(x.id, x.kind, x.title, x.cite, x.publisher, x.year) ==
                std::tie(y.id, y.kind, y.title, y.cite, y.publisher, y.year))
        << x.id;
    EXPECT_TRUE(Loc(x.where) == Loc(y.where)) << x.id;
  }
  ASSERT_EQ(a.rules.size(), b.rules.size());
  for (size_t i = 0; i < a.rules.size(); ++i) {
    const RuleDef &x = a.rules[i], &y = b.rules[i];
    EXPECT_TRUE(std::tie(x.id, x.when, x.unless, x.level, x.conditions, x.see,
                         x.reason, x.sources) ==
                std::tie(y.id, y.when, y.unless, y.level, y.conditions, y.see,
                         y.reason, y.sources))
        << x.id;
    EXPECT_TRUE(Loc(x.where) == Loc(y.where)) << x.id;
  }
  ASSERT_EQ(a.conflicts.size(), b.conflicts.size());
  for (size_t i = 0; i < a.conflicts.size(); ++i) {
    const ConflictDef &x = a.conflicts[i], &y = b.conflicts[i];
    EXPECT_TRUE(std::tie(x.id, x.topic, x.positions, x.decision, x.sources) ==
                std::tie(y.id, y.topic, y.positions, y.decision, y.sources))
        << x.id;
  }
  EXPECT_EQ(a.has_unless, b.has_unless);
  // The compiled program, node by node.
  const Program &p = a.program, &q = b.program;
  ASSERT_EQ(p.nodes.size(), q.nodes.size());
  for (size_t i = 0; i < p.nodes.size(); ++i) {
    const Node &x = p.nodes[i], &y = q.nodes[i];
    EXPECT_TRUE(std::tie(x.op, x.k, x.finding, x.operand, x.end) ==
                std::tie(y.op, y.k, y.finding, y.operand, y.end))
        << "node " << i;
  }
  ASSERT_EQ(p.atoms.size(), q.atoms.size());
  for (size_t i = 0; i < p.atoms.size(); ++i) {
    const Atom &x = p.atoms[i], &y = q.atoms[i];
    EXPECT_TRUE(std::tie(x.finding, x.op, x.operand, x.mask) ==
                std::tie(y.finding, y.op, y.operand, y.mask));
  }
  ASSERT_EQ(p.rules.size(), q.rules.size());
  for (size_t i = 0; i < p.rules.size(); ++i) {
    const CompiledRule &x = p.rules[i], &y = q.rules[i];
    EXPECT_TRUE(
        std::tie(x.when, x.unless, x.level, x.conditions, x.see,
                 x.when_findings, x.always_evaluate, x.may_name_red_flags) ==
        std::tie(y.when, y.unless, y.level, y.conditions, y.see,
                 y.when_findings, y.always_evaluate, y.may_name_red_flags))
        << "rule " << i;
  }
  EXPECT_EQ(p.rules_by_finding, q.rules_by_finding);
  EXPECT_EQ(p.always_rules, q.always_rules);
  EXPECT_EQ(p.red_flags, q.red_flags);
  EXPECT_EQ(p.covered_by, q.covered_by);
  EXPECT_EQ(p.condition_count, q.condition_count);
  ASSERT_EQ(p.index.atoms.size(), q.index.atoms.size());
  for (size_t i = 0; i < p.index.atoms.size(); ++i) {
    const TriggerAtom &x = p.index.atoms[i], &y = q.index.atoms[i];
    EXPECT_TRUE(
        std::tie(x.truth, x.finding, x.operand, x.refs_begin, x.refs_end) ==
        std::tie(y.truth, y.finding, y.operand, y.refs_begin, y.refs_end));
  }
  EXPECT_EQ(p.index.finding_begin, q.index.finding_begin);
  EXPECT_EQ(p.index.gate_refs, q.index.gate_refs);
  ASSERT_EQ(p.index.gates.size(), q.index.gates.size());
  for (size_t i = 0; i < p.index.gates.size(); ++i) {
    const Gate &x = p.index.gates[i], &y = q.index.gates[i];
    EXPECT_TRUE(std::tie(x.parent, x.rule, x.threshold) ==
                std::tie(y.parent, y.rule, y.threshold));
  }
  EXPECT_EQ(p.index.tree_rules, q.index.tree_rules);
  EXPECT_EQ(p.index.tree_rules_filtered, q.index.tree_rules_filtered);
  EXPECT_EQ(p.index.red_flag_atoms, q.index.red_flag_atoms);
  // The pre-rendered JSON.
  EXPECT_EQ(a.finding_json, b.finding_json);
  EXPECT_EQ(a.finding_value_json, b.finding_value_json);
  EXPECT_EQ(a.condition_json, b.condition_json);
  EXPECT_EQ(a.service_json, b.service_json);
  EXPECT_EQ(a.rule_json, b.rule_json);
  EXPECT_EQ(a.version_json, b.version_json);
  // How each finding is asked: from questions.yaml on the YAML path, from
  // backaid_kbc's table here (without parsing questions.yaml).
  ASSERT_EQ(a.asked_as.size(), b.asked_as.size());
  size_t asked = 0;
  for (size_t f = 0; f < a.asked_as.size(); ++f) {
    EXPECT_EQ(a.asked_as[f].question, b.asked_as[f].question) << f;
    EXPECT_EQ(a.asked_as[f].text, b.asked_as[f].text) << f;
    asked += !a.asked_as[f].question.empty();
  }
  EXPECT_GT(asked, 20u);
  // The extensions: loaded at once by the YAML path, on first use here.
  EXPECT_FALSE(a.extensions_lazy);
  EXPECT_TRUE(b.extensions_lazy);
  EXPECT_TRUE(b.extension_models.empty());  // not parsed until asked for
  const auto ka = KnowledgeBaseBuilder::Wrap(std::move(yaml.impl));
  const auto kb = KnowledgeBaseBuilder::Wrap(std::move(fast.impl));
  ASSERT_NE(plan::PlanModelOf(*ka), nullptr);
  ASSERT_NE(plan::PlanModelOf(*kb), nullptr);
  EXPECT_EQ(b.extension_models.size(), BundleExtensions().size());
  EXPECT_EQ(plan::PlanModelOf(*ka)->items.size(),
            plan::PlanModelOf(*kb)->items.size());
  ASSERT_NE(assess::QuestionnaireOf(*ka), nullptr);
  ASSERT_NE(assess::QuestionnaireOf(*kb), nullptr);
  EXPECT_EQ(assess::QuestionnaireOf(*ka)->questions.size(),
            assess::QuestionnaireOf(*kb)->questions.size());
  EXPECT_EQ(ModelOf(*ka, "diary.yaml") == nullptr,
            ModelOf(*kb, "diary.yaml") == nullptr);
  EXPECT_EQ(ModelOf(*ka, "no-such.yaml"), nullptr);
}

}  // namespace
}  // namespace backaid::kb
