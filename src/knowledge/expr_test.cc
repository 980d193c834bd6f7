#include "src/knowledge/expr.h"

#include <gtest/gtest.h>

#include "src/knowledge/loader.h"
#include "src/knowledge/test_kb.h"

namespace backaid::kb {
namespace {

class ExprTest : public ::testing::Test {
 protected:
  ExprTest() {
    auto out = Build(testing::TestKbFiles(R"(rules:
  - id: r
    when: a or b
    level: urgent
    see: [gp]
    reason: r
    sources: [s1]
)"));
    impl_ = std::move(out.impl);
  }
  bool Parse(const std::string& text, Expr* e, ParseError* err) {
    return ParseExpr(text, impl_->findings, impl_->finding_index, e, err);
  }
  std::string Error(const std::string& text) {
    Expr e;
    ParseError err;
    if (Parse(text, &e, &err)) return "";
    return std::to_string(err.column) + ": " + err.message;
  }
  std::unique_ptr<KnowledgeBase::Impl> impl_;
};

TEST_F(ExprTest, AndBindsTighterThanOr) {
  Expr e;
  ParseError err;
  ASSERT_TRUE(Parse("a or b and c", &e, &err)) << err.message;
  ASSERT_EQ(e.kind, Expr::Kind::kOr);
  ASSERT_EQ(e.children.size(), 2u);
  EXPECT_EQ(e.children[1].kind, Expr::Kind::kAnd);
}

TEST_F(ExprTest, ParsesEveryForm) {
  for (const char* text :
       {"a", "not a", "a == true", "a == false", "a != true", "score >= 7",
        "score < 3", "temp >= 38.5", "walk == weak", "walk != normal",
        "walk in [weak, unable]", "walk not in [normal]", "side in [one, both]",
        "at_least(2, a, b, c)", "unknown(a)", "known(score)",
        "(a or b) and not (c or score > 2)", "sex == female"}) {
    Expr e;
    ParseError err;
    EXPECT_TRUE(Parse(text, &e, &err)) << text << ": " << err.message;
  }
}

TEST_F(ExprTest, RendersAtomsBack) {
  Expr e;
  ParseError err;
  ASSERT_TRUE(Parse("walk not in [normal]", &e, &err));
  EXPECT_EQ(AtomToString(e.atom, impl_->findings), "walk in [weak, unable]");
  ASSERT_TRUE(Parse("temp >= 38.5", &e, &err));
  EXPECT_EQ(e.atom.operand, 385);
  EXPECT_EQ(AtomToString(e.atom, impl_->findings), "temp >= 38.5");
}

TEST_F(ExprTest, ErrorsPointAtTheProblem) {
  EXPECT_EQ(Error("a or zz"), "6: unknown finding 'zz'");
  EXPECT_EQ(Error("a and"), "6: expected a finding, '(' or 'not' but found "
                            "'end of condition'");
  EXPECT_EQ(Error("(a or b"), "8: expected ')' but found 'end of condition'");
  EXPECT_EQ(Error("a b"), "3: unexpected 'b' after the end of the condition");
  EXPECT_EQ(Error("at_least(4, a, b)"),
            "1: at_least(4) of only 2 conditions can never be true");
  EXPECT_EQ(Error("at_least(1, a)"), "1: at_least needs at least two conditions");
  EXPECT_EQ(Error("a = true"), "3: unexpected '=' after the end of the condition");
  EXPECT_NE(Error("walk < weak"), "");
  EXPECT_NE(Error("score in [1]"), "");
  EXPECT_NE(Error("a & b"), "");
}

// Found by fuzz_expr: 3,553 bytes of '(' (and a 'not') overflowed the
// stack of the recursive-descent parser. Nesting is now an error past 64
// levels, at the token that goes too deep; 64 levels still parse.
TEST_F(ExprTest, DeepNestingIsAnErrorNotAStackOverflow) {
  EXPECT_EQ(Error(std::string(3000, '(') + "not" + std::string(500, '(')),
            "65: the condition is nested more than 64 levels deep");
  std::string not_chain;
  for (int i = 0; i < 5000; ++i) not_chain += "not ";
  EXPECT_NE(Error(not_chain + "a").find("nested more than 64"),
            std::string::npos);
  EXPECT_EQ(Error(std::string(63, '(') + "a" + std::string(63, ')')), "");
}

}  // namespace
}  // namespace backaid::kb
