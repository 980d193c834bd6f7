// The compiled form of a knowledge base (KnowledgeBase::Impl): definitions
// plus rule conditions flattened into one node array that the engine walks.
#ifndef BACKAID_SRC_KNOWLEDGE_PROGRAM_H_
#define BACKAID_SRC_KNOWLEDGE_PROGRAM_H_

#include <array>
#include <bitset>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "backaid/knowledge_base.h"
#include "src/knowledge/compiled.h"
#include "src/knowledge/expr.h"

namespace backaid::kb {
struct KbFile;
struct Extension;
}  // namespace backaid::kb

namespace backaid::kb {

inline constexpr uint32_t kNoNode = 0xffffffffu;

// Node operations: the connectives, then one per atom kind, so evaluating
// an atom is a single dispatch with its operands in the node itself.
enum class NodeOp : uint8_t {
  kAnd,
  kOr,
  kNot,
  kAtLeast,
  kIsTrue,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kIn,
  kIsUnknown,
  kIsKnown,
};

// A node of a flattened condition tree. Children of node i are stored from
// i + 1 on; each child's `end` is the index just past its own subtree.
struct Node {
  NodeOp op;
  uint8_t k;          // kAtLeast threshold
  FindingId finding;  // atoms
  int32_t operand;    // atoms; for kIn the value mask
  uint32_t end;       // one past the last node of this subtree
};

inline constexpr size_t kMaxRules = 256;
using RuleSet = std::bitset<kMaxRules>;

struct CompiledRule {
  uint32_t when = kNoNode;
  uint32_t unless = kNoNode;
  TriageLevel level = TriageLevel::kSelfCare;
  uint32_t conditions = 0;
  uint32_t see = 0;
  // Findings in `when`. A rule whose `when` only uses plain comparisons can
  // fire only if one of these is abnormal (lint guarantees each atom is
  // false at the finding's normal value), so the engine skips it otherwise.
  FindingSet when_findings;
  bool always_evaluate = false;  // uses unknown()/known() in `when`
  bool may_name_red_flags = false;  // level above self_care and a red-flag
                                    // finding in `when`
};

// The trigger index. Every rule's `when` is negation-free (the linter
// enforces it), and an atom of it can only be true for an abnormal finding.
// So the engine tests just the atoms of the abnormal findings and pushes
// each true one up its rule's tree of threshold gates ("or" needs one true
// child, "and" all, at_least(k) k); a rule's `when` is true when its root
// gate is reached.
struct TriggerAtom {
  // Branch-free test: bit k of `truth` is the atom's value for the facts
  // k = (v != 0) | (v == operand) << 1 | (v < operand) << 2 | (v in
  // operand-as-mask) << 3. See TruthTable().
  uint16_t truth;
  FindingId finding;
  int32_t operand;
  uint32_t refs_begin, refs_end;  // into TriggerIndex::gate_refs
};

inline constexpr uint32_t kNoGate = 0xffffffffu;

struct Gate {
  uint32_t parent;    // kNoGate for a rule's root
  uint16_t rule;      // the rule whose `when` this gate belongs to
  uint8_t threshold;  // true children needed
};

// The truth table of a comparison atom over the four facts above.
inline uint16_t TruthTable(NodeOp op) {
  uint16_t t = 0;
  for (unsigned k = 0; k < 16; ++k) {
    const bool nonzero = k & 1, eq = k & 2, lt = k & 4, in = k & 8;
    bool v = false;
    switch (op) {
      case NodeOp::kIsTrue: v = nonzero; break;
      case NodeOp::kEq: v = eq; break;
      case NodeOp::kNe: v = !eq; break;
      case NodeOp::kLt: v = lt; break;
      case NodeOp::kLe: v = lt || eq; break;
      case NodeOp::kGt: v = !lt && !eq; break;
      case NodeOp::kGe: v = !lt; break;
      case NodeOp::kIn: v = in; break;
      default: break;
    }
    if (v) t |= static_cast<uint16_t>(1u << k);
  }
  return t;
}

inline bool TestTriggerAtom(const TriggerAtom& a, int32_t v) {
  const unsigned facts =
      static_cast<unsigned>(v != 0) |
      static_cast<unsigned>(v == a.operand) << 1 |
      static_cast<unsigned>(v < a.operand) << 2 |
      ((static_cast<uint32_t>(a.operand) >> (static_cast<uint32_t>(v) & 31u)) &
       1u) << 3;
  return (a.truth >> facts) & 1u;
}

struct TriggerIndex {
  std::vector<TriggerAtom> atoms;         // sorted by finding, deduplicated
  std::vector<uint32_t> finding_begin;    // atoms of finding f: [begin[f],
                                          // begin[f + 1])
  std::vector<uint32_t> gate_refs;        // the gates each atom feeds
  std::vector<Gate> gates;
  RuleSet tree_rules;  // rules not in the index (they test knownness):
                       // walked instead
  RuleSet tree_rules_filtered;  // tree_rules that are not always evaluated
  // Per rule: the trigger atoms of its `when` on red-flag findings, for
  // naming the red flags that made it fire.
  std::vector<std::vector<uint32_t>> red_flag_atoms;
};

inline constexpr size_t kMaxTriggerAtoms = 512;
inline constexpr size_t kMaxGates = 4096;
using AtomSet = std::bitset<kMaxTriggerAtoms>;

struct Program {
  std::vector<Node> nodes;
  std::vector<Atom> atoms;  // every atom, for lint and rendering
  std::vector<CompiledRule> rules;
  // For each finding, the rules whose `when` mentions it; with
  // always_rules, the only rules an abnormal finding can make fire.
  std::vector<RuleSet> rules_by_finding;
  RuleSet always_rules;
  TriggerIndex index;
  FindingSet red_flags;
  std::array<uint32_t, 32> covered_by{};  // per condition
  uint32_t condition_count = 0;
};

}  // namespace backaid::kb

namespace backaid {

struct KnowledgeBase::Impl {
  std::string name;
  std::string semver;
  std::string version;  // semver + "+" + 12 hex of SHA-256
  std::array<LevelDef, kLevelCount> levels;
  std::vector<FindingDef> findings;
  std::vector<ConditionDef> conditions;
  std::vector<ServiceDef> services;
  std::vector<SourceDef> sources;
  std::vector<RuleDef> rules;
  std::vector<ConflictDef> conflicts;
  kb::FindingIndex finding_index;
  std::unordered_map<std::string, uint16_t> condition_index;
  // Parsed rule conditions (kept for lint, explanation and rendering).
  std::vector<kb::Expr> when_exprs;
  std::vector<kb::Expr> unless_exprs;  // kind kAnd with no children = none
  std::vector<bool> has_unless;
  kb::Program program;
  // Pre-rendered JSON fragments (see case_json.cc), built once at load.
  std::vector<std::string> finding_json;    // "\"key\""
  // Per finding, per enum value (or bool false): "\"key=value\"".
  std::vector<std::vector<std::string>> finding_value_json;
  std::vector<std::string> condition_json;  // "\"id\""
  std::vector<std::string> service_json;    // "\"id\""
  std::vector<std::string> rule_json;       // {"rule":..., up to "because":[
  // Per rule, its could_not_rule_out entry up to the missing findings:
  // {"rule":"id","level":"level","missing":
  std::vector<std::string> undetermined_json;
  std::string version_json;                 // "\"version\""
  // How the questionnaire asks each finding (by FindingId; an empty
  // `question` when no question asks it): the question id and the words a
  // person reads (a checklist option's label, else the question's text).
  // Every result names the questions that would decide what is still open
  // (OpenQuestions), so this small table is kept in the core rather than in
  // the lazily parsed questionnaire: the built-in knowledge base has it from
  // backaid_kbc (no YAML parsed for a triage); one read from files has it
  // filled by the questions.yaml extension (ExtensionContext::tables).
  struct AskedAs {
    std::string question;
    std::string text;
  };
  std::vector<AskedAs> asked_as;
  // The extension modules composed with this core (src/knowledge/
  // extension.h; the list is the bundle's, static) and the model each
  // loaded, in the same order. A knowledge base read from files has the
  // models from the start; the built-in one (linted at build time) parses
  // them on first use, so a command that never needs them (triage,
  // validate, kb info) never reads their YAML.
  std::span<const kb::Extension* const> extensions;
  mutable std::vector<std::shared_ptr<const void>> extension_models;
  bool extensions_lazy = false;  // set before the Impl is shared
  mutable std::once_flag extensions_once;
  void EnsureExtensions() const;  // src/knowledge/extension.cc
  // The ahead-of-time compiled triggers for this exact version, if the
  // binary has them; resolved on first use (see src/engine/engine.cc).
  mutable std::once_flag compiled_once;
  mutable kb::CompiledRulesFn compiled = nullptr;
};

// Creates KnowledgeBase objects (their constructor is private).
class KnowledgeBaseBuilder {
 public:
  // Builds from files with every extension of the bundle; fails with every
  // lint issue unless clean. Defined by the bundle (src/bundle/).
  static Result<std::shared_ptr<const KnowledgeBase>> Make(
      const std::vector<kb::KbFile>& files);
  // Wraps an already built Impl.
  static std::shared_ptr<const KnowledgeBase> Wrap(
      std::unique_ptr<KnowledgeBase::Impl> impl);
};

}  // namespace backaid

namespace backaid::kb {

// The compiled program behind a knowledge base: for the core's own readers
// (engine, result writer, extension loaders). Not part of the public API.
struct Access {
  static const KnowledgeBase::Impl& Of(const KnowledgeBase& kb) {
    return *kb.impl_;
  }
};
inline const KnowledgeBase::Impl& Internal(const KnowledgeBase& kb) {
  return Access::Of(kb);
}

}  // namespace backaid::kb

#endif  // BACKAID_SRC_KNOWLEDGE_PROGRAM_H_
