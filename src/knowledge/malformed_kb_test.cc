// A knowledge base with the wrong YAML shape anywhere must be refused with
// `file:line: message`, never abort the program (issue 12, finding 4).
//
// Every node of every file of a small knowledge base (core, rules, plan,
// questions) is replaced in turn by a node of
// another kind (a mapping or list by a scalar or the other collection, a
// scalar by a list), and the shallow nodes of the real knowledge base (and
// of its diary.yaml, which the test KB lacks) the same way. Build must return,
// refuse the result, and name the file that was broken with a line number.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <functional>
#include <string>
#include <vector>

#include "src/knowledge/loader.h"
#include "src/knowledge/test_kb.h"

namespace backaid::kb {
namespace {

// Pre-order list of the nodes of `root` (values only, not map keys), with
// their depth.
void Walk(YAML::Node node, int depth, int max_depth,
          std::vector<std::pair<YAML::Node, int>>* out) {
  out->emplace_back(node, depth);
  if (depth >= max_depth) return;
  if (node.IsMap()) {
    for (auto kv : node) Walk(kv.second, depth + 1, max_depth, out);
  } else if (node.IsSequence()) {
    for (auto item : node) Walk(item, depth + 1, max_depth, out);
  }
}

std::vector<YAML::Node> Replacements(const YAML::Node& n) {
  YAML::Node scalar("x");
  YAML::Node seq(YAML::NodeType::Sequence);
  seq.push_back("x");
  YAML::Node map(YAML::NodeType::Map);
  map["x"] = "y";
  if (n.IsMap()) return {scalar, seq};
  if (n.IsSequence()) return {scalar, map};
  if (n.IsScalar()) return {seq, map};
  return {};
}

std::string Emit(const YAML::Node& n) {
  YAML::Emitter e;
  e << n;
  return e.c_str();
}

struct Counts {
  int mutations = 0;
  int failures = 0;
};

// Mutates every node (to `max_depth`) of every file of `files` whose path
// passes `which`, and checks each Build.
Counts MutateAll(const std::vector<KbFile>& files, int max_depth,
                 const std::function<bool(const std::string&)>& which) {
  Counts c;
  for (size_t fi = 0; fi < files.size(); ++fi) {
    if (!which(files[fi].path)) continue;
    const YAML::Node original = YAML::Load(files[fi].content);
    std::vector<std::pair<YAML::Node, int>> nodes;
    Walk(original, 0, max_depth, &nodes);
    for (size_t ni = 0; ni < nodes.size(); ++ni) {
      for (size_t ri = 0; ri < Replacements(nodes[ni].first).size(); ++ri) {
        // Mutate a fresh copy: find node ni again in the clone.
        YAML::Node copy = YAML::Clone(original);
        std::vector<std::pair<YAML::Node, int>> copy_nodes;
        Walk(copy, 0, max_depth, &copy_nodes);
        YAML::Node target = copy_nodes[ni].first;
        std::string text;
        if (ni == 0) {
          text = Emit(Replacements(target)[ri]);
        } else {
          target = Replacements(target)[ri];  // rebinds the node in the tree
          text = Emit(copy);
        }
        std::vector<KbFile> mutated = files;
        mutated[fi].content = text;
        ++c.mutations;
        std::string what = files[fi].path + " node " + std::to_string(ni) +
                           " replacement " + std::to_string(ri) + ":\n" + text;
        BuildOutput out;
        try {
          out = Build(mutated);
        } catch (const std::exception& e) {
          ++c.failures;
          ADD_FAILURE() << "Build threw " << e.what() << " for " << what;
          continue;
        } catch (...) {
          ++c.failures;
          ADD_FAILURE() << "Build threw for " << what;
          continue;
        }
        bool named = false;
        for (const LintIssue& i : out.issues) {
          if (i.where.file == files[fi].path && i.where.line > 0) named = true;
        }
        if (out.issues.empty() || !named) {
          ++c.failures;
          std::string issues;
          for (const LintIssue& i : out.issues) issues += i.ToString() + "\n";
          ADD_FAILURE() << "no issue with a line in " << files[fi].path
                        << " for " << what << "\nissues:\n"
                        << issues;
        }
      }
    }
  }
  return c;
}

TEST(MalformedKb, EveryNodeOfTheTestKbWithTheWrongShapeIsAnIssue) {
  std::vector<KbFile> files =
      testing::TestKbFiles(testing::kGoodRules, /*with_base_rule=*/true);
  ASSERT_TRUE(Build(files).issues.empty());
  const Counts c =
      MutateAll(files, 100, [](const std::string&) { return true; });
  EXPECT_GT(c.mutations, 200);
  EXPECT_EQ(c.failures, 0);
}

TEST(MalformedKb, ShallowNodesOfTheRealKbWithTheWrongShapeAreIssues) {
  const std::vector<KbFile> files = EmbeddedFiles();
  ASSERT_TRUE(Build(files).issues.empty());
  // Depth 1: each file and its top-level members (each Build of the real
  // knowledge base costs ~50 ms). Every depth is covered by the test KB
  // above.
  const Counts c = MutateAll(files, 1, [](const std::string&) { return true; });
  EXPECT_GT(c.mutations, 20);
  EXPECT_EQ(c.failures, 0);
}

TEST(MalformedKb, ItemsOfTheRealDiaryWithTheWrongShapeAreIssues) {
  const std::vector<KbFile> files = EmbeddedFiles();
  const Counts c = MutateAll(
      files, 2, [](const std::string& path) { return path == "diary.yaml"; });
  EXPECT_GT(c.mutations, 10);
  EXPECT_EQ(c.failures, 0);
}

}  // namespace
}  // namespace backaid::kb
