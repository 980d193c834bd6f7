// Which question to ask next: see selection.h.
#include "src/assess/selection.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "src/knowledge/eval.h"
#include "src/knowledge/program.h"
#include "src/plan/plan_model.h"

namespace backaid::assess {
namespace {

void Raise(FindingId f, int w, Relevance* out) {
  if (out->weight[f] < w) out->weight[f] = static_cast<int8_t>(w);
  out->any.set(f);
}

// Whether an atom of compiled subtree n is true on a warning sign the
// person already reported (a red-flag finding, findings.yaml, at an
// abnormal value): the rule is partly supported by what they told us, not
// only by who they are.
bool SupportedByRedFlag(const KnowledgeBase& kb, const kb::Program& p,
                        uint32_t n, const int32_t* values) {
  for (uint32_t i = n; i < p.nodes[n].end; ++i) {
    const kb::Node& node = p.nodes[i];
    if (!kb::IsAtom(node.op) || node.op == kb::NodeOp::kIsKnown ||
        node.op == kb::NodeOp::kIsUnknown)
      continue;
    const int32_t v = values[node.finding];
    if (v == kUnknown) continue;
    const FindingDef& def = kb.findings()[node.finding];
    if (!def.red_flag || (def.normal && *def.normal == v)) continue;
    if (kb::TestKnown(node.op, node.operand, v)) return true;
  }
  return false;
}

// Whether subtree n could still become definitely `want` once the findings
// in `askable` are answered, the other unknown findings staying unknown (no
// question left could set them). Children are taken as independent, so it
// errs towards "could": never drops a rule that could still fire.
bool CanHold(const kb::Program& p, uint32_t n, const int32_t* values,
             const FindingSet& askable, bool want) {
  const kb::Node& node = p.nodes[n];
  if (kb::IsAtom(node.op)) {
    const int32_t v = values[node.finding];
    if (v != kUnknown || !askable.test(node.finding))
      return kb::Holds(p, n, values, want);
    return true;
  }
  switch (node.op) {
    case kb::NodeOp::kNot:
      return CanHold(p, n + 1, values, askable, !want);
    case kb::NodeOp::kAtLeast: {
      uint32_t total = 0, count = 0;
      for (uint32_t c = n + 1; c < node.end; c = p.nodes[c].end) {
        ++total;
        if (CanHold(p, c, values, askable, want)) ++count;
      }
      return want ? count >= node.k : count > total - node.k;
    }
    default: {
      const bool all = (node.op == kb::NodeOp::kAnd) == want;
      for (uint32_t c = n + 1; c < node.end; c = p.nodes[c].end) {
        if (CanHold(p, c, values, askable, want) != all) return !all;
      }
      return all;
    }
  }
}

// The askable unknown findings inside the undecided parts of compiled
// subtree n that could still make it `want` (parts that can no longer get
// there are left out: asking them could not change the outcome).
void CollectUndecided(const kb::Program& p, uint32_t n, const int32_t* values,
                      const FindingSet& askable, bool want, int w,
                      Relevance* out) {
  if (kb::Holds(p, n, values, true) || kb::Holds(p, n, values, false)) return;
  if (!CanHold(p, n, values, askable, want)) return;
  const kb::Node& node = p.nodes[n];
  if (kb::IsAtom(node.op)) {
    if (values[node.finding] == kUnknown) Raise(node.finding, w, out);
    return;
  }
  const bool child_want = node.op == kb::NodeOp::kNot ? !want : want;
  for (uint32_t c = n + 1; c < node.end; c = p.nodes[c].end)
    CollectUndecided(p, c, values, askable, child_want, w, out);
}

// The same for a plan condition (expression tree).
void CollectUndecided(const kb::Expr& e, const std::vector<int32_t>& values,
                      int w, Relevance* out) {
  if (plan::Evaluate(e, values) != plan::Truth::kUnknown) return;
  if (e.kind == kb::Expr::Kind::kAtom) {
    const FindingId f = e.atom.finding;
    if (f < values.size() && values[f] == kUnknown) Raise(f, w, out);
    return;
  }
  for (const kb::Expr& c : e.children) CollectUndecided(c, values, w, out);
}

// A plan condition that may still show its item: `when` not definitely
// false and `unless` not definitely true. Its open parts matter.
bool MayApply(const plan::Condition& cond, const std::vector<int32_t>& values,
              Relevance* out) {
  if (cond.when && plan::Evaluate(*cond.when, values) == plan::Truth::kFalse)
    return false;
  if (cond.unless && plan::Evaluate(*cond.unless, values) == plan::Truth::kTrue)
    return false;
  if (cond.when) CollectUndecided(*cond.when, values, 1, out);
  if (cond.unless) CollectUndecided(*cond.unless, values, 1, out);
  return true;
}

void PlanRelevance(const plan::PlanModel& model, const Case& c,
                   const TriageResult& r, Relevance* out) {
  const uint8_t level = plan::LevelBit(r.level);
  const bool red_flags = r.red_flags.any();
  const std::vector<int32_t>& v = c.values;
  for (const plan::ItemModel& m : model.items) {
    if (!(m.levels & level)) continue;
    if (m.red_flags == plan::RedFlagGate::kNone && red_flags) continue;
    if (m.red_flags == plan::RedFlagGate::kPresent && !red_flags) continue;
    if (!MayApply(m.condition, v, out)) continue;
    bool screened = false;
    for (const auto& s : m.screens) {
      if (plan::Evaluate(s.unless, v) == plan::Truth::kTrue) screened = true;
    }
    if (screened) continue;
    for (const auto& s : m.screens) CollectUndecided(s.unless, v, 1, out);
    for (size_t i = 0; i < m.contraindications.size(); ++i) {
      const auto& unless = m.contraindication_unless[i];
      if (unless && plan::Evaluate(*unless, v) == plan::Truth::kTrue) continue;
      if (unless) CollectUndecided(*unless, v, 1, out);
      const FindingId f = m.contraindications[i];
      if (v[f] == kUnknown) Raise(f, 1, out);
    }
    for (const kb::Expr& e : m.cautions) CollectUndecided(e, v, 1, out);
  }
  for (const plan::ActivityModel& m : model.activities) {
    if (!(m.levels & level)) continue;
    MayApply(m.condition, v, out);
  }
}

// An ask_when as the interview goes on: 1 true, 0 false whatever is
// answered later, -1 either. As EvalTri (Kleene logic), except that
// known(x) and unknown(x) of a finding not answered yet are open: a later
// answer may set x ("how many weeks" once the pregnancy question has been
// answered, heel walking once walking has been tried). EvalTri alone says
// "false" there, for good, and a rule that needs such a finding would be
// wrongly taken as unable to fire (SAFETY HAZ-125). and/or are at_least(n)
// and at_least(1).
int LaterTri(const kb::Expr& e, const std::vector<int32_t>& values) {
  if (e.kind == kb::Expr::Kind::kAtom) {
    const bool knownness = e.atom.op == kb::AtomOp::kIsKnown ||
                           e.atom.op == kb::AtomOp::kIsUnknown;
    if (knownness && values[e.atom.finding] == kUnknown) return -1;
    return EvalTri(e, values);
  }
  if (e.kind == kb::Expr::Kind::kNot) {
    const int v = LaterTri(e.children.at(0), values);
    return v < 0 ? -1 : 1 - v;
  }
  const size_t need = e.kind == kb::Expr::Kind::kAnd ? e.children.size()
                      : e.kind == kb::Expr::Kind::kOr
                          ? 1
                          : static_cast<size_t>(std::max(e.k, 0));
  size_t yes = 0, open = 0;
  for (const kb::Expr& c : e.children) {
    const int v = LaterTri(c, values);
    yes += v == 1;
    open += v < 0;
  }
  if (yes >= need) return 1;
  return yes + open >= need ? -1 : 0;
}

}  // namespace

FindingSet AskableFindings(const KnowledgeBase& kb, const Case& c) {
  FindingSet out;
  const Questionnaire* model = QuestionnaireOf(kb);
  if (model == nullptr) return out;
  for (const QuestionDef& q : model->questions) {
    if (q.has_ask_when && LaterTri(q.ask_when, c.values) == 0) continue;
    out |= SettableFindings(q);
  }
  return out;
}

bool CouldStillFire(const KnowledgeBase& kb, const Case& c, size_t rule) {
  const kb::Program& p = kb::Internal(kb).program;
  return CanHold(p, p.rules[rule].when, c.values.data(), AskableFindings(kb, c),
                 true);
}

void ComputeRelevance(const KnowledgeBase& kb, const Case& c,
                      const TriageResult& r, Relevance* out) {
  out->weight.fill(0);
  out->any.reset();
  const kb::Program& p = kb::Internal(kb).program;
  const int32_t* values = c.values.data();
  const FindingSet askable = AskableFindings(kb, c);
  kb::RuleSet fired;
  for (uint16_t i : r.fired) fired.set(i);
  for (size_t i = 0; i < p.rules.size(); ++i) {
    const kb::CompiledRule& rule = p.rules[i];
    const int w = RuleWeight(rule.level, false);
    if (!fired.test(i)) {
      // Would it change anything if it fired?
      if (rule.level <= r.level && (rule.conditions & ~r.conditions) == 0)
        continue;
      if (kb::Holds(p, rule.when, values, false)) continue;  // ruled out
      if (kb::Holds(p, rule.when, values, true)) continue;   // excepted
      // Among rules of one level, those the person's answers already
      // partly support are settled first (ordered by risk for this person:
      // after belly pain at 70, the pulsing lump before the medicines).
      CollectUndecided(
          p, rule.when, values, askable, true,
          RuleWeight(rule.level, SupportedByRedFlag(kb, p, rule.when, values)),
          out);
      continue;
    }
    // Fired: could an answer take it back (its `unless`, or a knownness
    // test in its `when`), and would that change anything?
    if (rule.level < r.level && rule.conditions == 0) continue;
    if (rule.level == TriageLevel::kSelfCare && rule.conditions == 0) continue;
    if (rule.unless != kb::kNoNode)
      CollectUndecided(p, rule.unless, values, askable, true, w, out);
    if (rule.always_evaluate) {
      const FindingSet open = rule.when_findings & ~c.known & askable;
      for (size_t f = open._Find_first(); f < open.size();
           f = open._Find_next(f))
        Raise(static_cast<FindingId>(f), w, out);
    }
  }
  if (const plan::PlanModel* model = plan::PlanModelOf(kb))
    PlanRelevance(*model, c, r, out);
  // Only an unknown finding can still be answered.
  out->any &= ~c.known;
}

int QuestionWeight(const QuestionDef& q, const Relevance& rel) {
  const FindingSet open = SettableFindings(q) & rel.any;
  int w = 0;
  for (size_t f = open._Find_first(); f < open.size(); f = open._Find_next(f))
    w = std::max(w, static_cast<int>(rel.weight[f]));
  return w;
}

namespace {

void ExprFindings(const kb::Expr& e, FindingSet* out) {
  if (e.kind == kb::Expr::Kind::kAtom) {
    out->set(e.atom.finding);
    return;
  }
  for (const kb::Expr& c : e.children) ExprFindings(c, out);
}

}  // namespace

int ChooseNext(const Questionnaire& model, const Case& c, const Relevance& rel,
               const std::vector<bool>& asked, std::string_view only_screen) {
  // What the questions still to be asked could set.
  FindingSet settable;
  for (size_t i = 0; i < model.questions.size(); ++i) {
    const QuestionDef& q = model.questions[i];
    if (!asked[i] && QuestionWeight(q, rel) > 0 && ShouldAsk(q, c.values))
      settable |= SettableFindings(q);
  }
  int best = -1, best_weight = 0;
  for (size_t i = 0; i < model.questions.size(); ++i) {
    if (asked[i]) continue;
    const QuestionDef& q = model.questions[i];
    if (!only_screen.empty() && q.view.screen != only_screen) continue;
    const int w = QuestionWeight(q, rel);
    if (w <= best_weight) continue;
    if (q.has_ask_when) {
      const int when = EvalTri(q.ask_when, c.values);
      if (when == 0) continue;
      if (when < 0) {
        // Unknown: wait for a question that could still settle it (an
        // unanswerable condition still errs towards asking).
        FindingSet needs;
        ExprFindings(q.ask_when, &needs);
        if ((needs & ~c.known & settable).any()) continue;
      }
    }
    best = static_cast<int>(i);
    best_weight = w;
  }
  return best;
}

std::vector<int> ScreenOf(const Questionnaire& model, const Case& c,
                          const Relevance& rel, const std::vector<bool>& asked,
                          int next) {
  const std::string& screen = model.questions[next].view.screen;
  if (screen.empty()) return {next};
  std::vector<int> out;
  for (size_t i = 0; i < model.questions.size(); ++i) {
    const QuestionDef& q = model.questions[i];
    if (q.view.screen != screen) continue;
    if (static_cast<int>(i) == next ||
        (!asked[i] && ShouldAsk(q, c.values) && QuestionWeight(q, rel) > 0))
      out.push_back(static_cast<int>(i));
  }
  return out;
}

int ConfirmEmergency(const KnowledgeBase& kb, const Questionnaire& model,
                     const Case& c, const TriageResult& r,
                     const std::vector<bool>& asked) {
  if (r.level != TriageLevel::kEmergency) return -1;
  const kb::Program& p = kb::Internal(kb).program;
  const int32_t* values = c.values.data();
  Relevance rel;
  for (uint16_t i : r.fired) {
    const kb::CompiledRule& rule = p.rules[i];
    if (rule.level != TriageLevel::kEmergency) continue;
    // Certain: no exception, one already ruled out, or a `when` that tests
    // whether something is known (left as it is).
    if (rule.unless == kb::kNoNode || rule.always_evaluate ||
        kb::Holds(p, rule.unless, values, false))
      return -1;
    CollectUndecided(p, rule.unless, values, AskableFindings(kb, c), true,
                     RuleWeight(rule.level, false), &rel);
  }
  rel.any &= ~c.known;
  if (rel.any.none()) return -1;
  return ChooseNext(model, c, rel, asked);
}

Reply TypicalReply(const KnowledgeBase& kb, const QuestionDef& q) {
  const Question& v = q.view;
  if (v.kind == QuestionKind::kNumber) {
    const auto& normal = kb.findings()[q.finding].normal;
    if (normal && *normal >= q.min && *normal <= q.max)
      return Reply::Number(static_cast<double>(*normal) / q.scale);
    // No normal value (age, days): the value that makes the fewest of the
    // rules' tests on it true, the lowest such.
    const kb::Program& p = kb::Internal(kb).program;
    std::vector<int32_t> candidates = {q.min, q.max};
    for (const kb::Node& n : p.nodes) {
      if (!kb::IsAtom(n.op) || n.finding != q.finding) continue;
      for (int32_t d : {-1, 0, 1}) candidates.push_back(n.operand + d);
    }
    int32_t best = q.min;
    int best_true = -1;
    std::sort(candidates.begin(), candidates.end());
    for (int32_t x : candidates) {
      if (x < q.min || x > q.max) continue;
      int true_atoms = 0;
      for (const kb::Node& n : p.nodes) {
        if (kb::IsAtom(n.op) && n.finding == q.finding &&
            kb::TestKnown(n.op, n.operand, x))
          ++true_atoms;
      }
      if (best_true < 0 || true_atoms < best_true) {
        best = x;
        best_true = true_atoms;
      }
    }
    return Reply::Number(static_cast<double>(best) / q.scale);
  }
  if (v.kind == QuestionKind::kChecklist) {
    for (const auto& o : v.options)
      if (o.role == OptionRole::kNone) return Reply::Option(o.id);
  }
  for (size_t i = 0; i < v.options.size(); ++i) {
    if (v.options[i].role != OptionRole::kAnswer) continue;
    const auto& sets = q.options[i].sets;
    if (sets.empty()) continue;
    const bool all_normal =
        std::all_of(sets.begin(), sets.end(), [&](const Setting& s) {
          const auto& n = kb.findings()[s.first].normal;
          return n && *n == s.second;
        });
    if (all_normal) return Reply::Option(v.options[i].id);
  }
  // No wholly normal answer (how it started): the answer that makes the
  // fewest of the rules' tests true, as a person with nothing to report
  // would give one of them rather than "not sure".
  const kb::Program& p = kb::Internal(kb).program;
  int best = -1, best_true = 0;
  for (size_t i = 0; i < v.options.size(); ++i) {
    if (v.options[i].role != OptionRole::kAnswer) continue;
    const auto& sets = q.options[i].sets;
    if (sets.empty()) continue;
    int true_atoms = 0;
    for (const kb::Node& n : p.nodes) {
      if (!kb::IsAtom(n.op) || n.op == kb::NodeOp::kIsKnown ||
          n.op == kb::NodeOp::kIsUnknown)
        continue;
      for (const Setting& s : sets)
        if (n.finding == s.first && kb::TestKnown(n.op, n.operand, s.second))
          ++true_atoms;
    }
    if (best < 0 || true_atoms < best_true) {
      best = static_cast<int>(i);
      best_true = true_atoms;
    }
  }
  if (best >= 0) return Reply::Option(v.options[best].id);
  for (const auto& o : v.options)
    if (o.role == OptionRole::kUnsure) return Reply::Option(o.id);
  return Reply::NotSure();
}

}  // namespace backaid::assess
