#include "src/caseio/json_check.h"

#include <gtest/gtest.h>

#include <string>

namespace backaid {
namespace {

std::string Message(std::string_view body,
                    const std::vector<std::string_view>& allowed = {}) {
  const Status s = CheckJsonShape(body, allowed);
  return s.ok() ? "ok" : s.message();
}

TEST(JsonCheck, AcceptsAPlainObject) {
  EXPECT_EQ(
      Message(R"({"id":"a","findings":{"fever":true}})", {"id", "findings"}),
      "ok");
}

TEST(JsonCheck, NamesEachProblem) {
  EXPECT_EQ(Message(""), "empty body: a JSON object is required");
  EXPECT_EQ(Message(" \n"), "empty body: a JSON object is required");
  EXPECT_EQ(Message("[1]"), "the body must be a JSON object");
  EXPECT_EQ(Message("\"s\""), "the body must be a JSON object");
  EXPECT_NE(Message("{").find("malformed JSON"), std::string::npos);
  EXPECT_EQ(Message("{\"a\":\"\xff\"}"), "invalid UTF-8 in the body");
  EXPECT_EQ(Message(R"({"a":[[[[[[[[[1]]]]]]]]]})"),
            "JSON nested deeper than 8 levels");
  EXPECT_EQ(Message(R"({"a":1e999})"), "a number is malformed or out of range");
  EXPECT_EQ(Message(R"({"id":"a","extra":1})", {"id"}),
            "unknown member 'extra' (expected one of: id)");
}

TEST(JsonCheck, DepthLimitIsExact) {
  // 8 levels (the body object plus 7 arrays) pass; 9 do not.
  std::string ok =
      "{\"a\":" + std::string(7, '[') + "1" + std::string(7, ']') + "}";
  std::string deep =
      "{\"a\":" + std::string(8, '[') + "1" + std::string(8, ']') + "}";
  EXPECT_EQ(Message(ok), "ok");
  EXPECT_EQ(Message(deep), "JSON nested deeper than 8 levels");
}

TEST(JsonCheck, StringAndMemberLimitsNameThePath) {
  const std::string long_note =
      "{\"entry\":{\"note\":\"" + std::string(4097, 'x') + "\"}}";
  EXPECT_EQ(Message(long_note), "entry.note: string longer than 4096 bytes");
  std::string many = "{\"findings\":{";
  for (int i = 0; i < 513; ++i) {
    many += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":true";
  }
  many += "}}";
  EXPECT_EQ(Message(many), "findings: more than 512 members");
  std::string items = "{\"done\":[";
  for (int i = 0; i < 513; ++i) items += i ? ",1" : "1";
  items += "]}";
  EXPECT_EQ(Message(items), "done: more than 512 items");
}

TEST(JsonCheck, LimitsCanBeChanged) {
  JsonLimits tight;
  tight.max_depth = 2;
  tight.max_string_bytes = 3;
  EXPECT_FALSE(CheckJsonShape(R"({"a":{"b":[1]}})", {}, tight).ok());
  EXPECT_TRUE(CheckJsonShape(R"({"a":{"b":1}})", {}, tight).ok());
  EXPECT_FALSE(CheckJsonShape(R"({"a":"abcd"})", {}, tight).ok());
  // The default limits apply again on the same thread afterwards.
  EXPECT_EQ(Message(R"({"a":[[[[[[[1]]]]]]]})"), "ok");
}

TEST(JsonCheck, RefusesDuplicateKeysAtAnyDepth) {
  EXPECT_EQ(Message(R"({"a":1,"a":2})"), "a: duplicate key");
  EXPECT_EQ(Message(R"({"f":{"x":true,"x":false}})"), "f.x: duplicate key");
  EXPECT_EQ(Message(R"({"f":[{"x":1},{"x":2}]})"), "ok");
}

TEST(JsonCheck, RefusesABodyOver64KiB) {
  const std::string big = "{\"a\":\"" + std::string(70 * 1024, 'x') + "\"}";
  EXPECT_EQ(Message(big), "body larger than 65536 bytes");
}

}  // namespace
}  // namespace backaid
