// The compiled form of a knowledge base (KnowledgeBase::Impl): definitions
// plus rule conditions flattened into one node array that the engine walks.
#ifndef BACKAID_SRC_KNOWLEDGE_PROGRAM_H_
#define BACKAID_SRC_KNOWLEDGE_PROGRAM_H_

#include <array>
#include <memory>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "backaid/knowledge_base.h"
#include "src/knowledge/expr.h"

namespace backaid::kb {
struct KbFile;
}  // namespace backaid::kb

namespace backaid::kb {

inline constexpr uint32_t kNoNode = 0xffffffffu;

// A node of a flattened condition tree. Children of node i are stored from
// i + 1 on; each child's `end` is the index just past its own subtree.
struct Node {
  Expr::Kind kind;
  uint8_t k;         // kAtLeast threshold
  uint16_t atom;     // kAtom: index into Program::atoms
  uint32_t end;      // one past the last node of this subtree
};

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
};

struct Program {
  std::vector<Node> nodes;
  std::vector<Atom> atoms;
  std::vector<CompiledRule> rules;
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
  std::vector<std::string> condition_json;  // "\"id\""
  std::vector<std::string> service_json;    // "\"id\""
  std::vector<std::string> rule_json;       // {"rule":..., up to "because":[
  std::string version_json;                 // "\"version\""
};

// Creates KnowledgeBase objects (their constructor is private).
class KnowledgeBaseBuilder {
 public:
  // Builds from files; fails with every lint issue unless clean.
  static Result<std::shared_ptr<const KnowledgeBase>> Make(
      const std::vector<kb::KbFile>& files);
  // Wraps an already built Impl (tests).
  static std::shared_ptr<const KnowledgeBase> Wrap(
      std::unique_ptr<KnowledgeBase::Impl> impl);
};

}  // namespace backaid

#endif  // BACKAID_SRC_KNOWLEDGE_PROGRAM_H_
