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
  switch (node.kind) {
    case Expr::Kind::kAtom: {
      const Atom& a = p.atoms[node.atom];
      const int32_t v = values[a.finding];
      if (a.op == AtomOp::kIsUnknown) return (v == kUnknown) == want;
      if (a.op == AtomOp::kIsKnown) return (v != kUnknown) == want;
      if (v == kUnknown) return false;
      return TestAtom(a, v) == want;
    }
    case Expr::Kind::kNot:
      return Holds(p, n + 1, values, !want);
    case Expr::Kind::kAnd:
    case Expr::Kind::kOr: {
      // For "and" wanting true (or "or" wanting false) every child must
      // hold; otherwise one child suffices.
      const bool all = (node.kind == Expr::Kind::kAnd) == want;
      for (uint32_t c = n + 1; c < node.end; c = p.nodes[c].end) {
        const bool h = Holds(p, c, values, want);
        if (all && !h) return false;
        if (!all && h) return true;
      }
      return all;
    }
    case Expr::Kind::kAtLeast: {
      uint32_t total = 0, count = 0;
      for (uint32_t c = n + 1; c < node.end; c = p.nodes[c].end) {
        ++total;
        if (Holds(p, c, values, want)) ++count;
      }
      return want ? count >= node.k : count > total - node.k;
    }
  }
  return false;
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
  if (node.kind == Expr::Kind::kAtom) {
    const Atom& a = p.atoms[node.atom];
    if (a.op == AtomOp::kIsUnknown || a.op == AtomOp::kIsKnown) {
      if (with_knownness && Holds(p, n, values, true)) out->set(a.finding);
      return;
    }
    if (values[a.finding] != kUnknown && TestAtom(a, values[a.finding]))
      out->set(a.finding);
    return;
  }
  if (node.kind == Expr::Kind::kNot) return;
  for (uint32_t c = n + 1; c < node.end; c = p.nodes[c].end) {
    CollectTrueAtoms(p, c, values, out, with_knownness);
  }
}

}  // namespace backaid::kb

#endif  // BACKAID_SRC_KNOWLEDGE_EVAL_H_
