// The HTTP API of `backaid serve`: routes, and handlers that decode a
// request, call the core (engine, assessment, plan, diary, calendar) and the
// storage, and encode the answer. No clinical logic lives here.
//
// Episodes are reached only with their capability token
// (Authorization: Bearer <token>); a missing or wrong token gets the same
// 404 as an episode that does not exist. The token is shown once, when the
// episode is opened; storage keeps only its hash. Every read, write and
// erase of an episode is audited (hashes only, never data or ids in clear).
//
// Writes accept an Idempotency-Key header: a retry with the same key and
// body gets the first answer again (nothing written twice, even across a
// crash); the same key with another body is a 422. Keys are remembered for
// ApiContext::idempotency_ttl_ms (24 h by default), then forgotten.
#ifndef BACKAID_SRC_API_API_H_
#define BACKAID_SRC_API_API_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "backaid/knowledge_base.h"
#include "src/server/http_server.h"
#include "src/storage/storage.h"

namespace backaid::api {

struct ApiContext {
  std::shared_ptr<const KnowledgeBase> kb;
  storage::Storage* storage = nullptr;  // not owned; outlives the server
  server::HttpServer* http = nullptr;   // for metrics; not owned
  // Unix milliseconds; the system clock unless a test sets it.
  std::function<int64_t()> now_ms;
  // Directory of the web page's built files (index.html, assets/); empty =
  // no web page.
  std::string web_root;
  // How long a write's Idempotency-Key is remembered. Expired records are
  // deleted from the write path, at most every min(60 s, ttl / 2); a record
  // is replayed for at least this long and forgotten at most that much later.
  int64_t idempotency_ttl_ms = int64_t{24} * 3600 * 1000;
  // Initialises the cryptography (tokens, hashes, sealing): libsodium's
  // sodium_init unless a test replaces it; below 0 = failed.
  int (*crypto_init)() = nullptr;
  // Bounds on one episode's diary (issue 12, finding 1): entries in all,
  // and entries in any 24 hours. Over either, a write is refused with a
  // problem that says why and what to do instead (0 = no bound).
  int max_entries_per_episode = 1000;
  int max_entries_per_day = 96;
};

// Registers every route on `http` (before it starts). Fails, registering
// nothing, when the cryptography cannot start (no safe randomness).
[[nodiscard]] Status RegisterRoutes(server::HttpServer& http, ApiContext ctx);

// Method and path template of every route RegisterRoutes adds, in order.
// The OpenAPI document lists exactly these (a test checks it).
std::vector<std::pair<std::string, std::string>> RouteList();

// The OpenAPI 3.1 document served at /openapi.json.
std::string_view OpenApiDocument();

}  // namespace backaid::api

#endif  // BACKAID_SRC_API_API_H_
