// The compiled program: every rule condition flattened into one node
// array, the per-rule masks, and the limits of the program.
#include <fmt/format.h>

#include "src/knowledge/build.h"

namespace backaid::kb {

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

void Compile(KnowledgeBase::Impl* impl, bool lint, Reporter& r) {
  Program& p = impl->program;
  p.condition_count = static_cast<uint32_t>(impl->conditions.size());
  for (size_t i = 0; i < impl->conditions.size(); ++i)
    p.covered_by[i] = impl->conditions[i].covered_by;
  for (size_t i = 0; i < impl->findings.size(); ++i)
    if (impl->findings[i].red_flag) p.red_flags.set(i);
  for (size_t i = 0; i < impl->rules.size(); ++i) {
    const RuleDef& def = impl->rules[i];
    CompiledRule cr;
    cr.when = Flatten(impl->when_exprs[i], &p);
    if (impl->has_unless[i]) cr.unless = Flatten(impl->unless_exprs[i], &p);
    cr.level = def.level;
    cr.conditions = def.conditions;
    for (uint16_t s : def.see) cr.see |= 1u << s;
    CollectFindings(impl->when_exprs[i], &cr.when_findings,
                    &cr.always_evaluate);
    cr.may_name_red_flags = cr.level != TriageLevel::kSelfCare &&
                            (cr.when_findings & p.red_flags).any();
    p.rules.push_back(cr);
  }
  for (size_t i = 0; i < p.rules.size() && i < kMaxRules; ++i)
    if (p.rules[i].always_evaluate) p.always_rules.set(i);
  if (p.rules.size() > kMaxRules) {
    r.At(SourceLocation{"rules/", 0, 0},
         fmt::format("more than {} rules", kMaxRules));
    p.rules.resize(kMaxRules);
  }
  BuildTriggerIndex(impl->when_exprs, impl->findings.size(), &p);
  if (p.index.gates.size() > kMaxGates) {
    r.At(SourceLocation{"rules/", 0, 0},
         fmt::format("more than {} and/or connectives in triggers", kMaxGates));
  }
  if (p.index.atoms.size() > kMaxTriggerAtoms) {
    r.At(SourceLocation{"rules/", 0, 0},
         fmt::format("more than {} distinct comparisons in triggers",
                     kMaxTriggerAtoms));
  }
  p.rules_by_finding.assign(impl->findings.size(), RuleSet());
  for (size_t i = 0; i < p.rules.size(); ++i) {
    for (size_t f = 0; f < impl->findings.size(); ++f)
      if (p.rules[i].when_findings.test(f)) p.rules_by_finding[f].set(i);
  }
  for (size_t i = 0; lint && i < p.rules.size(); ++i) {
    if (!CanFire(p, p.rules[i], impl->findings)) {
      r.At(impl->rules[i].where,
           fmt::format("rule {} can never fire: no answers make `when` "
                       "true without `unless`",
                       impl->rules[i].id));
    }
  }
}

}  // namespace backaid::kb
