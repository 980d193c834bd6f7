// The transport over real sockets on 127.0.0.1, in operation: keep-alive
// and pipelining, 100-continue, graceful stop, metrics, the access log,
// start failures, the offload pool for slow diary writes, entry pages.

#include "src/server/http_server_test_util.h"

namespace backaid::server {
namespace {

using namespace std::chrono_literals;
using namespace http_test;  // NOLINT: the shared fixtures

TEST_F(HttpServerTest, KeepAliveAndPipelining) {
  Launch();
  Client c(port_);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(c.Call(Post("/v1/echo", "n" + std::to_string(i))).body,
              "n" + std::to_string(i));
  }
  c.Send(Post("/v1/echo", "p1") + Post("/v1/echo", "p2") + Get("/livez"));
  EXPECT_EQ(c.Read().body, "p1");
  EXPECT_EQ(c.Read().body, "p2");
  EXPECT_EQ(c.Read().body, "ok");
  EXPECT_NE(server_->MetricsText().find("backaid_http_connections_open 1\n"),
            std::string::npos);
}

TEST_F(HttpServerTest, Expect100Continue) {
  Launch();
  Client c(port_);
  c.Send(
      "POST /v1/echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
      "Content-Length: 5\r\n\r\n");
  Response cont = c.Read();
  EXPECT_EQ(cont.status, 100);
  c.Send("hello");
  EXPECT_EQ(c.Read().body, "hello");
}

TEST_F(HttpServerTest, GracefulStopFinishesInFlight) {
  Launch();
  Client idle(port_);
  EXPECT_EQ(idle.Call(Get("/livez")).status, 200);
  Client busy(port_);
  busy.Send(Get("/v1/slow"));
  std::this_thread::sleep_for(50ms);
  auto t0 = std::chrono::steady_clock::now();
  server_->Stop();
  Response r = busy.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "slow done");
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_TRUE(idle.ClosedWithin(1000ms));
  EXPECT_TRUE(busy.ClosedWithin(1000ms));
  runner_.join();  // Run() returns once drained
  EXPECT_LE(std::chrono::steady_clock::now() - t0, 2000ms);
  // No longer accepting.
  EXPECT_THROW(Client late(port_), std::runtime_error);
}

TEST_F(HttpServerTest, MetricsTextParses) {
  Launch();
  Client c(port_);
  c.Call(Get("/v1/episodes/a/entries/1"));
  c.Call(Get("/nope"));
  server_->CountMetric("backaid_triage_level_total", "level=\"urgent\"");
  Response r = c.Call(Get("/metrics"));
  ASSERT_EQ(r.status, 200);
  std::regex sample(
      R"([a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? [0-9.e+-]+|[+-]Inf)");
  std::regex comment(R"(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+)");
  std::istringstream in(r.body);
  std::string line;
  int samples = 0;
  while (std::getline(in, line)) {
    if (line.starts_with("#")) {
      EXPECT_TRUE(std::regex_match(line, comment)) << line;
    } else {
      EXPECT_TRUE(std::regex_match(line, sample)) << line;
      ++samples;
    }
  }
  EXPECT_GT(samples, 10);
  EXPECT_NE(r.body.find("backaid_http_requests_total{route=\"/v1/episodes/"
                        "{id}/entries/{n}\",method=\"GET\",status=\"200\"} 1"),
            std::string::npos);
  EXPECT_NE(r.body.find("backaid_http_requests_total{route=\"unmatched\","
                        "method=\"GET\",status=\"404\"} 1"),
            std::string::npos);
  EXPECT_NE(r.body.find("# TYPE backaid_http_request_duration_seconds "
                        "histogram"),
            std::string::npos);
  EXPECT_NE(r.body.find("backaid_triage_level_total{level=\"urgent\"} 1"),
            std::string::npos);
  EXPECT_NE(r.body.find("backaid_http_connections_open 1"), std::string::npos);
}

TEST_F(HttpServerTest, AccessLogIsJsonWithoutPatientData) {
  Launch();
  Client c(port_);
  c.Call(Get("/v1/episodes/CANARY-ID/entries/7?q=CANARY-Q"));
  c.Call(Post("/v1/echo", "CANARY-BODY"));
  c.Call(Get("/CANARY-PATH"));
  c.Call("GET /livez HTTP/1.1\r\nHost: t\r\nX-Secret: CANARY-H\r\n\r\n");
  std::vector<std::string> log;
  for (int i = 0; i < 100 && (log = Log()).size() < 4; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_EQ(log.size(), 4u);
  for (const std::string& line : log) {
    EXPECT_EQ(line.find("CANARY"), std::string::npos) << line;
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    for (const char* key : {"ts", "request_id", "client", "method", "route",
                            "status", "bytes_in", "bytes_out", "duration_ms"}) {
      EXPECT_TRUE(j.contains(key)) << key << " in " << line;
    }
  }
  auto first = nlohmann::json::parse(log[0]);
  EXPECT_EQ(first["route"], "/v1/episodes/{id}/entries/{n}");
  EXPECT_EQ(first["status"], 200);
  EXPECT_EQ(first["client"], "127.0.0.1");
  EXPECT_GT(first["bytes_in"].get<int>(), 20);
  EXPECT_GT(first["bytes_out"].get<int>(), 20);
  EXPECT_EQ(nlohmann::json::parse(log[2])["route"], "unmatched");
}

TEST_F(HttpServerTest, StartFailsOnBusyPort) {
  Launch();
  ServerOptions o;
  o.listen = "127.0.0.1:" + std::to_string(port_);
  HttpServer other(o);
  Status s = other.Start();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  ServerOptions no_port;
  no_port.listen = "nohost";
  HttpServer bad(no_port);
  EXPECT_FALSE(bad.Start().ok());
}

// A handler that waits on the database must not hold up /livez or a
// read-only triage (issue 12 finding 1): diary routes run on the offload
// pool. With one io thread, /livez is answered while a diary write is
// still blocked in its handler (without the pool it would wait for it).
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  int entered = 0;
  bool open = false;
  void Enter() {
    std::unique_lock lock(mu);
    ++entered;
    cv.notify_all();
    cv.wait(lock, [&] { return open; });
  }
  bool WaitEntered(int n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, 5s, [&] { return entered >= n; });
  }
  void Open() {
    std::lock_guard lock(mu);
    open = true;
    cv.notify_all();
  }
};

// A diary-write route (offloaded) whose handler waits at `gate`.
std::function<void(HttpServer&)> GatedDiaryWrite(std::shared_ptr<Gate> gate) {
  return [gate](HttpServer& s) {
    s.Route("POST", "/v1/episodes/{id}/entries", [gate](const HttpRequest&) {
      gate->Enter();
      return HttpResponse{201, "application/json", "{}", {}};
    });
  };
}

TEST_F(HttpServerTest, SlowDiaryWriteDoesNotDelayLivez) {
  auto gate = std::make_shared<Gate>();
  extra_routes_ = GatedDiaryWrite(gate);
  ServerOptions o;
  o.threads = 1;
  o.offload_threads = 1;
  Launch(o);
  Client writer(port_);
  ASSERT_TRUE(writer.Send(Post("/v1/episodes/abc/entries", "{}")));
  ASSERT_TRUE(gate->WaitEntered(1));
  Client other(port_);
  const auto t0 = std::chrono::steady_clock::now();
  Response live = other.Call(Get("/livez"));
  EXPECT_EQ(live.status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  gate->Open();
  Response w = writer.Read();
  EXPECT_EQ(w.status, 201);
  EXPECT_FALSE(w.header("x-request-id").empty());
}

TEST_F(HttpServerTest, OffloadQueueIsBounded) {
  auto gate = std::make_shared<Gate>();
  extra_routes_ = GatedDiaryWrite(gate);
  ServerOptions o;
  o.offload_threads = 1;
  o.max_offloaded = 1;
  Launch(o);
  Client first(port_);
  ASSERT_TRUE(first.Send(Post("/v1/episodes/abc/entries", "{}")));
  ASSERT_TRUE(gate->WaitEntered(1));
  Client second(port_);
  Response busy = second.Call(Post("/v1/episodes/abc/entries", "{}"));
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(busy.header("retry-after"), "1");
  gate->Open();
  EXPECT_EQ(first.Read().status, 201);
  // The slot is free again.
  EXPECT_EQ(second.Call(Post("/v1/episodes/abc/entries", "{}")).status, 201);
}

TEST(EntryPage, ParsesAndRefuses) {
  auto p = ParseEntryPage("");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->after, 0);
  EXPECT_EQ(p->limit, kDefaultPageLimit);
  p = ParseEntryPage("after=200&limit=50");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->after, 200);
  EXPECT_EQ(p->limit, 50);
  for (const char* bad : {"limit=0", "limit=1001", "after=-1", "after=x",
                          "after=1&after=2", "page=2", "limit=", "after=1e3"}) {
    EXPECT_FALSE(ParseEntryPage(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace backaid::server
