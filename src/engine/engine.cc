#include "backaid/engine.h"

#include <algorithm>

#include "src/knowledge/eval.h"
#include "src/knowledge/program.h"

namespace backaid {

void Evaluate(const KnowledgeBase& kb, const Case& c, TriageResult* out) {
  const kb::Program& p = kb.impl().program;
  const int32_t* values = c.values.data();
  uint8_t level = 0;
  uint32_t conditions = 0;
  uint32_t see_by_level[kLevelCount] = {0, 0, 0, 0};
  out->fired.clear();
  out->red_flags.reset();
  for (size_t i = 0; i < p.rules.size(); ++i) {
    const kb::CompiledRule& r = p.rules[i];
    // Lint guarantees a plain trigger is false when all its findings are
    // normal or unknown, so only rules touching an abnormal finding can fire.
    if (!r.always_evaluate && (r.when_findings & c.abnormal).none()) continue;
    if (!kb::Fires(p, r, values)) continue;
    out->fired.push_back(static_cast<uint16_t>(i));
    level = std::max(level, static_cast<uint8_t>(r.level));
    conditions |= r.conditions;
    see_by_level[static_cast<int>(r.level)] |= r.see;
    // Red flags are the warning signs behind rules that send the person to
    // a clinician; a self-care rule's findings are not warnings.
    if (r.level != TriageLevel::kSelfCare) {
      kb::CollectTrueAtoms(p, r.when, values, &out->red_flags,
                           /*with_knownness=*/false);
    }
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
  out->red_flags &= p.red_flags;
  // not_assessed: red-flag findings without an answer.
  out->not_assessed = p.red_flags & ~c.known;
}

TriageResult Evaluate(const KnowledgeBase& kb, const Case& c) {
  TriageResult r;
  Evaluate(kb, c, &r);
  return r;
}

std::vector<FindingId> Evidence(const KnowledgeBase& kb, const Case& c,
                                uint16_t rule) {
  const kb::Program& p = kb.impl().program;
  FindingSet set;
  kb::CollectTrueAtoms(p, p.rules[rule].when, c.values.data(), &set);
  std::vector<FindingId> out;
  for (size_t f = 0; f < kb.findings().size(); ++f)
    if (set.test(f)) out.push_back(static_cast<FindingId>(f));
  return out;
}

std::vector<Undetermined> CouldNotRuleOut(const KnowledgeBase& kb,
                                          const Case& c,
                                          const TriageResult& result) {
  const kb::Program& p = kb.impl().program;
  std::vector<Undetermined> out;
  const int32_t* values = c.values.data();
  for (size_t i = 0; i < p.rules.size(); ++i) {
    const kb::CompiledRule& r = p.rules[i];
    if (r.level <= result.level) continue;
    if (kb::Holds(p, r.when, values, false)) continue;  // ruled out
    if (kb::Holds(p, r.when, values, true)) continue;   // fired or excepted
    Undetermined u;
    u.rule = static_cast<uint16_t>(i);
    for (size_t f = 0; f < kb.findings().size(); ++f) {
      if (r.when_findings.test(f) && values[f] == kUnknown)
        u.missing.push_back(static_cast<FindingId>(f));
    }
    out.push_back(std::move(u));
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
