// The lint checks that need the whole core: trigger polarity (an unanswered
// question must not switch a `when` off), rules that can never fire, red
// flags no rule uses.
#include <fmt/format.h>

#include "src/knowledge/build.h"

namespace backaid::kb {
namespace {

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

}  // namespace

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

void CheckRedFlagsUsed(const KnowledgeBase::Impl& impl, Reporter& r) {
  FindingSet used;
  bool dummy = false;
  for (const Expr& e : impl.when_exprs) CollectFindings(e, &used, &dummy);
  for (size_t i = 0; i < impl.findings.size(); ++i) {
    const FindingDef& f = impl.findings[i];
    if (f.red_flag && !used.test(i)) {
      r.At(f.where, fmt::format("red-flag finding '{}' is not used by any "
                                "rule's `when`",
                                f.key));
    }
  }
}

}  // namespace backaid::kb
