#include "src/knowledge/loader.h"

#include <fmt/format.h>
#include <sodium.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "src/knowledge/eval.h"
#include "src/knowledge/extension.h"
#include "src/knowledge/yaml_lint.h"

namespace backaid::kb {
namespace {

namespace fs = std::filesystem;

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

const char* KindName(const YAML::Node& node) {
  if (!node.IsDefined()) return "missing";
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a value";
    default:
      return "empty";
  }
}

SourceLocation Where(const std::string& file, const YAML::Node& node) {
  return YamlLint(file, nullptr).Where(node);
}

void CheckKeys(Reporter& r, const std::string& file, const YAML::Node& map,
               std::initializer_list<std::string_view> allowed,
               std::string_view what) {
  YamlLint(file, r.issues()).CheckKeys(map, allowed, what);
}

bool GetString(Reporter& r, const std::string& file, const YAML::Node& map,
               const char* key, std::string* out, bool required,
               std::string_view what) {
  const YAML::Node n = map[key];
  if (!n.IsDefined() || n.IsNull()) {
    if (required) {
      r.At(file, map, fmt::format("{} is missing '{}'", what, key));
    }
    return false;
  }
  if (!n.IsScalar()) {
    r.At(file, n, fmt::format("'{}' in {} must be text", key, what));
    return false;
  }
  *out = n.Scalar();
  if (required && out->empty()) {
    r.At(file, n, fmt::format("'{}' in {} is empty", key, what));
    return false;
  }
  return true;
}

std::vector<std::pair<std::string, YAML::Node>> GetStringList(
    Reporter& r, const std::string& file, const YAML::Node& map,
    const char* key, std::string_view what) {
  std::vector<std::pair<std::string, YAML::Node>> out;
  const YAML::Node n = map[key];
  if (!n.IsDefined() || n.IsNull()) return out;
  if (!n.IsSequence()) {
    r.At(file, n, fmt::format("'{}' in {} must be a list", key, what));
    return out;
  }
  for (const auto& item : n) {
    if (!item.IsScalar()) {
      r.At(file, item, fmt::format("items of '{}' in {} must be text", key,
                                   what));
      continue;
    }
    out.emplace_back(item.Scalar(), item);
  }
  return out;
}

std::optional<double> ParseNumber(const YAML::Node& n) {
  if (!n.IsScalar()) return std::nullopt;
  try {
    const std::string& s = n.Scalar();
    size_t used = 0;
    double v = std::stod(s, &used);
    if (used != s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
  } catch (...) {
    return std::nullopt;
  }
}

std::string Sha256Hex(const std::vector<KbFile>& files) {
  std::vector<const KbFile*> sorted;
  for (const auto& f : files) sorted.push_back(&f);
  std::sort(sorted.begin(), sorted.end(),
            [](const KbFile* a, const KbFile* b) { return a->path < b->path; });
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  for (const KbFile* f : sorted) {
    const std::string header =
        fmt::format("{}\n{}\n", f->path, f->content.size());
    crypto_hash_sha256_update(
        &st, reinterpret_cast<const unsigned char*>(header.data()),
        header.size());
    crypto_hash_sha256_update(
        &st, reinterpret_cast<const unsigned char*>(f->content.data()),
        f->content.size());
  }
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&st, digest);
  std::string hex;
  for (unsigned char b : digest) hex += fmt::format("{:02x}", b);
  return hex;
}

NodeOp AtomNodeOp(AtomOp op) {
  switch (op) {
    case AtomOp::kIsTrue:
      return NodeOp::kIsTrue;
    case AtomOp::kEq:
      return NodeOp::kEq;
    case AtomOp::kNe:
      return NodeOp::kNe;
    case AtomOp::kLt:
      return NodeOp::kLt;
    case AtomOp::kLe:
      return NodeOp::kLe;
    case AtomOp::kGt:
      return NodeOp::kGt;
    case AtomOp::kGe:
      return NodeOp::kGe;
    case AtomOp::kIn:
      return NodeOp::kIn;
    case AtomOp::kIsUnknown:
      return NodeOp::kIsUnknown;
    case AtomOp::kIsKnown:
      return NodeOp::kIsKnown;
  }
  return NodeOp::kIsTrue;
}

uint32_t Flatten(const Expr& e, Program* p) {
  const uint32_t idx = static_cast<uint32_t>(p->nodes.size());
  Node node{NodeOp::kAnd, static_cast<uint8_t>(e.k), 0, 0, 0};
  switch (e.kind) {
    case Expr::Kind::kAnd:
      node.op = NodeOp::kAnd;
      break;
    case Expr::Kind::kOr:
      node.op = NodeOp::kOr;
      break;
    case Expr::Kind::kNot:
      node.op = NodeOp::kNot;
      break;
    case Expr::Kind::kAtLeast:
      node.op = NodeOp::kAtLeast;
      break;
    case Expr::Kind::kAtom:
      node.op = AtomNodeOp(e.atom.op);
      node.finding = e.atom.finding;
      node.operand = e.atom.op == AtomOp::kIn
                         ? static_cast<int32_t>(e.atom.mask)
                         : e.atom.operand;
      p->atoms.push_back(e.atom);
      break;
  }
  p->nodes.push_back(node);
  for (const Expr& c : e.children) Flatten(c, p);
  p->nodes[idx].end = static_cast<uint32_t>(p->nodes.size());
  return idx;
}

void CollectFindings(const Expr& e, FindingSet* out, bool* uses_knownness) {
  if (e.kind == Expr::Kind::kAtom) {
    out->set(e.atom.finding);
    if (e.atom.op == AtomOp::kIsUnknown || e.atom.op == AtomOp::kIsKnown)
      *uses_knownness = true;
    return;
  }
  for (const Expr& c : e.children) CollectFindings(c, out, uses_knownness);
}

// True if `e` has no negation and no knownness test (so it can go in the
// trigger index).
bool Indexable(const Expr& e) {
  if (e.kind == Expr::Kind::kNot) return false;
  if (e.kind == Expr::Kind::kAtom)
    return e.atom.op != AtomOp::kIsUnknown && e.atom.op != AtomOp::kIsKnown;
  for (const Expr& c : e.children)
    if (!Indexable(c)) return false;
  return true;
}

using AtomKey = std::tuple<int, int, int32_t>;

AtomKey KeyOf(const Atom& a) {
  return {a.finding, static_cast<int>(a.op),
          a.op == AtomOp::kIn ? static_cast<int32_t>(a.mask) : a.operand};
}

// Adds the gates of `e` (a connective) under `parent`; atoms record the gate
// they feed in `refs`.
void AddGates(const Expr& e, uint32_t parent, uint16_t rule,
              std::map<AtomKey, uint32_t>& ids, std::vector<Atom>& atoms,
              std::vector<std::vector<uint32_t>>& refs, TriggerIndex* index) {
  if (e.kind == Expr::Kind::kAtom) {
    auto key = KeyOf(e.atom);
    auto it = ids.find(key);
    if (it == ids.end()) {
      it = ids.emplace(key, static_cast<uint32_t>(atoms.size())).first;
      atoms.push_back(e.atom);
      refs.emplace_back();
    }
    refs[it->second].push_back(parent);
    return;
  }
  const auto gate = static_cast<uint32_t>(index->gates.size());
  const size_t n = e.children.size();
  const size_t threshold = e.kind == Expr::Kind::kOr    ? 1
                           : e.kind == Expr::Kind::kAnd ? n
                                                        : static_cast<size_t>(e.k);
  index->gates.push_back(Gate{parent, rule, static_cast<uint8_t>(threshold)});
  for (const Expr& c : e.children)
    AddGates(c, gate, rule, ids, atoms, refs, index);
}

void BuildTriggerIndex(const std::vector<Expr>& whens, size_t finding_count,
                       Program* p) {
  TriggerIndex& index = p->index;
  std::map<AtomKey, uint32_t> ids;
  std::vector<Atom> atoms;
  std::vector<std::vector<uint32_t>> refs;  // per atom id: gates it feeds
  for (size_t r = 0; r < p->rules.size(); ++r) {
    if (!Indexable(whens[r])) {
      index.tree_rules.set(r);
      continue;
    }
    const auto rule = static_cast<uint16_t>(r);
    if (whens[r].kind == Expr::Kind::kAtom) {
      // A single-atom condition: a one-input root gate.
      const auto gate = static_cast<uint32_t>(index.gates.size());
      index.gates.push_back(Gate{kNoGate, rule, 1});
      AddGates(whens[r], gate, rule, ids, atoms, refs, &index);
    } else {
      AddGates(whens[r], kNoGate, rule, ids, atoms, refs, &index);
    }
  }
  std::vector<uint32_t> order(atoms.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return atoms[a].finding < atoms[b].finding;
  });
  index.finding_begin.assign(finding_count + 1, 0);
  std::vector<uint32_t> position(atoms.size());
  for (uint32_t i = 0; i < order.size(); ++i) position[order[i]] = i;
  for (uint32_t id : order) {
    const Atom& a = atoms[id];
    TriggerAtom t;
    t.truth = TruthTable(AtomNodeOp(a.op));
    t.finding = a.finding;
    t.operand =
        a.op == AtomOp::kIn ? static_cast<int32_t>(a.mask) : a.operand;
    t.refs_begin = static_cast<uint32_t>(index.gate_refs.size());
    index.gate_refs.insert(index.gate_refs.end(), refs[id].begin(),
                           refs[id].end());
    t.refs_end = static_cast<uint32_t>(index.gate_refs.size());
    index.atoms.push_back(t);
    ++index.finding_begin[a.finding + 1];
  }
  for (size_t f = 0; f < finding_count; ++f)
    index.finding_begin[f + 1] += index.finding_begin[f];
  index.tree_rules_filtered = index.tree_rules & ~p->always_rules;
  // Red-flag atoms per rule, as positions in index.atoms.
  index.red_flag_atoms.assign(p->rules.size(), {});
  std::function<void(const Expr&, std::vector<uint32_t>*)> collect =
      [&](const Expr& e, std::vector<uint32_t>* out) {
        if (e.kind == Expr::Kind::kAtom) {
          auto it = ids.find(KeyOf(e.atom));
          if (it != ids.end() && p->red_flags.test(e.atom.finding))
            out->push_back(position[it->second]);
          return;
        }
        for (const Expr& c : e.children) collect(c, out);
      };
  for (size_t r = 0; r < p->rules.size(); ++r) {
    if (!index.tree_rules.test(r)) collect(whens[r], &index.red_flag_atoms[r]);
  }
}

// The monotonicity lint for `when`: walks with polarity and reports atoms
// that an unanswered question could switch off (lowering the level below
// what the answer "no" gives).
void CheckTriggerPolarity(const Expr& e, bool positive,
                          const std::vector<FindingDef>& findings,
                          const std::function<void(int, std::string)>& fail) {
  switch (e.kind) {
    case Expr::Kind::kNot:
      CheckTriggerPolarity(e.children[0], !positive, findings, fail);
      return;
    case Expr::Kind::kAnd:
    case Expr::Kind::kOr:
    case Expr::Kind::kAtLeast:
      for (const Expr& c : e.children)
        CheckTriggerPolarity(c, positive, findings, fail);
      return;
    case Expr::Kind::kAtom:
      break;
  }
  const Atom& a = e.atom;
  const FindingDef& f = findings[a.finding];
  if (a.op == AtomOp::kIsUnknown || a.op == AtomOp::kIsKnown) {
    const bool true_when_unknown = (a.op == AtomOp::kIsUnknown) == positive;
    if (!true_when_unknown) {
      fail(e.column,
           fmt::format("'{}' in `when` is true for an answered question and "
                       "false for an unanswered one, so not answering would "
                       "lower the level",
                       AtomToString(a, findings)));
    }
    return;
  }
  if (!positive) {
    fail(e.column,
         fmt::format("negated '{}' in `when`: an unanswered '{}' would switch "
                     "this rule off and give a lower level than the answer "
                     "'no'; write the exception in `unless`",
                     AtomToString(a, findings), f.key));
    return;
  }
  if (f.normal && TestAtom(a, *f.normal)) {
    fail(e.column,
         fmt::format("'{}' in `when` is true for the normal answer '{}', so "
                     "an unanswered '{}' would give a lower level than "
                     "'normal'; test the abnormal values instead",
                     AtomToString(a, findings), ValueToString(f, *f.normal),
                     f.key));
  }
}

// Values worth trying for a finding when searching for an assignment that
// makes a rule fire.
std::vector<int32_t> CandidateValues(const FindingDef& f,
                                     const std::vector<Atom>& atoms) {
  std::set<int32_t> vals{kUnknown};
  switch (f.type) {
    case FindingType::kBool:
      vals.insert(0);
      vals.insert(1);
      break;
    case FindingType::kEnum:
      for (size_t i = 0; i < f.values.size(); ++i)
        vals.insert(static_cast<int32_t>(i));
      break;
    case FindingType::kInt:
    case FindingType::kNumber:
      vals.insert(f.min);
      vals.insert(f.max);
      for (const Atom& a : atoms) {
        for (int32_t d : {-1, 0, 1}) {
          const int64_t v = static_cast<int64_t>(a.operand) + d;
          if (v >= f.min && v <= f.max) vals.insert(static_cast<int32_t>(v));
        }
      }
      break;
  }
  return {vals.begin(), vals.end()};
}

// True if some assignment of the rule's findings makes it fire (or the
// search space is too large to settle it).
bool CanFire(const Program& p, const CompiledRule& rule,
             const std::vector<FindingDef>& findings) {
  std::vector<FindingId> ids;
  FindingSet used = rule.when_findings;
  if (rule.unless != kNoNode) {
    for (uint32_t n = rule.unless; n < p.nodes[rule.unless].end; ++n) {
      if (IsAtom(p.nodes[n].op)) used.set(p.nodes[n].finding);
    }
  }
  for (size_t i = 0; i < findings.size(); ++i)
    if (used.test(i)) ids.push_back(static_cast<FindingId>(i));
  std::vector<std::vector<int32_t>> domains;
  double space = 1;
  for (FindingId id : ids) {
    std::vector<Atom> on_finding;
    for (const Atom& a : p.atoms)
      if (a.finding == id) on_finding.push_back(a);
    domains.push_back(CandidateValues(findings[id], on_finding));
    space *= static_cast<double>(domains.back().size());
  }
  if (space > 2e6) return true;
  std::vector<int32_t> values(findings.size(), kUnknown);
  std::vector<size_t> pos(ids.size(), 0);
  while (true) {
    for (size_t i = 0; i < ids.size(); ++i) values[ids[i]] = domains[i][pos[i]];
    if (Fires(p, rule, values.data())) return true;
    size_t i = 0;
    for (; i < ids.size(); ++i) {
      if (++pos[i] < domains[i].size()) break;
      pos[i] = 0;
    }
    if (i == ids.size()) return false;
  }
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

class Builder {
 public:
  Builder(const std::vector<KbFile>& files, Extensions extensions,
          std::vector<LintIssue>* issues)
      : files_(files), extensions_(extensions), r_(issues), issues_(issues) {}

  // The fast path for definitions that linted clean when they were made
  // (the built-in knowledge base, see EmbeddedDefinitions): indexes, parses
  // the rule conditions and compiles, without the lint checks.
  std::unique_ptr<KnowledgeBase::Impl> FromDefinitions(
      std::unique_ptr<KnowledgeBase::Impl> impl) {
    impl_ = std::move(impl);
    lint_ = false;
    for (size_t i = 0; i < impl_->findings.size(); ++i)
      impl_->finding_index[impl_->findings[i].key] = static_cast<FindingId>(i);
    for (size_t i = 0; i < impl_->conditions.size(); ++i)
      impl_->condition_index[impl_->conditions[i].id] =
          static_cast<uint16_t>(i);
    impl_->has_unless.clear();
    for (const RuleDef& def : impl_->rules) {
      Expr when, unless;
      for (auto [text, out, what] :
           {std::tuple{&def.when, &when, "when"},
            std::tuple{&def.unless, &unless, "unless"}}) {
        if (text->empty()) continue;
        ParseError err;
        if (!ParseExpr(*text, impl_->findings, impl_->finding_index, out,
                       &err)) {
          r_.At(def.where,
                fmt::format("rule {} {}: {}", def.id, what, err.message));
        }
      }
      impl_->when_exprs.push_back(std::move(when));
      impl_->unless_exprs.push_back(std::move(unless));
      impl_->has_unless.push_back(!def.unless.empty());
    }
    Compile();
    RenderJson();
    return std::move(impl_);
  }

  std::unique_ptr<KnowledgeBase::Impl> Run() {
    impl_ = std::make_unique<KnowledgeBase::Impl>();
    std::map<std::string, std::pair<std::string, YAML::Node>> docs;
    std::vector<std::pair<std::string, YAML::Node>> rule_docs;
    for (const KbFile& f : files_) {
      YAML::Node doc;
      try {
        doc = YAML::Load(f.content);
      } catch (const YAML::Exception& e) {
        LintIssue issue;
        issue.where.file = f.path;
        issue.where.line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
        issue.where.column = e.mark.column >= 0 ? e.mark.column + 1 : 0;
        issue.message = "YAML syntax error: " + e.msg;
        issues_->push_back(issue);
        continue;
      }
      if (f.path.rfind("rules/", 0) == 0) {
        rule_docs.emplace_back(f.path, doc);
      } else if (f.path == "kb.yaml" || f.path == "findings.yaml" ||
                 f.path == "conditions.yaml" || f.path == "sources.yaml" ||
                 f.path == "conflicts.yaml") {
        docs[f.path] = {f.path, doc};
      } else if (IsExtensionFile(extensions_, f.path)) {
        // Loaded by its own module after the core (see extension.h).
      } else {
        r_.At(SourceLocation{f.path, 0, 0},
              "unexpected file: the knowledge base has kb.yaml, "
              "findings.yaml, conditions.yaml, sources.yaml, conflicts.yaml "
              "and rules/*.yaml");
      }
    }
    for (const char* required : {"kb.yaml", "findings.yaml", "conditions.yaml",
                                 "sources.yaml", "conflicts.yaml"}) {
      if (!docs.count(required)) {
        r_.At(SourceLocation{required, 0, 0}, "required file is missing");
      }
    }
    if (rule_docs.empty()) {
      r_.At(SourceLocation{"rules/", 0, 0}, "no rule files (rules/*.yaml)");
    }
    auto load = [&](const char* path, void (Builder::*fn)(const YAML::Node&)) {
      if (!docs.count(path)) return;
      const YAML::Node& doc = docs[path].second;
      Guard(path, [&] { (this->*fn)(doc); });
    };
    load("kb.yaml", &Builder::LoadManifest);
    load("sources.yaml", &Builder::LoadSources);
    load("findings.yaml", &Builder::LoadFindings);
    load("conditions.yaml", &Builder::LoadConditions);
    for (const auto& rule_doc : rule_docs) {
      Guard(rule_doc.first,
            [&] { LoadRules(rule_doc.first, rule_doc.second); });
    }
    load("conflicts.yaml", &Builder::LoadConflicts);
    // Definitions cut short by a wrong shape are not compiled.
    if (broken_) return nullptr;
    CheckRedFlagsUsed();
    Compile();
    impl_->version =
        impl_->semver + "+" + Sha256Hex(files_).substr(0, 12);
    RenderJson();
    return std::move(impl_);
  }

 private:
  const std::vector<SourceDef>& sources() { return impl_->sources; }

  // Reports `node` unless it is a mapping (indexing a scalar throws in
  // yaml-cpp, and indexing a list finds nothing).
  bool IsMapping(const std::string& file, const YAML::Node& node,
                 std::string_view what) {
    if (node.IsMap()) return true;
    SourceLocation w = Where(file, node);
    if (w.line == 0) w = SourceLocation{file, 1, 1};  // an empty file
    r_.At(w, fmt::format("{} must be a mapping (key: value), not {}", what,
                         KindName(node)));
    return false;
  }

  // Runs one file's loader. A yaml-cpp exception (a node of a kind that no
  // check expected) becomes an issue at its mark instead of ending the
  // program; the definitions are then refused, not compiled.
  template <typename F>
  void Guard(const std::string& file, F&& load) {
    try {
      load();
    } catch (const std::exception& e) {
      issues_->push_back(IssueFromException(file, e));
      broken_ = true;
    }
  }

  std::vector<uint16_t> ResolveSources(const std::string& file,
                                       const YAML::Node& map,
                                       std::string_view what, bool required) {
    std::vector<uint16_t> out;
    auto list = GetStringList(r_, file, map, "sources", what);
    if (list.empty() && required) {
      r_.At(file, map, fmt::format("{} has no sources: every rule and piece "
                                   "of advice needs one",
                                   what));
    }
    for (const auto& [id, node] : list) {
      auto it = source_index_.find(id);
      if (it == source_index_.end()) {
        r_.At(file, node, fmt::format("unknown source '{}' in {}", id, what));
        continue;
      }
      out.push_back(it->second);
    }
    return out;
  }

  void LoadManifest(const YAML::Node& doc) {
    const std::string file = "kb.yaml";
    if (!IsMapping(file, doc, "kb.yaml")) return;
    CheckKeys(r_, file, doc, {"name", "version", "levels", "services"},
              "kb.yaml");
    GetString(r_, file, doc, "name", &impl_->name, true, "kb.yaml");
    GetString(r_, file, doc, "version", &impl_->semver, true, "kb.yaml");
    const YAML::Node levels = doc["levels"];
    for (int i = 0; i < kLevelCount && IsMapping(file, levels, "'levels'");
         ++i) {
      const auto level = static_cast<TriageLevel>(i);
      const std::string name(LevelName(level));
      impl_->levels[i].name = name;
      const YAML::Node l = levels[name];
      if (!l.IsDefined()) {
        r_.At(file, levels, fmt::format("level '{}' is missing", name));
        continue;
      }
      if (!IsMapping(file, l, "a level")) continue;
      CheckKeys(r_, file, l, {"meaning"}, "a level");
      GetString(r_, file, l, "meaning", &impl_->levels[i].meaning, true,
                fmt::format("level '{}'", name));
    }
    if (levels.IsMap()) {
      for (const auto& kv : levels) {
        if (!ParseLevel(kv.first.as<std::string>(""))) {
          r_.At(file, kv.first,
                fmt::format("unknown level '{}'", kv.first.as<std::string>("")));
        }
      }
    }
    const YAML::Node services = doc["services"];
    if (!services.IsSequence()) {
      r_.At(file, doc, "kb.yaml needs a 'services' list");
      return;
    }
    for (const auto& s : services) {
      if (!IsMapping(file, s, "a service")) continue;
      CheckKeys(r_, file, s, {"id", "name"}, "a service");
      ServiceDef def;
      if (!GetString(r_, file, s, "id", &def.id, true, "a service")) continue;
      GetString(r_, file, s, "name", &def.name, true, "service " + def.id);
      if (service_index_.count(def.id)) {
        r_.At(file, s, fmt::format("duplicate service id '{}'", def.id));
        continue;
      }
      if (impl_->services.size() >= 32) {
        r_.At(file, s, "more than 32 services");
        continue;
      }
      service_index_[def.id] = static_cast<uint16_t>(impl_->services.size());
      impl_->services.push_back(def);
    }
  }

  void LoadSources(const YAML::Node& doc) {
    const std::string file = "sources.yaml";
    if (!IsMapping(file, doc, "sources.yaml")) return;
    CheckKeys(r_, file, doc, {"sources"}, "sources.yaml");
    const YAML::Node list = doc["sources"];
    if (!list.IsSequence()) {
      r_.At(file, doc, "sources.yaml needs a 'sources' list");
      return;
    }
    for (const auto& s : list) {
      if (!IsMapping(file, s, "a source")) continue;
      CheckKeys(r_, file, s,
                {"id", "kind", "title", "cite", "publisher", "year", "file",
                 "note"},
                "a source");
      SourceDef def;
      def.where = Where(file, s);
      if (!GetString(r_, file, s, "id", &def.id, true, "a source")) continue;
      const std::string what = "source " + def.id;
      GetString(r_, file, s, "kind", &def.kind, true, what);
      GetString(r_, file, s, "title", &def.title, true, what);
      GetString(r_, file, s, "cite", &def.cite, true, what);
      GetString(r_, file, s, "publisher", &def.publisher, false, what);
      GetString(r_, file, s, "year", &def.year, false, what);
      if (def.kind != "article" && def.kind != "guideline") {
        r_.At(file, s["kind"],
              fmt::format("{}: kind must be 'article' or 'guideline', not "
                          "'{}'",
                          what, def.kind));
      }
      if (source_index_.count(def.id)) {
        r_.At(file, s, fmt::format("duplicate source id '{}'", def.id));
        continue;
      }
      source_index_[def.id] = static_cast<uint16_t>(impl_->sources.size());
      impl_->sources.push_back(def);
    }
  }

  void LoadFindings(const YAML::Node& doc) {
    const std::string file = "findings.yaml";
    if (!IsMapping(file, doc, "findings.yaml")) return;
    CheckKeys(r_, file, doc, {"findings"}, "findings.yaml");
    const YAML::Node list = doc["findings"];
    if (!list.IsSequence()) {
      r_.At(file, doc, "findings.yaml needs a 'findings' list");
      return;
    }
    for (const auto& n : list) {
      if (!IsMapping(file, n, "a finding")) continue;
      CheckKeys(r_, file, n,
                {"key", "type", "range", "values", "normal", "red_flag",
                 "group", "meaning"},
                "a finding");
      FindingDef def;
      def.where = Where(file, n);
      if (!GetString(r_, file, n, "key", &def.key, true, "a finding")) continue;
      const std::string what = "finding " + def.key;
      GetString(r_, file, n, "group", &def.group, true, what);
      GetString(r_, file, n, "meaning", &def.meaning, true, what);
      std::string type;
      GetString(r_, file, n, "type", &type, true, what);
      if (type == "bool") {
        def.type = FindingType::kBool;
        def.min = 0;
        def.max = 1;
      } else if (type == "int" || type == "number") {
        def.type = type == "int" ? FindingType::kInt : FindingType::kNumber;
        def.scale = type == "int" ? 1 : 10;
        const YAML::Node range = n["range"];
        std::optional<double> lo, hi;
        if (range.IsSequence() && range.size() == 2) {
          lo = ParseNumber(range[0]);
          hi = ParseNumber(range[1]);
        }
        if (!lo || !hi || *lo > *hi) {
          r_.At(file, range.IsDefined() ? range : n,
                fmt::format("{}: 'range' must be [min, max]", what));
        } else {
          def.min = static_cast<int32_t>(std::lround(*lo * def.scale));
          def.max = static_cast<int32_t>(std::lround(*hi * def.scale));
        }
      } else if (type == "enum" || type == "side") {
        def.type = FindingType::kEnum;
        if (type == "side") {
          def.values = {"none", "one", "both"};
        } else {
          for (const auto& [v, node] :
               GetStringList(r_, file, n, "values", what)) {
            if (std::find(def.values.begin(), def.values.end(), v) !=
                def.values.end()) {
              r_.At(file, node, fmt::format("{}: duplicate value '{}'", what, v));
            }
            def.values.push_back(v);
          }
          if (def.values.size() < 2 || def.values.size() > 32) {
            r_.At(file, n, fmt::format("{}: an enum needs 2 to 32 values",
                                       what));
          }
        }
        def.min = 0;
        def.max = static_cast<int32_t>(def.values.size()) - 1;
      } else {
        r_.At(file, n["type"].IsDefined() ? n["type"] : n,
              fmt::format("{}: type must be bool, int, number, enum or side, "
                          "not '{}'",
                          what, type));
      }
      const YAML::Node normal = n["normal"];
      if (normal.IsDefined() && !normal.IsNull()) {
        def.normal = EncodeYamlValue(def, normal, file, what + " normal");
      } else if (def.type == FindingType::kBool) {
        def.normal = 0;
      } else if (def.type == FindingType::kEnum && !def.values.empty() &&
                 def.values[0] == "none") {
        def.normal = 0;
      }
      const YAML::Node red = n["red_flag"];
      if (red.IsDefined()) {
        if (red.IsScalar() && (red.Scalar() == "true" || red.Scalar() == "false")) {
          def.red_flag = red.Scalar() == "true";
        } else {
          r_.At(file, red, fmt::format("{}: red_flag must be true or false", what));
        }
      }
      if (impl_->finding_index.count(def.key)) {
        r_.At(file, n, fmt::format("duplicate finding key '{}'", def.key));
        continue;
      }
      if (impl_->findings.size() >= kMaxFindings) {
        r_.At(file, n, "too many findings");
        continue;
      }
      impl_->finding_index[def.key] =
          static_cast<FindingId>(impl_->findings.size());
      impl_->findings.push_back(def);
    }
    for (const char* required : {"age", "sex"}) {
      if (!impl_->finding_index.count(required)) {
        r_.At(SourceLocation{file, 0, 0},
              fmt::format("finding '{}' is required (cases carry it at the "
                          "top level)",
                          required));
      }
    }
  }

  std::optional<int32_t> EncodeYamlValue(const FindingDef& def,
                                         const YAML::Node& n,
                                         const std::string& file,
                                         const std::string& what) {
    if (!n.IsScalar()) {
      r_.At(file, n, fmt::format("{} must be a single value", what));
      return std::nullopt;
    }
    switch (def.type) {
      case FindingType::kBool:
        if (n.Scalar() == "true") return 1;
        if (n.Scalar() == "false") return 0;
        break;
      case FindingType::kEnum:
        for (size_t i = 0; i < def.values.size(); ++i)
          if (def.values[i] == n.Scalar()) return static_cast<int32_t>(i);
        break;
      case FindingType::kInt:
      case FindingType::kNumber:
        if (auto d = ParseNumber(n)) {
          const auto v = static_cast<int32_t>(std::lround(*d * def.scale));
          if (v >= def.min && v <= def.max) return v;
        }
        break;
    }
    r_.At(file, n, fmt::format("{}: '{}' is not a valid value", what,
                               n.Scalar()));
    return std::nullopt;
  }

  void LoadConditions(const YAML::Node& doc) {
    const std::string file = "conditions.yaml";
    if (!IsMapping(file, doc, "conditions.yaml")) return;
    CheckKeys(r_, file, doc, {"conditions"}, "conditions.yaml");
    const YAML::Node list = doc["conditions"];
    if (!list.IsSequence()) {
      r_.At(file, doc, "conditions.yaml needs a 'conditions' list");
      return;
    }
    std::vector<std::vector<std::pair<std::string, YAML::Node>>> covered;
    for (const auto& n : list) {
      if (!IsMapping(file, n, "a condition")) continue;
      CheckKeys(r_, file, n,
                {"id", "name", "description", "covered_by", "sources"},
                "a condition");
      ConditionDef def;
      def.where = Where(file, n);
      if (!GetString(r_, file, n, "id", &def.id, true, "a condition")) continue;
      const std::string what = "condition " + def.id;
      GetString(r_, file, n, "name", &def.name, true, what);
      GetString(r_, file, n, "description", &def.description, true, what);
      for (uint16_t s : ResolveSources(file, n, what, true))
        def.sources.push_back(impl_->sources[s].id);
      if (impl_->condition_index.count(def.id)) {
        r_.At(file, n, fmt::format("duplicate condition id '{}'", def.id));
        continue;
      }
      if (impl_->conditions.size() >= 32) {
        r_.At(file, n, "more than 32 conditions");
        continue;
      }
      impl_->condition_index[def.id] =
          static_cast<uint16_t>(impl_->conditions.size());
      impl_->conditions.push_back(def);
      covered.push_back(GetStringList(r_, file, n, "covered_by", what));
    }
    for (size_t i = 0; i < impl_->conditions.size(); ++i) {
      for (const auto& [id, node] : covered[i]) {
        auto it = impl_->condition_index.find(id);
        if (it == impl_->condition_index.end()) {
          r_.At(file, node, fmt::format("unknown condition id '{}' in "
                                        "covered_by",
                                        id));
        } else if (it->second == i) {
          r_.At(file, node, fmt::format("condition '{}' cannot cover itself",
                                        id));
        } else {
          impl_->conditions[i].covered_by |= 1u << it->second;
        }
      }
    }
  }

  bool ParseCondition(const std::string& file, const YAML::Node& node,
                      const std::string& what, Expr* out) {
    if (!node.IsScalar()) {
      r_.At(file, node, fmt::format("{} must be a condition written as text",
                                    what));
      return false;
    }
    ParseError err;
    if (!ParseExpr(node.Scalar(), impl_->findings, impl_->finding_index, out,
                   &err)) {
      r_.At(file, node, fmt::format("{}: {}", what, err.message),
            err.column - 1);
      return false;
    }
    return true;
  }

  void LoadRules(const std::string& file, const YAML::Node& doc) {
    if (!IsMapping(file, doc, file)) return;
    CheckKeys(r_, file, doc, {"rules"}, file);
    const YAML::Node list = doc["rules"];
    if (!list.IsSequence()) {
      r_.At(file, doc, "a rule file needs a 'rules' list");
      return;
    }
    for (const auto& n : list) {
      if (!IsMapping(file, n, "a rule")) continue;
      CheckKeys(r_, file, n,
                {"id", "when", "unless", "level", "conditions", "see",
                 "reason", "sources"},
                "a rule");
      RuleDef def;
      def.where = Where(file, n);
      if (!GetString(r_, file, n, "id", &def.id, true, "a rule")) continue;
      const std::string what = "rule " + def.id;
      bool ok = true;
      Expr when, unless;
      bool has_unless = false;
      if (!n["when"].IsDefined()) {
        r_.At(file, n, fmt::format("{} has no 'when'", what));
        ok = false;
      } else if (ParseCondition(file, n["when"], what + " when", &when)) {
        def.when = n["when"].Scalar();
        CheckTriggerPolarity(
            when, true, impl_->findings, [&](int column, std::string msg) {
              r_.At(file, n["when"], fmt::format("{}: {}", what, msg),
                    column - 1);
            });
      } else {
        ok = false;
      }
      if (n["unless"].IsDefined()) {
        has_unless = true;
        if (ParseCondition(file, n["unless"], what + " unless", &unless)) {
          def.unless = n["unless"].Scalar();
        } else {
          ok = false;
        }
      }
      std::string level;
      if (GetString(r_, file, n, "level", &level, true, what)) {
        if (auto l = ParseLevel(level)) {
          def.level = *l;
        } else {
          r_.At(file, n["level"],
                fmt::format("{}: unknown level '{}' (self_care, routine, "
                            "urgent or emergency)",
                            what, level));
        }
      }
      for (const auto& [id, node] :
           GetStringList(r_, file, n, "conditions", what)) {
        auto it = impl_->condition_index.find(id);
        if (it == impl_->condition_index.end()) {
          r_.At(file, node, fmt::format("{}: unknown condition id '{}'", what, id));
        } else {
          def.conditions |= 1u << it->second;
        }
      }
      for (const auto& [id, node] : GetStringList(r_, file, n, "see", what)) {
        auto it = service_index_.find(id);
        if (it == service_index_.end()) {
          r_.At(file, node, fmt::format("{}: unknown service '{}'", what, id));
        } else {
          def.see.push_back(it->second);
        }
      }
      if (def.see.empty()) {
        r_.At(file, n, fmt::format("{} says nobody to see: give 'see'", what));
      }
      GetString(r_, file, n, "reason", &def.reason, true, what);
      def.sources = ResolveSources(file, n, what, true);
      if (rule_index_.count(def.id)) {
        r_.At(file, n, fmt::format("duplicate rule id '{}' (first at {}:{})",
                                   def.id, rule_index_[def.id].file,
                                   rule_index_[def.id].line));
        continue;
      }
      rule_index_[def.id] = def.where;
      if (!ok) continue;  // keep only rules that can be compiled
      impl_->rules.push_back(def);
      impl_->when_exprs.push_back(std::move(when));
      impl_->unless_exprs.push_back(std::move(unless));
      impl_->has_unless.push_back(has_unless);
    }
  }

  void LoadConflicts(const YAML::Node& doc) {
    const std::string file = "conflicts.yaml";
    if (!IsMapping(file, doc, "conflicts.yaml")) return;
    CheckKeys(r_, file, doc, {"conflicts"}, "conflicts.yaml");
    const YAML::Node list = doc["conflicts"];
    if (!list.IsSequence()) {
      r_.At(file, doc, "conflicts.yaml needs a 'conflicts' list");
      return;
    }
    std::set<std::string> ids;
    for (const auto& n : list) {
      if (!IsMapping(file, n, "a conflict")) continue;
      CheckKeys(r_, file, n, {"id", "topic", "positions", "decision", "sources"},
                "a conflict");
      ConflictDef def;
      def.where = Where(file, n);
      if (!GetString(r_, file, n, "id", &def.id, true, "a conflict")) continue;
      const std::string what = "conflict " + def.id;
      GetString(r_, file, n, "topic", &def.topic, true, what);
      GetString(r_, file, n, "decision", &def.decision, true, what);
      const YAML::Node positions = n["positions"];
      if (!positions.IsSequence() || positions.size() < 2) {
        r_.At(file, n, fmt::format("{} needs at least two positions", what));
      } else {
        for (const auto& p : positions) {
          if (!IsMapping(file, p, "a position")) continue;
          CheckKeys(r_, file, p, {"source", "says"}, "a position");
          std::string source, says;
          GetString(r_, file, p, "source", &source, true, what + " position");
          GetString(r_, file, p, "says", &says, true, what + " position");
          if (!source.empty() && !source_index_.count(source)) {
            r_.At(file, p["source"],
                  fmt::format("{}: unknown source '{}'", what, source));
          }
          def.positions.push_back(source + ": " + says);
        }
      }
      def.sources = ResolveSources(file, n, what, true);
      if (!ids.insert(def.id).second) {
        r_.At(file, n, fmt::format("duplicate conflict id '{}'", def.id));
        continue;
      }
      impl_->conflicts.push_back(def);
    }
  }

  void CheckRedFlagsUsed() {
    FindingSet used;
    bool dummy = false;
    for (const Expr& e : impl_->when_exprs) CollectFindings(e, &used, &dummy);
    for (size_t i = 0; i < impl_->findings.size(); ++i) {
      const FindingDef& f = impl_->findings[i];
      if (f.red_flag && !used.test(i)) {
        r_.At(f.where, fmt::format("red-flag finding '{}' is not used by any "
                                   "rule's `when`",
                                   f.key));
      }
    }
  }

  void Compile() {
    Program& p = impl_->program;
    p.condition_count = static_cast<uint32_t>(impl_->conditions.size());
    for (size_t i = 0; i < impl_->conditions.size(); ++i)
      p.covered_by[i] = impl_->conditions[i].covered_by;
    for (size_t i = 0; i < impl_->findings.size(); ++i)
      if (impl_->findings[i].red_flag) p.red_flags.set(i);
    for (size_t i = 0; i < impl_->rules.size(); ++i) {
      const RuleDef& def = impl_->rules[i];
      CompiledRule cr;
      cr.when = Flatten(impl_->when_exprs[i], &p);
      if (impl_->has_unless[i]) cr.unless = Flatten(impl_->unless_exprs[i], &p);
      cr.level = def.level;
      cr.conditions = def.conditions;
      for (uint16_t s : def.see) cr.see |= 1u << s;
      CollectFindings(impl_->when_exprs[i], &cr.when_findings,
                      &cr.always_evaluate);
      cr.may_name_red_flags = cr.level != TriageLevel::kSelfCare &&
                              (cr.when_findings & p.red_flags).any();
      p.rules.push_back(cr);
    }
    for (size_t i = 0; i < p.rules.size() && i < kMaxRules; ++i)
      if (p.rules[i].always_evaluate) p.always_rules.set(i);
    if (p.rules.size() > kMaxRules) {
      r_.At(SourceLocation{"rules/", 0, 0},
            fmt::format("more than {} rules", kMaxRules));
      p.rules.resize(kMaxRules);
    }
    BuildTriggerIndex(impl_->when_exprs, impl_->findings.size(), &p);
    if (p.index.gates.size() > kMaxGates) {
      r_.At(SourceLocation{"rules/", 0, 0},
            fmt::format("more than {} and/or connectives in triggers",
                        kMaxGates));
    }
    if (p.index.atoms.size() > kMaxTriggerAtoms) {
      r_.At(SourceLocation{"rules/", 0, 0},
            fmt::format("more than {} distinct comparisons in triggers",
                        kMaxTriggerAtoms));
    }
    p.rules_by_finding.assign(impl_->findings.size(), RuleSet());
    for (size_t i = 0; i < p.rules.size(); ++i) {
      for (size_t f = 0; f < impl_->findings.size(); ++f)
        if (p.rules[i].when_findings.test(f)) p.rules_by_finding[f].set(i);
    }
    for (size_t i = 0; lint_ && i < p.rules.size(); ++i) {
      if (!CanFire(p, p.rules[i], impl_->findings)) {
        r_.At(impl_->rules[i].where,
              fmt::format("rule {} can never fire: no answers make `when` "
                          "true without `unless`",
                          impl_->rules[i].id));
      }
    }
  }

  void RenderJson() {
    for (const auto& f : impl_->findings) {
      impl_->finding_json.push_back(JsonString(f.key));
      std::vector<std::string> values;
      if (f.type == FindingType::kBool) {
        values = {JsonString(f.key + "=false"), JsonString(f.key)};
      } else if (f.type == FindingType::kEnum) {
        for (const auto& v : f.values) values.push_back(JsonString(f.key + "=" + v));
      }
      impl_->finding_value_json.push_back(std::move(values));
    }
    for (const auto& c : impl_->conditions)
      impl_->condition_json.push_back(JsonString(c.id));
    for (const auto& s : impl_->services)
      impl_->service_json.push_back(JsonString(s.id));
    for (const auto& r : impl_->rules) {
      std::string s = "{\"rule\":" + JsonString(r.id) +
                      ",\"level\":" + JsonString(LevelName(r.level)) +
                      ",\"reason\":" + JsonString(r.reason) + ",\"sources\":[";
      for (size_t i = 0; i < r.sources.size(); ++i) {
        if (i) s += ',';
        s += JsonString(impl_->sources[r.sources[i]].cite);
      }
      s += "],\"because\":[";
      impl_->rule_json.push_back(std::move(s));
    }
    impl_->version_json = JsonString(impl_->version);
  }

  const std::vector<KbFile>& files_;
  Extensions extensions_;
  Reporter r_;
  std::vector<LintIssue>* issues_;
  std::unique_ptr<KnowledgeBase::Impl> impl_;
  std::unordered_map<std::string, uint16_t> source_index_;
  std::unordered_map<std::string, uint16_t> service_index_;
  std::unordered_map<std::string, SourceLocation> rule_index_;
  bool lint_ = true;  // false: FromDefinitions (linted when made)
  bool broken_ = false;  // a loader stopped on an exception
};

}  // namespace

BuildOutput Build(const std::vector<KbFile>& files, Extensions extensions) {
  BuildOutput out;
  if (sodium_init() < 0) {
    LintIssue issue;
    issue.where.file = "(libsodium)";
    issue.message = "libsodium failed to initialise";
    out.issues.push_back(std::move(issue));
    return out;
  }
  Builder b(files, extensions, &out.issues);
  out.impl = b.Run();
  if (out.impl) {
    out.impl->extensions = extensions;
    LoadExtensions(files, *out.impl, out.impl.get(), &out.issues);
  }
  std::stable_sort(out.issues.begin(), out.issues.end(),
                   [](const LintIssue& a, const LintIssue& b) {
                     return std::tie(a.where.file, a.where.line) <
                            std::tie(b.where.file, b.where.line);
                   });
  return out;
}

BuildOutput BuildFromDefinitions(std::unique_ptr<KnowledgeBase::Impl> defs,
                                 Extensions extensions) {
  BuildOutput out;
  static const std::vector<KbFile> kNoFiles;
  Builder b(kNoFiles, extensions, &out.issues);
  out.impl = b.FromDefinitions(std::move(defs));
  if (out.impl) {
    out.impl->extensions = extensions;
    out.impl->extensions_lazy = true;
  }
  return out;
}

Result<std::vector<KbFile>> ReadKnowledgeDir(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Status::NotFound(
        fmt::format("knowledge base directory '{}' does not exist", dir));
  }
  std::vector<KbFile> files;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path rel = fs::relative(it->path(), dir, ec);
    if (it->is_directory() && rel.generic_string() == "vignettes") {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file() || it->path().extension() != ".yaml") continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    if (!in.good() && !in.eof()) {
      return Status::IoError(
          fmt::format("cannot read '{}'", it->path().string()));
    }
    files.push_back(KbFile{rel.generic_string(), ss.str()});
  }
  if (ec) {
    return Status::IoError(fmt::format("cannot list '{}': {}", dir,
                                       ec.message()));
  }
  std::sort(files.begin(), files.end(),
            [](const KbFile& a, const KbFile& b) { return a.path < b.path; });
  return files;
}

}  // namespace backaid::kb
