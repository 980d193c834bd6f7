// The trigger index: the atoms of every indexable `when` by finding, and
// the threshold gates they feed (see program.h).
#include <algorithm>
#include <tuple>

#include "src/knowledge/build.h"

namespace backaid::kb {
namespace {

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
  const size_t threshold = e.kind == Expr::Kind::kOr ? 1
                           : e.kind == Expr::Kind::kAnd
                               ? n
                               : static_cast<size_t>(e.k);
  index->gates.push_back(Gate{parent, rule, static_cast<uint8_t>(threshold)});
  for (const Expr& c : e.children)
    AddGates(c, gate, rule, ids, atoms, refs, index);
}

}  // namespace

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
    t.operand = a.op == AtomOp::kIn ? static_cast<int32_t>(a.mask) : a.operand;
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

}  // namespace backaid::kb
