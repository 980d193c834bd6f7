#include "backaid/engine.h"

#include <algorithm>
#include <cstring>

#include "src/engine/engine_internal.h"
#include "src/knowledge/eval.h"
#include "src/knowledge/program.h"

namespace backaid {

namespace {

kb::CompiledRulesFn Compiled(const KnowledgeBase::Impl& impl) {
  std::call_once(impl.compiled_once, [&impl] {
    impl.compiled = kb::CompiledRulesFor(impl.version.c_str());
  });
  return impl.compiled;
}

// Fills out->fired and out->red_flags by interpreting the program.
void FireInterpreted(const kb::Program& p, const Case& c, TriageResult* out) {
  const int32_t* values = c.values.data();
  // Which `when` conditions are true. Lint guarantees an atom of a trigger
  // is false when its finding is normal or unknown, so only the atoms of
  // abnormal findings are tested, and each true atom is pushed up its
  // rule's threshold gates.
  const kb::TriggerIndex& index = p.index;
  uint8_t counts[kb::kMaxGates];  // true children per gate
  std::memset(counts, 0, index.gates.size());
  kb::RuleSet when_true;
  kb::AtomSet true_atoms;
  kb::RuleSet tree_candidates = p.always_rules;
  const bool filter_tree_rules = index.tree_rules_filtered.any();
  for (size_t f = c.abnormal._Find_first(); f < kMaxFindings;
       f = c.abnormal._Find_next(f)) {
    if (filter_tree_rules) tree_candidates |= p.rules_by_finding[f];
    const int32_t v = values[f];
    for (uint32_t a = index.finding_begin[f]; a < index.finding_begin[f + 1];
         ++a) {
      const kb::TriggerAtom& atom = index.atoms[a];
      if (!kb::TestTriggerAtom(atom, v)) continue;
      true_atoms.set(a);
      for (uint32_t r = atom.refs_begin; r < atom.refs_end; ++r) {
        // Each gate passes "true" up exactly once: when its count first
        // reaches its threshold.
        for (uint32_t g = index.gate_refs[r];;) {
          const kb::Gate& gate = index.gates[g];
          if (++counts[g] != gate.threshold) break;
          if (gate.parent == kb::kNoGate) {
            when_true.set(gate.rule);
            break;
          }
          g = gate.parent;
        }
      }
    }
  }
  tree_candidates &= index.tree_rules;
  for (size_t i = tree_candidates._Find_first(); i < kb::kMaxRules;
       i = tree_candidates._Find_next(i)) {
    if (kb::Holds(p, p.rules[i].when, values, true)) when_true.set(i);
  }
  for (size_t i = when_true._Find_first(); i < kb::kMaxRules;
       i = when_true._Find_next(i)) {
    const kb::CompiledRule& r = p.rules[i];
    if (r.unless != kb::kNoNode && kb::Holds(p, r.unless, values, true))
      continue;
    out->fired.push_back(static_cast<uint16_t>(i));
    // Red flags are the warning signs behind rules that send the person to
    // a clinician; a self-care rule's findings are not warnings.
    if (!r.may_name_red_flags) continue;
    if (index.tree_rules.test(i)) {
      FindingSet found;
      kb::CollectTrueAtoms(p, r.when, values, &found,
                           /*with_knownness=*/false);
      out->red_flags |= found & p.red_flags;
    } else {
      for (uint32_t a : index.red_flag_atoms[i])
        if (true_atoms.test(a)) out->red_flags.set(index.atoms[a].finding);
    }
  }
}

}  // namespace

namespace internal {

void Evaluate(const KnowledgeBase& kb, const Case& c, TriageResult* out,
              bool use_compiled) {
  const kb::Program& p = kb::Internal(kb).program;
  out->fired.clear();
  out->red_flags.reset();
  const kb::CompiledRulesFn compiled =
      use_compiled ? Compiled(kb::Internal(kb)) : nullptr;
  if (compiled != nullptr) {
    uint16_t fired[kb::kMaxRules];
    const size_t n = compiled(c.values.data(), fired, &out->red_flags);
    out->fired.assign(fired, fired + n);
  } else {
    FireInterpreted(p, c, out);
  }
  uint8_t level = 0;
  uint32_t conditions = 0;
  uint32_t see_by_level[kLevelCount] = {0, 0, 0, 0};
  for (uint16_t i : out->fired) {
    const kb::CompiledRule& r = p.rules[i];
    level = std::max(level, static_cast<uint8_t>(r.level));
    conditions |= r.conditions;
    see_by_level[static_cast<int>(r.level)] |= r.see;
  }
  // A condition explained by a more specific one that is also present is
  // dropped (e.g. radiculopathy when cauda equina syndrome is listed).
  uint32_t kept = conditions;
  for (uint32_t bits = conditions; bits; bits &= bits - 1) {
    const int i = __builtin_ctz(bits);
    if (p.covered_by[i] & conditions) kept &= ~(1u << i);
  }
  out->level = static_cast<TriageLevel>(level);
  out->conditions = kept;
  // Who to see is decided by the most urgent rules; lower-level advice
  // (e.g. a pharmacist for a spasm) would only distract in an emergency.
  out->see = see_by_level[level];

  // not_assessed: red-flag findings without an answer, except those the
  // assessment left out because no answer could matter (issue 14).
  out->not_assessed = p.red_flags & ~c.known & ~c.not_needed;
}

}  // namespace internal

void Evaluate(const KnowledgeBase& kb, const Case& c, TriageResult* out) {
  internal::Evaluate(kb, c, out, /*use_compiled=*/true);
}

TriageResult Evaluate(const KnowledgeBase& kb, const Case& c) {
  TriageResult r;
  Evaluate(kb, c, &r);
  return r;
}

std::vector<FindingId> Evidence(const KnowledgeBase& kb, const Case& c,
                                uint16_t rule) {
  const kb::Program& p = kb::Internal(kb).program;
  FindingSet set;
  kb::CollectTrueAtoms(p, p.rules[rule].when, c.values.data(), &set);
  std::vector<FindingId> out;
  for (size_t f = 0; f < kb.findings().size(); ++f)
    if (set.test(f)) out.push_back(static_cast<FindingId>(f));
  return out;
}

void CouldNotRuleOut(const KnowledgeBase& kb, const Case& c,
                     const TriageResult& result,
                     std::vector<UndeterminedRule>* out) {
  const kb::Program& p = kb::Internal(kb).program;
  out->clear();
  const int32_t* values = c.values.data();
  for (size_t i = 0; i < p.rules.size(); ++i) {
    const kb::CompiledRule& r = p.rules[i];
    if (r.level <= result.level) continue;
    if (kb::Holds(p, r.when, values, false)) continue;  // ruled out
    if (kb::Holds(p, r.when, values, true)) continue;   // fired or excepted
    out->push_back(
        UndeterminedRule{static_cast<uint16_t>(i), r.when_findings & ~c.known});
  }
}

std::vector<Undetermined> CouldNotRuleOut(const KnowledgeBase& kb,
                                          const Case& c,
                                          const TriageResult& result) {
  std::vector<UndeterminedRule> rules;
  CouldNotRuleOut(kb, c, result, &rules);
  return ToUndetermined(rules);
}

std::vector<Undetermined> ToUndetermined(
    const std::vector<UndeterminedRule>& rules) {
  std::vector<Undetermined> out;
  out.reserve(rules.size());
  for (const UndeterminedRule& u : rules) {
    Undetermined x;
    x.rule = u.rule;
    for (size_t f = u.missing._Find_first(); f < u.missing.size();
         f = u.missing._Find_next(f)) {
      x.missing.push_back(static_cast<FindingId>(f));
    }
    out.push_back(std::move(x));
  }
  return out;
}

std::vector<uint16_t> OrderedServices(const KnowledgeBase& kb,
                                      const TriageResult& result) {
  std::vector<uint16_t> out;
  for (uint16_t r : result.fired) {
    if (kb.rules()[r].level != result.level) continue;
    for (uint16_t s : kb.rules()[r].see) {
      if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    }
  }
  return out;
}

}  // namespace backaid
