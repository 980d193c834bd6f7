// The API's handlers driven over HTTP with a fake clock and an in-memory
// storage: the real routes (RegisterRoutes on a real HttpServer on
// 127.0.0.1), no database, no sleeping. Also checks that the OpenAPI
// document lists exactly the routes that are bound: each documented path
// is asked with a method nobody serves, and the 405's Allow header (the
// router's list of what is bound there) must equal what is documented.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>

#include "backaid/knowledge_base.h"
#include "src/api/api.h"
#include "src/api/crypto.h"
#include "src/server/http_server.h"
#include "src/storage/storage.h"

namespace backaid::api {
namespace {

using storage::AuditRecord;
using storage::EntryRecord;
using storage::EpisodeRecord;
using storage::IdempotencyRecord;

// Storage in memory, with the interface's guarantees that the handlers
// rely on (seq per episode, idempotency records written with the write).
class MemoryStorage : public storage::Storage {
 public:
  std::string_view backend() const override { return "memory"; }
  Status Migrate() override { return Status::Ok(); }
  Status Ping() override { return Status::Ok(); }
  Status CreateEpisode(const EpisodeRecord& episode,
                       const IdempotencyRecord* idem,
                       std::optional<IdempotencyRecord>* existing) override {
    std::lock_guard lock(mu_);
    if (idem != nullptr) {
      if (auto it = idem_.find(idem->key_hash); it != idem_.end()) {
        *existing = it->second;
        return Status::Ok();
      }
      idem_[idem->key_hash] = *idem;
    }
    episodes_[episode.id] = episode;
    return Status::Ok();
  }
  Result<EpisodeRecord> GetEpisode(std::string_view id) override {
    std::lock_guard lock(mu_);
    calls_.push_back("GetEpisode");
    auto it = episodes_.find(std::string(id));
    if (it == episodes_.end()) return Status::NotFound("no episode");
    return it->second;
  }
  Status UpdateEpisodeDocument(std::string_view id,
                               std::string_view document) override {
    std::lock_guard lock(mu_);
    auto it = episodes_.find(std::string(id));
    if (it == episodes_.end()) return Status::NotFound("no episode");
    it->second.document = std::string(document);
    return Status::Ok();
  }
  Status AddEntry(EntryRecord* entry, std::string_view new_episode_document,
                  const IdempotencyRecord* idem,
                  std::optional<IdempotencyRecord>* existing) override {
    std::lock_guard lock(mu_);
    auto ep = episodes_.find(entry->episode_id);
    if (ep == episodes_.end()) return Status::NotFound("no episode");
    if (idem != nullptr) {
      if (auto it = idem_.find(idem->key_hash); it != idem_.end()) {
        *existing = it->second;
        return Status::Ok();
      }
    }
    auto& list = entries_[entry->episode_id];
    const int64_t seq = static_cast<int64_t>(list.size()) + 1;
    if (entry->expected_seq != 0 && seq != entry->expected_seq) {
      return Status::FailedPrecondition("another entry came first");
    }
    if (idem != nullptr) idem_[idem->key_hash] = *idem;
    entry->seq = seq;
    list.push_back(*entry);
    ep->second.document = std::string(new_episode_document);
    return Status::Ok();
  }
  Result<std::vector<EntryRecord>> ListEntriesPage(std::string_view id,
                                                   int64_t after_seq,
                                                   int64_t limit) override {
    std::lock_guard lock(mu_);
    if (limit < 1 || after_seq < 0) return Status::InvalidArgument("page");
    if (!episodes_.count(std::string(id))) return Status::NotFound("none");
    std::vector<EntryRecord> out;
    for (const EntryRecord& e : entries_[std::string(id)]) {
      if (e.seq > after_seq && static_cast<int64_t>(out.size()) < limit)
        out.push_back(e);
    }
    return out;
  }
  Result<std::optional<IdempotencyRecord>> FindIdempotency(
      std::string_view key_hash) override {
    std::lock_guard lock(mu_);
    calls_.push_back("FindIdempotency");
    auto it = idem_.find(std::string(key_hash));
    if (it == idem_.end()) return std::optional<IdempotencyRecord>();
    return std::optional<IdempotencyRecord>(it->second);
  }
  Result<int64_t> PurgeIdempotency(int64_t before_ms) override {
    std::lock_guard lock(mu_);
    calls_.push_back("PurgeIdempotency");
    if (fail_purge_) return Status::IoError("the database is away");
    int64_t n = 0;
    for (auto it = idem_.begin(); it != idem_.end();) {
      if (it->second.created_at < before_ms) {
        it = idem_.erase(it);
        ++n;
      } else {
        ++it;
      }
    }
    return n;
  }
  Status EraseEpisode(std::string_view id) override {
    std::lock_guard lock(mu_);
    calls_.push_back("EraseEpisode");
    if (!episodes_.erase(std::string(id))) return Status::NotFound("none");
    entries_.erase(std::string(id));
    for (auto it = idem_.begin(); it != idem_.end();) {
      it = it->second.episode_id == id ? idem_.erase(it) : std::next(it);
    }
    return Status::Ok();
  }
  Status AppendAudit(const AuditRecord& record) override {
    std::lock_guard lock(mu_);
    calls_.push_back("AppendAudit");
    audit_.push_back(record);
    return Status::Ok();
  }
  Result<std::vector<AuditRecord>> ListAudit(
      std::string_view episode_ref) override {
    std::lock_guard lock(mu_);
    std::vector<AuditRecord> out;
    for (const auto& a : audit_) {
      if (a.episode_ref == episode_ref) out.push_back(a);
    }
    return out;
  }
  Result<storage::IntegrityReport> CheckIntegrity() override {
    storage::IntegrityReport r;
    r.ok = true;
    return r;
  }

  // Every audit row, and the storage calls made since the last TakeCalls.
  std::vector<AuditRecord> AllAudit() {
    std::lock_guard lock(mu_);
    return audit_;
  }
  void FailPurge(bool fail) {
    std::lock_guard lock(mu_);
    fail_purge_ = fail;
  }
  std::vector<std::string> TakeCalls() {
    std::lock_guard lock(mu_);
    return std::exchange(calls_, {});
  }

 private:
  std::mutex mu_;
  std::vector<std::string> calls_;
  bool fail_purge_ = false;
  std::map<std::string, EpisodeRecord> episodes_;
  std::map<std::string, std::vector<EntryRecord>> entries_;
  std::map<std::string, IdempotencyRecord> idem_;
  std::vector<AuditRecord> audit_;
};

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& n) const {
    auto it = headers.find(n);
    return it == headers.end() ? "" : it->second;
  }
};

// One request on its own connection (Connection: close), read to EOF.
Response Call(uint16_t port, const std::string& method, const std::string& path,
              const std::string& body = "",
              const std::vector<std::string>& headers = {}) {
  Response r;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return r;
  }
  std::string req =
      method + " " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n";
  for (const auto& h : headers) req += h + "\r\n";
  if (!body.empty() || method == "POST") {
    req += "Content-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  std::string buf;
  char c[8192];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) break;
    const ssize_t n = ::recv(fd, c, sizeof c, 0);
    if (n <= 0) break;
    buf.append(c, static_cast<size_t>(n));
  }
  ::close(fd);
  const size_t end = buf.find("\r\n\r\n");
  if (end == std::string::npos) return r;
  std::istringstream lines(buf.substr(0, end));
  std::string line;
  std::getline(lines, line);
  r.status = std::stoi(line.substr(9, 3));
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t colon = line.find(':');
    std::string name = line.substr(0, colon);
    for (char& ch : name) ch = static_cast<char>(std::tolower(ch));
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    r.headers[name] = value;
  }
  r.body = buf.substr(end + 4);
  return r;
}

constexpr int64_t kT0 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
constexpr int64_t kHourMs = int64_t{3600} * 1000;

class ApiHandlerTest : public ::testing::Test {
 protected:
  void Start(int per_day = 96, int64_t ttl_ms = 24 * kHourMs) {
    auto kb = LoadEmbeddedKnowledgeBase();
    ASSERT_TRUE(kb.ok()) << kb.status().message();
    server::ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.threads = 1;
    options.rate_per_second = 0;  // no limit: the tests here are not about it
    options.episode_write_rate = 0;
    options.access_log = [](std::string_view) {};
    http_ = std::make_unique<server::HttpServer>(options);
    ApiContext ctx;
    ctx.kb = *kb;
    ctx.storage = &storage_;
    ctx.now_ms = [this] { return now_.load(); };
    ctx.max_entries_per_day = per_day;
    ctx.idempotency_ttl_ms = ttl_ms;
    ASSERT_TRUE(RegisterRoutes(*http_, ctx).ok());
    ASSERT_TRUE(http_->Start().ok());
    port_ = http_->port();
    runner_ = std::thread([this] { http_->Run(); });
  }
  void TearDown() override {
    if (http_ != nullptr) {
      http_->Stop();
      if (runner_.joinable()) runner_.join();
    }
  }

  std::atomic<int64_t> now_{kT0};
  MemoryStorage storage_;
  std::unique_ptr<server::HttpServer> http_;
  std::thread runner_;
  uint16_t port_ = 0;
};

const char* kFindings =
    R"({"findings":{"onset_days":1,"onset_with_movement":true,)"
    R"("pain_score":5},"time_zone":"UTC"})";

TEST_F(ApiHandlerTest, OpenApiListsExactlyTheBoundRoutes) {
  Start();
  const auto doc = nlohmann::json::parse(OpenApiDocument());
  std::map<std::string, std::set<std::string>> documented;  // path -> methods
  for (const auto& [path, ops] : doc["paths"].items()) {
    for (const auto& [method, op] : ops.items()) {
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(c));
      documented[path].insert(upper);
    }
  }
  ASSERT_FALSE(documented.empty());
  auto segments = [](const std::string& p) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : p.substr(1)) {
      if (c == '/') {
        out.push_back(cur);
        cur.clear();
      } else {
        cur += c;
      }
    }
    out.push_back(cur);
    return out;
  };
  for (const auto& [path, methods] : documented) {
    // A concrete path: each {param} becomes a value no literal uses.
    std::string concrete;
    for (const std::string& s : segments(path)) {
      concrete += "/" + (s.size() > 1 && s.front() == '{' ? "zz9" : s);
    }
    if (path == "/") concrete = "/";
    // What the documentation says answers there: every documented
    // template matching the concrete path (literal or any one segment).
    std::set<std::string> expected;
    for (const auto& [other, other_methods] : documented) {
      const auto a = segments(other), b = segments(concrete);
      bool match = a.size() == b.size();
      for (size_t i = 0; match && i < a.size(); ++i) {
        match = (a[i].size() > 1 && a[i].front() == '{') || a[i] == b[i];
      }
      if (other == "/" || concrete == "/") match = other == concrete;
      if (match) expected.insert(other_methods.begin(), other_methods.end());
    }
    const Response r = Call(port_, "PATCH", concrete);
    ASSERT_EQ(r.status, 405) << "PATCH " << concrete << ": " << r.body;
    std::set<std::string> allowed;
    std::stringstream allow(r.header("allow"));
    for (std::string m; std::getline(allow, m, ',');) {
      m.erase(0, m.find_first_not_of(' '));
      allowed.insert(m);
    }
    EXPECT_EQ(allowed, expected) << path;
  }
  // And the route table the server was given is the documented one.
  std::set<std::pair<std::string, std::string>> listed, in_doc;
  for (const auto& r : RouteList()) listed.insert(r);
  for (const auto& [path, methods] : documented) {
    for (const auto& m : methods) in_doc.emplace(m, path);
  }
  EXPECT_EQ(listed, in_doc);
}

TEST_F(ApiHandlerTest, EpisodeTimesComeFromTheInjectedClock) {
  Start();
  const Response r = Call(port_, "POST", "/v1/episodes", kFindings);
  ASSERT_EQ(r.status, 201) << r.body;
  const auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["created_at"], "2026-01-01T00:00:00Z");
  EXPECT_EQ(j["emergency_number"], "112");
}

// The 24-hour diary bound counts by the API's clock: the third entry in a
// day is refused with the exact wait, and accepted once the clock has
// moved a day on, with no sleep.
TEST_F(ApiHandlerTest, DiaryDayBoundFollowsTheClock) {
  Start(/*per_day=*/2);
  const Response created = Call(port_, "POST", "/v1/episodes", kFindings);
  ASSERT_EQ(created.status, 201) << created.body;
  const auto ep = nlohmann::json::parse(created.body);
  const std::string path =
      "/v1/episodes/" + ep["id"].get<std::string>() + "/entries";
  const std::string auth =
      "Authorization: Bearer " + ep["token"].get<std::string>();
  for (int i = 0; i < 2; ++i) {
    now_ += kHourMs;
    const Response e = Call(port_, "POST", path, R"({"pain":4})", {auth});
    ASSERT_EQ(e.status, 201) << e.body;
  }
  now_ += kHourMs;  // 3 h after the start, 2 h after the first entry
  Response full = Call(port_, "POST", path, R"({"pain":4})", {auth});
  EXPECT_EQ(full.status, 429) << full.body;
  // The first entry (at +1 h) leaves the window 22 h from now.
  EXPECT_EQ(full.header("retry-after"), std::to_string(22 * 3600 + 1));
  now_ += 22 * kHourMs + 1;
  const Response later = Call(port_, "POST", path, R"({"pain":3})", {auth});
  EXPECT_EQ(later.status, 201) << later.body;
}

// An Idempotency-Key is replayed within its TTL and forgotten after it, by
// the API's clock.
TEST_F(ApiHandlerTest, IdempotencyKeyIsForgottenAfterItsTtl) {
  Start(/*per_day=*/96, /*ttl_ms=*/kHourMs);
  const std::vector<std::string> key = {"Idempotency-Key: k-1"};
  const Response first = Call(port_, "POST", "/v1/episodes", kFindings, key);
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.header("idempotent-replayed"), "");
  now_ += kHourMs / 2;
  const Response again = Call(port_, "POST", "/v1/episodes", kFindings, key);
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.header("idempotent-replayed"), "true");
  EXPECT_EQ(nlohmann::json::parse(again.body)["id"],
            nlohmann::json::parse(first.body)["id"]);
  EXPECT_EQ(nlohmann::json::parse(again.body)["token_withheld"], true);
  now_ += 2 * kHourMs;
  const Response late = Call(port_, "POST", "/v1/episodes", kFindings, key);
  ASSERT_EQ(late.status, 201) << late.body;
  EXPECT_EQ(late.header("idempotent-replayed"), "");
  EXPECT_NE(nlohmann::json::parse(late.body)["id"],
            nlohmann::json::parse(first.body)["id"]);
}

// A failed purge of expired Idempotency-Keys is not ignored: it is counted
// and tried again by the very next write (until it succeeds an expired key
// would still be replayed), and the writes themselves go on.
TEST_F(ApiHandlerTest, FailedIdempotencyPurgeIsCountedAndRetried) {
  Start(/*per_day=*/96, /*ttl_ms=*/kHourMs);
  storage_.FailPurge(true);
  storage_.TakeCalls();
  for (const char* key : {"Idempotency-Key: p-1", "Idempotency-Key: p-2"}) {
    const Response r = Call(port_, "POST", "/v1/episodes", kFindings, {key});
    EXPECT_EQ(r.status, 201) << r.body;
  }
  const std::vector<std::string> calls = storage_.TakeCalls();
  EXPECT_EQ(std::count(calls.begin(), calls.end(), "PurgeIdempotency"), 2);
  const Response metrics = Call(port_, "GET", "/metrics");
  EXPECT_NE(metrics.body.find("backaid_idempotency_purge_failures_total 2"),
            std::string::npos)
      << metrics.body;
  storage_.FailPurge(false);
  EXPECT_EQ(
      Call(port_, "POST", "/v1/episodes", kFindings, {"Idempotency-Key: p-3"})
          .status,
      201);
  const std::vector<std::string> after = storage_.TakeCalls();
  EXPECT_EQ(std::count(after.begin(), after.end(), "PurgeIdempotency"), 1);
}

// POST /v1/assessments: a wrong open_episode is a 400 naming it; with
// open_episode the answer embeds the new episode.
TEST_F(ApiHandlerTest, AssessmentsDecodesOpenEpisode) {
  Start();
  Response bad = Call(port_, "POST", "/v1/assessments",
                      R"({"findings":{"pain_score":5},"open_episode":1})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("open_episode"), std::string::npos) << bad.body;
  Response open = Call(port_, "POST", "/v1/assessments",
                       R"({"findings":{"pain_score":5},"open_episode":true})");
  ASSERT_EQ(open.status, 201) << open.body;
  const auto j = nlohmann::json::parse(open.body);
  EXPECT_TRUE(j.contains("triage"));
  EXPECT_TRUE(j["episode"]["token"].is_string());
}

// Issue 12 finding 7: the audit rows of an erased episode cannot be found
// by anyone who knows its id. Their reference is keyed by the episode's
// token hash (erased with it), not a plain hash of the id.
TEST_F(ApiHandlerTest, AuditRowsOfAnErasedEpisodeAreNotFoundByItsId) {
  Start();
  const Response created = Call(port_, "POST", "/v1/episodes", kFindings);
  ASSERT_EQ(created.status, 201) << created.body;
  const auto ep = nlohmann::json::parse(created.body);
  const std::string id = ep["id"].get<std::string>();
  const std::string auth =
      "Authorization: Bearer " + ep["token"].get<std::string>();
  EXPECT_EQ(Call(port_, "GET", "/v1/episodes/" + id, "", {auth}).status, 200);
  EXPECT_EQ(Call(port_, "GET", "/v1/episodes/" + id, "",
                 {"Authorization: Bearer AAAAAAAAAAAAAAAAAAAAAAAA"})
                .status,
            404);
  const Response exported =
      Call(port_, "GET", "/v1/episodes/" + id + "/export", "", {auth});
  ASSERT_EQ(exported.status, 200) << exported.body;
  // The owner still sees every access in the export.
  std::set<std::string> seen;
  const auto doc = nlohmann::json::parse(exported.body);
  for (const auto& a : doc["access_log"]) {
    seen.insert(a["action"].get<std::string>() + "/" +
                a["outcome"].get<std::string>());
  }
  EXPECT_EQ(seen, (std::set<std::string>{"create/ok", "read/ok", "read/denied",
                                         "export/ok"}));
  EXPECT_EQ(Call(port_, "DELETE", "/v1/episodes/" + id, "", {auth}).status,
            204);
  const std::vector<storage::AuditRecord> rows = storage_.AllAudit();
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows.back().action, "erase");
  // Whoever knows the id can compute these; no row carries any of them.
  const std::set<std::string> from_id = {
      HashHex("backaid episode ref", id, 16),
      HashHex("backaid episode audit ref", id, 16), HashHex("", id, 16), id};
  std::set<std::string> refs;
  for (const auto& r : rows) {
    EXPECT_EQ(from_id.count(r.episode_ref), 0u) << r.episode_ref;
    refs.insert(r.episode_ref);
  }
  EXPECT_EQ(refs.size(), 1u);  // one episode, one reference
}

// Issue 12 finding 7: a DELETE with a wrong token and one for an unknown id
// cannot be told apart: the same answer, the same storage calls (one
// lookup, one audit row) and, measured over interleaved runs, the same
// time within noise.
TEST_F(ApiHandlerTest, WrongTokenAndUnknownIdDoTheSameWork) {
  Start();
  const Response created = Call(port_, "POST", "/v1/episodes", kFindings);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string known =
      "/v1/episodes/" +
      nlohmann::json::parse(created.body)["id"].get<std::string>();
  const std::string unknown = "/v1/episodes/AAAAAAAAAAAAAAAAAAAAAA";
  const std::string wrong = "Authorization: Bearer " + std::string(43, 'B');
  storage_.TakeCalls();
  const Response a = Call(port_, "DELETE", known, "", {wrong});
  const std::vector<std::string> calls_wrong = storage_.TakeCalls();
  const Response b = Call(port_, "DELETE", unknown, "", {wrong});
  const std::vector<std::string> calls_unknown = storage_.TakeCalls();
  EXPECT_EQ(a.status, 404);
  EXPECT_EQ(b.status, 404);
  auto without_id = [](std::string body) {
    const size_t at = body.find("\"request_id\"");
    return at == std::string::npos ? body : body.substr(0, at);
  };
  EXPECT_EQ(without_id(a.body), without_id(b.body));
  EXPECT_EQ(calls_wrong,
            (std::vector<std::string>{"GetEpisode", "AppendAudit"}));
  EXPECT_EQ(calls_wrong, calls_unknown);
  // Interleaved so that the machine's load falls on both alike; the medians
  // agree within noise (a path that did measurably more work, such as a
  // slow hash on one side only, shows here).
  std::vector<double> t_wrong, t_unknown;
  for (int i = 0; i < 150; ++i) {
    for (int j = 0; j < 2; ++j) {
      const int k = (i + j) % 2;  // alternate which goes first
      const auto t0 = std::chrono::steady_clock::now();
      const Response r =
          Call(port_, "DELETE", k == 0 ? known : unknown, "", {wrong});
      const double us = std::chrono::duration<double, std::micro>(
                            std::chrono::steady_clock::now() - t0)
                            .count();
      ASSERT_EQ(r.status, 404);
      (k == 0 ? t_wrong : t_unknown).push_back(us);
    }
  }
  auto median = [](std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
  };
  const double mw = median(t_wrong), mu = median(t_unknown);
  EXPECT_LT(std::abs(mw - mu), std::max(50.0, 0.25 * std::min(mw, mu)))
      << "median wrong token " << mw << " us, unknown id " << mu << " us";
}

}  // namespace
}  // namespace backaid::api
