#include "src/knowledge/expr.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>

#include <fmt/format.h>

namespace backaid::kb {
namespace {

enum class Tok : uint8_t {
  kEnd,
  kIdent,
  kNumber,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
  kOp,  // == != < <= > >=
  kError,
};

struct Token {
  Tok kind = Tok::kEnd;
  std::string_view text;
  int column = 1;
};

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  Token Next() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_])))
      ++pos_;
    Token t;
    t.column = static_cast<int>(pos_) + 1;
    if (pos_ >= s_.size()) return t;
    const char c = s_[pos_];
    const size_t start = pos_;
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      while (pos_ < s_.size() &&
             (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_'))
        ++pos_;
      t.kind = Tok::kIdent;
    } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.') {
      ++pos_;
      while (pos_ < s_.size() &&
             (std::isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.'))
        ++pos_;
      t.kind = Tok::kNumber;
    } else if (c == '(' || c == ')' || c == '[' || c == ']' || c == ',') {
      ++pos_;
      t.kind = c == '('   ? Tok::kLParen
               : c == ')' ? Tok::kRParen
               : c == '[' ? Tok::kLBracket
               : c == ']' ? Tok::kRBracket
                          : Tok::kComma;
    } else if (c == '=' || c == '!' || c == '<' || c == '>') {
      ++pos_;
      if (pos_ < s_.size() && s_[pos_] == '=') ++pos_;
      t.kind = Tok::kOp;
      std::string_view op = s_.substr(start, pos_ - start);
      if (op == "=" || op == "!") t.kind = Tok::kError;
    } else {
      ++pos_;
      t.kind = Tok::kError;
    }
    t.text = s_.substr(start, pos_ - start);
    return t;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

class Parser {
 public:
  Parser(std::string_view text, const std::vector<FindingDef>& findings,
         const FindingIndex& index)
      : lex_(text), findings_(findings), index_(index) {
    Advance();
  }

  bool Parse(Expr* out, ParseError* error) {
    if (!ParseOr(out)) {
      *error = error_;
      return false;
    }
    if (tok_.kind != Tok::kEnd) {
      Fail(tok_.column, fmt::format("unexpected '{}' after the end of the "
                                    "condition",
                                    tok_.text));
      *error = error_;
      return false;
    }
    return true;
  }

 private:
  void Advance() { tok_ = lex_.Next(); }
  bool IsWord(std::string_view w) const {
    return tok_.kind == Tok::kIdent && tok_.text == w;
  }
  bool Fail(int column, std::string message) {
    if (!failed_) {
      failed_ = true;
      error_.column = column;
      error_.message = std::move(message);
    }
    return false;
  }
  bool Expect(Tok kind, std::string_view what) {
    if (tok_.kind != kind) {
      return Fail(tok_.column,
                  fmt::format("expected {} but found '{}'", what,
                              tok_.kind == Tok::kEnd ? "end of condition"
                                                     : std::string(tok_.text)));
    }
    Advance();
    return true;
  }

  bool ParseOr(Expr* out) {
    Expr first;
    const int column = tok_.column;
    if (!ParseAnd(&first)) return false;
    if (!IsWord("or")) {
      *out = std::move(first);
      return true;
    }
    out->kind = Expr::Kind::kOr;
    out->column = column;
    out->children.push_back(std::move(first));
    while (IsWord("or")) {
      Advance();
      Expr next;
      if (!ParseAnd(&next)) return false;
      out->children.push_back(std::move(next));
    }
    return true;
  }

  bool ParseAnd(Expr* out) {
    Expr first;
    const int column = tok_.column;
    if (!ParseUnary(&first)) return false;
    if (!IsWord("and")) {
      *out = std::move(first);
      return true;
    }
    out->kind = Expr::Kind::kAnd;
    out->column = column;
    out->children.push_back(std::move(first));
    while (IsWord("and")) {
      Advance();
      Expr next;
      if (!ParseUnary(&next)) return false;
      out->children.push_back(std::move(next));
    }
    return true;
  }

  // Nesting (parentheses, `not`, `at_least`) is bounded so that a hostile
  // condition cannot exhaust the stack: every nested level passes here.
  static constexpr int kMaxDepth = 64;

  bool ParseUnary(Expr* out) {
    struct DepthGuard {
      int* depth;
      ~DepthGuard() { --*depth; }
    } guard{&depth_};
    if (++depth_ > kMaxDepth) {
      return Fail(tok_.column,
                  fmt::format("the condition is nested more than {} levels "
                              "deep",
                              kMaxDepth));
    }
    if (IsWord("not")) {
      out->kind = Expr::Kind::kNot;
      out->column = tok_.column;
      Advance();
      Expr inner;
      if (!ParseUnary(&inner)) return false;
      out->children.push_back(std::move(inner));
      return true;
    }
    return ParsePrimary(out);
  }

  bool ParsePrimary(Expr* out) {
    out->column = tok_.column;
    if (tok_.kind == Tok::kLParen) {
      Advance();
      if (!ParseOr(out)) return false;
      return Expect(Tok::kRParen, "')'");
    }
    if (tok_.kind != Tok::kIdent) {
      return Fail(tok_.column,
                  fmt::format("expected a finding, '(' or 'not' but found '{}'",
                              tok_.kind == Tok::kEnd ? "end of condition"
                                                     : std::string(tok_.text)));
    }
    if (IsWord("at_least")) return ParseAtLeast(out);
    if (IsWord("unknown") || IsWord("known")) return ParseKnownness(out);
    if (IsWord("and") || IsWord("or") || IsWord("in") || IsWord("true") ||
        IsWord("false")) {
      return Fail(tok_.column,
                  fmt::format("'{}' cannot start a condition", tok_.text));
    }
    return ParseComparison(out);
  }

  bool ParseAtLeast(Expr* out) {
    out->kind = Expr::Kind::kAtLeast;
    Advance();
    if (!Expect(Tok::kLParen, "'(' after at_least")) return false;
    if (tok_.kind != Tok::kNumber) {
      return Fail(tok_.column, "at_least needs a whole number first");
    }
    int k = 0;
    auto [p, ec] = std::from_chars(tok_.text.data(),
                                   tok_.text.data() + tok_.text.size(), k);
    if (ec != std::errc() || p != tok_.text.data() + tok_.text.size() || k < 1) {
      return Fail(tok_.column, fmt::format("at_least needs a whole number >= 1, "
                                           "not '{}'",
                                           tok_.text));
    }
    out->k = k;
    Advance();
    while (tok_.kind == Tok::kComma) {
      Advance();
      Expr child;
      if (!ParseOr(&child)) return false;
      out->children.push_back(std::move(child));
    }
    if (!Expect(Tok::kRParen, "')' to close at_least")) return false;
    if (out->children.size() < 2) {
      return Fail(out->column, "at_least needs at least two conditions");
    }
    if (static_cast<size_t>(k) > out->children.size()) {
      return Fail(out->column,
                  fmt::format("at_least({}) of only {} conditions can never "
                              "be true",
                              k, out->children.size()));
    }
    return true;
  }

  bool ParseKnownness(Expr* out) {
    const bool unknown = IsWord("unknown");
    Advance();
    if (!Expect(Tok::kLParen, "'('")) return false;
    FindingId f;
    if (!ParseFinding(&f)) return false;
    if (!Expect(Tok::kRParen, "')'")) return false;
    out->kind = Expr::Kind::kAtom;
    out->atom.finding = f;
    out->atom.op = unknown ? AtomOp::kIsUnknown : AtomOp::kIsKnown;
    return true;
  }

  bool ParseFinding(FindingId* f) {
    if (tok_.kind != Tok::kIdent) {
      return Fail(tok_.column, fmt::format("expected a finding but found '{}'",
                                           tok_.text));
    }
    auto it = index_.find(std::string(tok_.text));
    if (it == index_.end()) {
      return Fail(tok_.column,
                  fmt::format("unknown finding '{}'", tok_.text));
    }
    *f = it->second;
    Advance();
    return true;
  }

  // Parses one literal for finding `def` into its encoded value.
  bool ParseLiteral(const FindingDef& def, int32_t* value) {
    const Token lit = tok_;
    if (lit.kind == Tok::kEnd) {
      return Fail(lit.column, "expected a value but the condition ended");
    }
    switch (def.type) {
      case FindingType::kBool:
        if (lit.kind == Tok::kIdent && (lit.text == "true" || lit.text == "false")) {
          *value = lit.text == "true" ? 1 : 0;
          Advance();
          return true;
        }
        return Fail(lit.column,
                    fmt::format("type mismatch: '{}' is a yes/no finding; "
                                "compare it with true or false, not '{}'",
                                def.key, lit.text));
      case FindingType::kEnum: {
        if (lit.kind == Tok::kIdent) {
          for (size_t i = 0; i < def.values.size(); ++i) {
            if (def.values[i] == lit.text) {
              *value = static_cast<int32_t>(i);
              Advance();
              return true;
            }
          }
        }
        std::string allowed;
        for (const auto& v : def.values) {
          if (!allowed.empty()) allowed += ", ";
          allowed += v;
        }
        return Fail(lit.column,
                    fmt::format("type mismatch: '{}' is not a value of '{}' "
                                "(one of: {})",
                                lit.text, def.key, allowed));
      }
      case FindingType::kInt:
      case FindingType::kNumber: {
        if (lit.kind != Tok::kNumber) {
          return Fail(lit.column,
                      fmt::format("type mismatch: '{}' is a number; '{}' is "
                                  "not",
                                  def.key, lit.text));
        }
        double d = 0;
        auto [p, ec] = std::from_chars(lit.text.data(),
                                       lit.text.data() + lit.text.size(), d);
        if (ec != std::errc() || p != lit.text.data() + lit.text.size()) {
          return Fail(lit.column, fmt::format("'{}' is not a number", lit.text));
        }
        const double scaled = d * def.scale;
        if (std::fabs(scaled - std::round(scaled)) > 1e-9) {
          return Fail(lit.column,
                      fmt::format("type mismatch: '{}' takes {} but '{}' has "
                                  "more decimals",
                                  def.key,
                                  def.type == FindingType::kInt
                                      ? "whole numbers"
                                      : "one decimal place",
                                  lit.text));
        }
        if (std::fabs(scaled) > 1e9) {
          return Fail(lit.column, fmt::format("'{}' is too large", lit.text));
        }
        *value = static_cast<int32_t>(std::lround(scaled));
        Advance();
        return true;
      }
    }
    return false;
  }

  bool ParseComparison(Expr* out) {
    FindingId f;
    const int column = tok_.column;
    if (!ParseFinding(&f)) return false;
    const FindingDef& def = findings_[f];
    out->kind = Expr::Kind::kAtom;
    out->column = column;
    out->atom.finding = f;

    bool negate_in = false;
    if (IsWord("not")) {
      // "x not in [...]" only; a bare "not" after a finding is an error.
      Advance();
      if (!IsWord("in")) {
        return Fail(tok_.column, "expected 'in' after 'not'");
      }
      negate_in = true;
    }
    if (IsWord("in")) {
      Advance();
      if (def.type != FindingType::kEnum) {
        return Fail(column, fmt::format("type mismatch: 'in [...]' needs a "
                                        "finding with named values; '{}' has "
                                        "none",
                                        def.key));
      }
      if (!Expect(Tok::kLBracket, "'['")) return false;
      uint32_t mask = 0;
      while (true) {
        int32_t v;
        if (!ParseLiteral(def, &v)) return false;
        mask |= 1u << v;
        if (tok_.kind == Tok::kComma) {
          Advance();
          continue;
        }
        break;
      }
      if (!Expect(Tok::kRBracket, "']'")) return false;
      out->atom.op = AtomOp::kIn;
      out->atom.mask = mask;
      if (negate_in) {
        const uint32_t all =
            def.values.size() >= 32 ? ~0u : ((1u << def.values.size()) - 1);
        out->atom.mask = all & ~mask;
      }
      return true;
    }

    if (tok_.kind != Tok::kOp) {
      if (def.type != FindingType::kBool) {
        return Fail(column,
                    fmt::format("type mismatch: '{}' is not a yes/no finding; "
                                "compare it with a value",
                                def.key));
      }
      out->atom.op = AtomOp::kIsTrue;
      return true;
    }
    const std::string_view op = tok_.text;
    const int op_column = tok_.column;
    Advance();
    int32_t v;
    if (!ParseLiteral(def, &v)) return false;
    const bool ordered = op == "<" || op == "<=" || op == ">" || op == ">=";
    if (ordered && (def.type == FindingType::kBool ||
                    def.type == FindingType::kEnum)) {
      return Fail(op_column,
                  fmt::format("type mismatch: '{}' has no order; use == or "
                              "in [...]",
                              def.key));
    }
    if (def.type == FindingType::kBool) {
      // "x == true" is x; "x == false" / "x != true" test a known "no".
      const bool want_true = (op == "==") == (v == 1);
      out->atom.op = AtomOp::kEq;
      out->atom.operand = want_true ? 1 : 0;
      if (want_true) out->atom.op = AtomOp::kIsTrue;
      return true;
    }
    out->atom.operand = v;
    out->atom.op = op == "=="   ? AtomOp::kEq
                   : op == "!=" ? AtomOp::kNe
                   : op == "<"  ? AtomOp::kLt
                   : op == "<=" ? AtomOp::kLe
                   : op == ">"  ? AtomOp::kGt
                                : AtomOp::kGe;
    return true;
  }

  Lexer lex_;
  const std::vector<FindingDef>& findings_;
  const FindingIndex& index_;
  Token tok_;
  bool failed_ = false;
  int depth_ = 0;
  ParseError error_;
};

}  // namespace

bool ParseExpr(std::string_view text, const std::vector<FindingDef>& findings,
               const FindingIndex& index, Expr* out, ParseError* error) {
  Parser parser(text, findings, index);
  return parser.Parse(out, error);
}

std::string ValueToString(const FindingDef& f, int32_t v) {
  if (v == kUnknown) return "unknown";
  switch (f.type) {
    case FindingType::kBool:
      return v ? "true" : "false";
    case FindingType::kEnum:
      return v >= 0 && static_cast<size_t>(v) < f.values.size()
                 ? f.values[v]
                 : std::to_string(v);
    case FindingType::kInt:
      return std::to_string(v);
    case FindingType::kNumber:
      return fmt::format("{:g}", static_cast<double>(v) / f.scale);
  }
  return std::to_string(v);
}

std::string AtomToString(const Atom& a, const std::vector<FindingDef>& fs) {
  const FindingDef& f = fs[a.finding];
  switch (a.op) {
    case AtomOp::kIsTrue:
      return f.key;
    case AtomOp::kIsUnknown:
      return fmt::format("unknown({})", f.key);
    case AtomOp::kIsKnown:
      return fmt::format("known({})", f.key);
    case AtomOp::kIn: {
      std::string s = f.key + " in [";
      bool first = true;
      for (size_t i = 0; i < f.values.size(); ++i) {
        if (!((a.mask >> i) & 1u)) continue;
        if (!first) s += ", ";
        s += f.values[i];
        first = false;
      }
      return s + "]";
    }
    default:
      break;
  }
  const char* op = a.op == AtomOp::kEq   ? "=="
                   : a.op == AtomOp::kNe ? "!="
                   : a.op == AtomOp::kLt ? "<"
                   : a.op == AtomOp::kLe ? "<="
                   : a.op == AtomOp::kGt ? ">"
                                         : ">=";
  return fmt::format("{} {} {}", f.key, op, ValueToString(f, a.operand));
}

}  // namespace backaid::kb
