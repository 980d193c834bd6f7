// Reporting lint issues against one YAML file of the knowledge base, with
// the line and column taken from yaml-cpp's marks. Shared by every loader
// (core, plan.yaml, questions.yaml) so that problems read the same.
#ifndef BACKAID_SRC_KNOWLEDGE_YAML_LINT_H_
#define BACKAID_SRC_KNOWLEDGE_YAML_LINT_H_

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backaid/knowledge_base.h"

namespace backaid::kb {

class YamlLint {
 public:
  YamlLint(std::string file, std::vector<LintIssue>* issues)
      : file_(std::move(file)), issues_(issues) {}

  // Where `node` starts (1-based line and column; 0 when unknown).
  SourceLocation Where(const YAML::Node& node) const {
    SourceLocation w;
    w.file = file_;
    if (node.IsDefined() && node.Mark().line >= 0) {
      w.line = node.Mark().line + 1;
      w.column = node.Mark().column + 1;
    }
    return w;
  }

  // Reports `msg` at `node`, `column_offset` characters into it.
  void At(const YAML::Node& node, std::string msg, int column_offset = 0) {
    LintIssue issue;
    issue.where = Where(node);
    if (issue.where.line > 0) issue.where.column += column_offset;
    issue.message = std::move(msg);
    issues_->push_back(std::move(issue));
  }

  // Reports keys of a mapping that are not in `allowed` (typos such as
  // "wen:" must not silently drop a condition).
  void CheckKeys(const YAML::Node& map,
                 std::initializer_list<std::string_view> allowed,
                 std::string_view what) {
    if (!map.IsMap()) return;
    for (const auto& kv : map) {
      const std::string key = kv.first.as<std::string>("");
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end())
        continue;
      std::string list;
      for (auto a : allowed) {
        if (!list.empty()) list += ", ";
        list += a;
      }
      At(kv.first, fmt::format("unknown key '{}' in {} (allowed: {})", key,
                               what, list));
    }
  }

 protected:
  std::string file_;
  std::vector<LintIssue>* issues_;
};

// The one YAML number reader of every loader. The number a scalar holds
// when the whole scalar is a finite decimal number ("2", "-1.5", "1e3"), else
// nullopt (a list, a mapping, "", "2 kg", "nan").
std::optional<double> YamlNumber(const YAML::Node& n);
// The whole number a scalar holds when the whole scalar is one in int
// range ("7", "-3"), else nullopt ("7.0", "7 days", "", a list).
std::optional<int> YamlInt(const YAML::Node& n);

// An exception thrown while a loader read `file` (yaml-cpp's BadSubscript,
// InvalidNode, ...: a node of a kind that no check expected), as an issue
// at the exception's mark, or at the start of the file when it has none.
// Loaders catch at their edge with this, so a malformed knowledge base is
// refused with `file:line: message` and never ends the program.
inline LintIssue IssueFromException(const std::string& file,
                                    const std::exception& e) {
  LintIssue issue{SourceLocation{file, 1, 1}, ""};
  if (const auto* y = dynamic_cast<const YAML::Exception*>(&e)) {
    if (y->mark.line >= 0) {
      issue.where.line = y->mark.line + 1;
      issue.where.column = y->mark.column + 1;
    }
    issue.message = "wrong YAML shape: " + y->msg;
  } else {
    issue.message = std::string("cannot load: ") + e.what();
  }
  return issue;
}

}  // namespace backaid::kb

#endif  // BACKAID_SRC_KNOWLEDGE_YAML_LINT_H_
