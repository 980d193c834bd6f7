// Three-valued evaluation of a flattened condition, shared by the engine and
// the linter.
//
// Holds(p, n, values, true) is "definitely true", Holds(..., false) is
// "definitely false"; when neither holds the condition is unknown. Kleene
// logic: and is true when all children are, false when any is; or is the
// dual; at_least(k, ...) is true when k children are true and false when
// more than n-k are false.
#ifndef BACKAID_SRC_KNOWLEDGE_EVAL_H_
#define BACKAID_SRC_KNOWLEDGE_EVAL_H_

#include <cstdint>

#include "src/knowledge/program.h"

namespace backaid::kb {

inline bool Holds(const Program& p, uint32_t n, const int32_t* values,
                  bool want) {
  const Node& node = p.nodes[n];
  const int32_t v = values[node.finding];
  switch (node.op) {
    case NodeOp::kAnd:
    case NodeOp::kOr: {
      // For "and" wanting true (or "or" wanting false) every child must
      // hold; otherwise one child suffices.
      const bool all = (node.op == NodeOp::kAnd) == want;
      for (uint32_t c = n + 1; c < node.end; c = p.nodes[c].end) {
        const bool h = Holds(p, c, values, want);
        if (all != h) return h;
      }
      return all;
    }
    case NodeOp::kNot:
      return Holds(p, n + 1, values, !want);
    case NodeOp::kAtLeast: {
      uint32_t total = 0, count = 0;
      for (uint32_t c = n + 1; c < node.end; c = p.nodes[c].end) {
        ++total;
        if (Holds(p, c, values, want)) ++count;
      }
      return want ? count >= node.k : count > total - node.k;
    }
    case NodeOp::kIsUnknown:
      return (v == kUnknown) == want;
    case NodeOp::kIsKnown:
      return (v != kUnknown) == want;
    case NodeOp::kIsTrue:
      return v != kUnknown && (v != 0) == want;
    case NodeOp::kEq:
      return v != kUnknown && (v == node.operand) == want;
    case NodeOp::kNe:
      return v != kUnknown && (v != node.operand) == want;
    case NodeOp::kLt:
      return v != kUnknown && (v < node.operand) == want;
    case NodeOp::kLe:
      return v != kUnknown && (v <= node.operand) == want;
    case NodeOp::kGt:
      return v != kUnknown && (v > node.operand) == want;
    case NodeOp::kGe:
      return v != kUnknown && (v >= node.operand) == want;
    case NodeOp::kIn:
      return v != kUnknown &&
             (v >= 0 && v < 32 &&
              ((static_cast<uint32_t>(node.operand) >> v) & 1u)) == want;
  }
  return false;
}

inline bool IsAtom(NodeOp op) { return op >= NodeOp::kIsTrue; }

// Tests a comparison atom against a known value.
inline bool TestKnown(NodeOp op, int32_t operand, int32_t v) {
  switch (op) {
    case NodeOp::kIsTrue:
      return v != 0;
    case NodeOp::kEq:
      return v == operand;
    case NodeOp::kNe:
      return v != operand;
    case NodeOp::kLt:
      return v < operand;
    case NodeOp::kLe:
      return v <= operand;
    case NodeOp::kGt:
      return v > operand;
    case NodeOp::kGe:
      return v >= operand;
    case NodeOp::kIn:
      return v >= 0 && v < 32 && ((static_cast<uint32_t>(operand) >> v) & 1u);
    default:
      return false;
  }
}

// True when the rule fires: `when` definitely true and `unless` not
// definitely true.
inline bool Fires(const Program& p, const CompiledRule& r,
                  const int32_t* values) {
  if (!Holds(p, r.when, values, true)) return false;
  return r.unless == kNoNode || !Holds(p, r.unless, values, true);
}

// Adds to `out` the findings of atoms that are definitely true inside the
// positive part of subtree n (the evidence that made it true). unknown(x)
// and known(x) atoms count only with `with_knownness`: an unanswered
// question is evidence for a rule but never a red flag that is present.
inline void CollectTrueAtoms(const Program& p, uint32_t n,
                             const int32_t* values, FindingSet* out,
                             bool with_knownness = true) {
  const Node& node = p.nodes[n];
  if (IsAtom(node.op)) {
    const bool knownness =
        node.op == NodeOp::kIsUnknown || node.op == NodeOp::kIsKnown;
    if ((with_knownness || !knownness) && Holds(p, n, values, true))
      out->set(node.finding);
    return;
  }
  if (node.op == NodeOp::kNot) return;
  for (uint32_t c = n + 1; c < node.end; c = p.nodes[c].end) {
    CollectTrueAtoms(p, c, values, out, with_knownness);
  }
}

}  // namespace backaid::kb

#endif  // BACKAID_SRC_KNOWLEDGE_EVAL_H_
