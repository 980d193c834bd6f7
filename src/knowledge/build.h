// The stages of building a knowledge base's core from its files, shared by
// the files of this directory (internal):
//   yaml_read.cc      YAML parsing helpers (kinds, keys, text, lists)
//   schema.cc         kb.yaml, sources, findings, conditions, rules and
//                     conflicts: shape, ids and references (definitions)
//   lint.cc           the lint checks that need the whole core (red flags
//                     used, trigger polarity, rules that can never fire)
//   compile.cc        the flattened program
//   trigger_index.cc  the trigger index (atoms by finding, threshold gates)
//   render_json.cc    the pre-rendered JSON fragments
//   version.cc        the version hash
//   loader.cc         Build, BuildFromDefinitions, ReadKnowledgeDir
// Each stage appends its problems to a Reporter and never throws, except
// that yaml-cpp may throw from schema.cc (caught there, per file).
#ifndef BACKAID_SRC_KNOWLEDGE_BUILD_H_
#define BACKAID_SRC_KNOWLEDGE_BUILD_H_

#include <yaml-cpp/yaml.h>

#include <functional>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "backaid/knowledge_base.h"
#include "src/knowledge/eval.h"
#include "src/knowledge/expr.h"
#include "src/knowledge/loader.h"
#include "src/knowledge/program.h"
#include "src/knowledge/yaml_lint.h"

namespace backaid::kb {

// ---- yaml_read.cc ---------------------------------------------------------

// Collects issues against any file of the knowledge base.
class Reporter {
 public:
  explicit Reporter(std::vector<LintIssue>* issues) : issues_(issues) {}

  void At(const std::string& file, const YAML::Node& node, std::string msg,
          int column_offset = 0) {
    YamlLint(file, issues_).At(node, std::move(msg), column_offset);
  }
  void At(const SourceLocation& where, std::string msg) {
    issues_->push_back(LintIssue{where, std::move(msg)});
  }
  std::vector<LintIssue>* issues() { return issues_; }

 private:
  std::vector<LintIssue>* issues_;
};

// "a mapping", "a list", "a value", "empty" or "missing".
const char* KindName(const YAML::Node& node);

// Where `node` starts in `file`.
SourceLocation Where(const std::string& file, const YAML::Node& node);

// Reports keys of `map` that are not in `allowed`.
void CheckKeys(Reporter& r, const std::string& file, const YAML::Node& map,
               std::initializer_list<std::string_view> allowed,
               std::string_view what);

// Reads text `key` of `map` into `out`. Returns false (and reports, when
// required or of the wrong kind) unless it is present, text and, when
// required, not empty.
bool GetString(Reporter& r, const std::string& file, const YAML::Node& map,
               const char* key, std::string* out, bool required,
               std::string_view what);

// The items of list `key` of `map` with their nodes; reports a non-list and
// items that are not text. Empty when absent.
std::vector<std::pair<std::string, YAML::Node>> GetStringList(
    Reporter& r, const std::string& file, const YAML::Node& map,
    const char* key, std::string_view what);

// ---- schema.cc --------------------------------------------------------------

// The core files of a knowledge base, parsed.
struct CoreDocs {
  std::map<std::string, YAML::Node> files;  // kb.yaml, findings.yaml, ...
  std::vector<std::pair<std::string, YAML::Node>> rules;  // rules/*.yaml
};

// Reads the definitions of `docs` into `impl` (levels, services, sources,
// findings, conditions, rules with their parsed conditions, conflicts),
// reporting every problem. Returns false when a file's loader stopped on a
// yaml-cpp exception (a node of a kind no check expected): the definitions
// are then incomplete and must not be compiled.
bool LoadDefinitions(const CoreDocs& docs, KnowledgeBase::Impl* impl,
                     Reporter& r);

// ---- lint.cc ----------------------------------------------------------------

// Reports atoms of a `when` that an unanswered question could switch off.
// `fail(column, message)` is called for each.
void CheckTriggerPolarity(const Expr& e, bool positive,
                          const std::vector<FindingDef>& findings,
                          const std::function<void(int, std::string)>& fail);

// True if some assignment of the rule's findings makes it fire (or the
// search space is too large to settle it).
bool CanFire(const Program& p, const CompiledRule& rule,
             const std::vector<FindingDef>& findings);

// Reports red-flag findings that no rule's `when` uses.
void CheckRedFlagsUsed(const KnowledgeBase::Impl& impl, Reporter& r);

// ---- compile.cc -------------------------------------------------------------

// The node operation of an atom operation.
NodeOp AtomNodeOp(AtomOp op);

// Appends `e` flattened to p->nodes; returns its index.
uint32_t Flatten(const Expr& e, Program* p);

// The findings `e` mentions; sets *uses_knownness if it tests knownness.
void CollectFindings(const Expr& e, FindingSet* out, bool* uses_knownness);

// Compiles impl's rules into impl->program (and its trigger index). With
// `lint`, reports rules that can never fire; reports limits exceeded.
void Compile(KnowledgeBase::Impl* impl, bool lint, Reporter& r);

// ---- trigger_index.cc -------------------------------------------------------

// Builds p->index from the rules' `when` expressions.
void BuildTriggerIndex(const std::vector<Expr>& whens, size_t finding_count,
                       Program* p);

// ---- render_json.cc ---------------------------------------------------------

// `s` as a JSON string literal, quotes included.
std::string JsonString(std::string_view s);

// Fills impl's pre-rendered JSON fragments.
void RenderJson(KnowledgeBase::Impl* impl);

// ---- version.cc -------------------------------------------------------------

// Lower-case hex SHA-256 over the paths, sizes and contents of `files` in
// path order. Needs sodium_init() to have succeeded.
std::string Sha256Hex(const std::vector<KbFile>& files);

}  // namespace backaid::kb

#endif  // BACKAID_SRC_KNOWLEDGE_BUILD_H_
