// The OpenAPI document is valid and its references resolve; RegisterRoutes
// reports a failed crypto start.
#include "src/api/api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>

namespace backaid::api {
namespace {

TEST(OpenApi, IsValidJsonOfVersion31) {
  const auto doc = nlohmann::json::parse(OpenApiDocument(), nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(doc["openapi"], "3.1.0");
  EXPECT_TRUE(doc["info"]["title"].is_string());
}

// That the document lists exactly the routes that are bound is checked
// against a running server in api_handler_test.cc.

// Issue 12 finding 4: when libsodium cannot start, the server reports it
// like any other start failure instead of calling std::abort().
TEST(RegisterRoutes, CryptoStartFailureIsAStatusNotAnAbort) {
  server::HttpServer http(server::ServerOptions{});
  ApiContext ctx;
  ctx.crypto_init = [] { return -1; };
  const Status s = RegisterRoutes(http, ctx);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("libsodium"), std::string::npos) << s.message();
}

TEST(OpenApi, EveryReferenceResolves) {
  const auto doc = nlohmann::json::parse(OpenApiDocument());
  std::function<void(const nlohmann::json&)> walk =
      [&](const nlohmann::json& j) {
        if (j.is_object()) {
          for (const auto& [k, v] : j.items()) {
            if (k == "$ref") {
              const std::string ref = v.get<std::string>();
              const std::string prefix = "#/components/schemas/";
              ASSERT_EQ(ref.rfind(prefix, 0), 0u) << ref;
              EXPECT_TRUE(doc["components"]["schemas"].contains(
                  ref.substr(prefix.size())))
                  << ref;
            } else {
              walk(v);
            }
          }
        } else if (j.is_array()) {
          for (const auto& v : j) walk(v);
        }
      };
  walk(doc);
}

}  // namespace
}  // namespace backaid::api
