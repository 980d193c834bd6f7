// The condition language of rules, parsed and type-checked against the
// findings vocabulary.
//
//   expr    := or
//   or      := and ('or' and)*
//   and     := unary ('and' unary)*
//   unary   := 'not' unary | primary
//   primary := '(' expr ')'
//            | 'at_least' '(' INT ',' expr (',' expr)+ ')'
//            | 'unknown' '(' FINDING ')' | 'known' '(' FINDING ')'
//            | FINDING                               (bool findings)
//            | FINDING ('=='|'!='|'<'|'<='|'>'|'>=') LITERAL
//            | FINDING ['not'] 'in' '[' LITERAL (',' LITERAL)* ']'
//
// Literals are numbers, enum values (bare words) and true/false.
#ifndef BACKAID_SRC_KNOWLEDGE_EXPR_H_
#define BACKAID_SRC_KNOWLEDGE_EXPR_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "backaid/case.h"
#include "backaid/knowledge_base.h"

namespace backaid::kb {

enum class AtomOp : uint8_t {
  kIsTrue,  // bool finding is true
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kIn,         // enum value in mask
  kIsUnknown,  // unknown(f): true iff not assessed (never itself unknown)
  kIsKnown,    // known(f)
};

struct Atom {
  FindingId finding = 0;
  AtomOp op = AtomOp::kIsTrue;
  int32_t operand = 0;
  uint32_t mask = 0;  // kIn: bit v set for each allowed enum value v
};

// True when the known value `v` satisfies the atom (not for kIsUnknown /
// kIsKnown, which look at knownness itself).
inline bool TestAtom(const Atom& a, int32_t v) {
  switch (a.op) {
    case AtomOp::kIsTrue:
      return v != 0;
    case AtomOp::kEq:
      return v == a.operand;
    case AtomOp::kNe:
      return v != a.operand;
    case AtomOp::kLt:
      return v < a.operand;
    case AtomOp::kLe:
      return v <= a.operand;
    case AtomOp::kGt:
      return v > a.operand;
    case AtomOp::kGe:
      return v >= a.operand;
    case AtomOp::kIn:
      return v >= 0 && v < 32 && ((a.mask >> v) & 1u);
    case AtomOp::kIsUnknown:
    case AtomOp::kIsKnown:
      return false;
  }
  return false;
}

struct Expr {
  enum class Kind : uint8_t { kAnd, kOr, kNot, kAtLeast, kAtom };
  Kind kind = Kind::kAtom;
  int k = 0;  // kAtLeast threshold
  std::vector<Expr> children;
  Atom atom;
  int column = 1;  // 1-based column in the expression text
};

struct ParseError {
  int column = 1;
  std::string message;
};

// Parses and type-checks `text`. On failure returns false and fills `error`.
using FindingIndex = std::unordered_map<std::string, FindingId>;
bool ParseExpr(std::string_view text, const std::vector<FindingDef>& findings,
               const FindingIndex& index, Expr* out, ParseError* error);

// Renders an atom back as text, e.g. "heel_walk in [weak, unable]".
std::string AtomToString(const Atom& a, const std::vector<FindingDef>& f);

// Renders a finding's encoded value, e.g. "true", "weak", "38.5".
std::string ValueToString(const FindingDef& f, int32_t encoded);

}  // namespace backaid::kb

#endif  // BACKAID_SRC_KNOWLEDGE_EXPR_H_
