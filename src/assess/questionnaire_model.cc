// The questionnaire model's evaluation helpers (questionnaire_model.h):
// three-valued evaluation of `ask_when`, the findings a question may set and
// the abnormal values of a finding. Used by the loader's lint and by the
// assessment.
#include "src/assess/questionnaire_model.h"

#include <cstdint>
#include <vector>

#include "src/knowledge/program.h"

namespace backaid::assess {

int EvalTri(const kb::Expr& e, const std::vector<int32_t>& values) {
  switch (e.kind) {
    case kb::Expr::Kind::kAnd: {
      int r = 1;
      for (const kb::Expr& c : e.children) {
        const int v = EvalTri(c, values);
        if (v == 0) return 0;
        if (v < 0) r = -1;
      }
      return r;
    }
    case kb::Expr::Kind::kOr: {
      int r = 0;
      for (const kb::Expr& c : e.children) {
        const int v = EvalTri(c, values);
        if (v == 1) return 1;
        if (v < 0) r = -1;
      }
      return r;
    }
    case kb::Expr::Kind::kNot: {
      const int v = EvalTri(e.children.at(0), values);
      return v < 0 ? -1 : 1 - v;
    }
    case kb::Expr::Kind::kAtLeast: {
      int yes = 0, unknown = 0;
      for (const kb::Expr& c : e.children) {
        const int v = EvalTri(c, values);
        if (v == 1) ++yes;
        if (v < 0) ++unknown;
      }
      if (yes >= e.k) return 1;
      return yes + unknown >= e.k ? -1 : 0;
    }
    case kb::Expr::Kind::kAtom: {
      const int32_t v = values[e.atom.finding];
      if (e.atom.op == kb::AtomOp::kIsUnknown) return v == kUnknown;
      if (e.atom.op == kb::AtomOp::kIsKnown) return v != kUnknown;
      if (v == kUnknown) return -1;
      return kb::TestAtom(e.atom, v) ? 1 : 0;
    }
  }
  return -1;
}

uint32_t AbnormalMask(const FindingDef& f) {
  uint32_t all = 0;
  if (f.type == FindingType::kBool) {
    all = 0b11;
  } else if (f.type == FindingType::kEnum && f.values.size() <= 32) {
    all = f.values.size() == 32 ? 0xffffffffu : (1u << f.values.size()) - 1;
  } else {
    return 0;
  }
  if (f.normal && *f.normal >= 0 && *f.normal < 32) all &= ~(1u << *f.normal);
  return all;
}

FindingSet SettableFindings(const QuestionDef& q) {
  FindingSet out;
  if (q.view.kind == QuestionKind::kNumber) out.set(q.finding);
  for (const OptionDef& o : q.options)
    for (const Setting& s : o.sets) out.set(s.first);
  for (const Setting& s : q.normals) out.set(s.first);
  for (const auto& e : q.excludes) out.set(e.first);
  return out;
}

bool ShouldAsk(const QuestionDef& q, const std::vector<int32_t>& values) {
  return !q.has_ask_when || EvalTri(q.ask_when, values) != 0;
}
}  // namespace backaid::assess
