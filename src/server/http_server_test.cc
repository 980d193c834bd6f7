// The transport over real sockets on 127.0.0.1 (plain POSIX client, so the
// test does not include Beast).
#include "src/server/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <iterator>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace backaid::server {
namespace {

using namespace std::chrono_literals;

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& n) const {
    auto it = headers.find(n);
    return it == headers.end() ? "" : it->second;
  }
};

class Client {
 public:
  explicit Client(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      throw std::runtime_error("connect failed");
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~Client() { ::close(fd_); }

  bool Send(std::string_view s) {
    while (!s.empty()) {
      ssize_t n = ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      s.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads one response (Content-Length framed). status 0 = connection
  // closed or timed out before a full response.
  // `head`: the answer to a HEAD request (no body whatever the length).
  Response Read(std::chrono::milliseconds timeout = 5000ms, bool head = false) {
    Response r;
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(timeout)) return r;
    }
    std::istringstream lines(buf_.substr(0, end));
    std::string line;
    std::getline(lines, line);
    r.status = std::stoi(line.substr(9, 3));
    while (std::getline(lines, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      size_t c = line.find(':');
      std::string name = line.substr(0, c);
      for (char& ch : name) ch = static_cast<char>(std::tolower(ch));
      std::string value = line.substr(c + 1);
      value.erase(0, value.find_first_not_of(' '));
      r.headers[name] = value;
    }
    size_t len = head || r.header("content-length").empty()
                     ? 0
                     : std::stoul(r.header("content-length"));
    buf_.erase(0, end + 4);
    while (buf_.size() < len) {
      if (!Fill(timeout)) return Response{};
    }
    r.body = buf_.substr(0, len);
    buf_.erase(0, len);
    return r;
  }

  Response Call(const std::string& request) {
    Send(request);
    return Read();
  }

  // True if the server closed the connection (EOF or reset) within timeout.
  bool ClosedWithin(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      int left = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(
              deadline - std::chrono::steady_clock::now())
              .count());
      if (::poll(&p, 1, std::max(left, 1)) <= 0) continue;
      char c[4096];
      ssize_t n = ::recv(fd_, c, sizeof c, 0);
      if (n <= 0) return true;
    }
    return false;
  }

 private:
  bool Fill(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
    char c[8192];
    ssize_t n = ::recv(fd_, c, sizeof c, 0);
    if (n <= 0) return false;
    buf_.append(c, static_cast<size_t>(n));
    return true;
  }
  int fd_;
  std::string buf_;
};

std::string Get(const std::string& path) {
  return "GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n";
}

std::string Post(const std::string& path, const std::string& body) {
  return "POST " + path + " HTTP/1.1\r\nHost: t\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void Launch(ServerOptions o = {}) {
    o.listen = "127.0.0.1:0";
    o.access_log = [this](std::string_view line) {
      std::lock_guard lock(log_mu_);
      log_.emplace_back(line);
    };
    server_ = std::make_unique<HttpServer>(std::move(o));
    server_->Route("GET", "/v1/episodes/{id}/entries/{n}",
                   [](const HttpRequest& r) {
                     HttpResponse res;
                     nlohmann::json j = {{"route", r.route},
                                         {"params", r.params},
                                         {"path", r.path},
                                         {"query", r.query}};
                     res.body = j.dump();
                     return res;
                   });
    server_->Route("GET", "/v1/episodes/export", [](const HttpRequest&) {
      return HttpResponse{200, "text/csv", "a,b\n", {}};
    });
    server_->Route("POST", "/v1/echo", [](const HttpRequest& r) {
      HttpResponse res;
      res.content_type = "text/plain";
      res.body = r.body;
      res.headers.emplace_back("X-Bad", "a\r\nInjected: yes");
      return res;
    });
    server_->Route("GET", "/v1/echo",
                   [](const HttpRequest&) { return HttpResponse{}; });
    server_->Route("GET", "/v1/throw", [](const HttpRequest&) -> HttpResponse {
      throw std::runtime_error("boom");
    });
    server_->Route("GET", "/v1/slow", [](const HttpRequest&) {
      std::this_thread::sleep_for(200ms);
      return HttpResponse{200, "text/plain", "slow done", {}};
    });
    server_->Route("GET", "/livez", [](const HttpRequest&) {
      return HttpResponse{200, "text/plain", "ok", {}};
    });
    server_->Route("GET", "/metrics", [this](const HttpRequest&) {
      return HttpResponse{
          200, "text/plain; version=0.0.4", server_->MetricsText(), {}};
    });
    if (extra_routes_) extra_routes_(*server_);
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->port();
    ASSERT_NE(port_, 0);
    runner_ = std::thread([this] { server_->Run(); });
  }

  std::function<void(HttpServer&)> extra_routes_;

  static int ThreadCount() {
    return static_cast<int>(
        std::distance(std::filesystem::directory_iterator("/proc/self/task"),
                      std::filesystem::directory_iterator{}));
  }

  void TearDown() override {
    // The server's threads are bounded by its options (io threads, the
    // offload pool), whatever the test sent: a test once exhausted the
    // machine's process ids.
    EXPECT_LE(ThreadCount(), 32);
    if (runner_.joinable()) {
      server_->Stop();
      runner_.join();
    }
  }

  std::vector<std::string> Log() {
    std::lock_guard lock(log_mu_);
    return log_;
  }

  std::unique_ptr<HttpServer> server_;
  std::thread runner_;
  uint16_t port_ = 0;
  std::mutex log_mu_;
  std::vector<std::string> log_;
};

void ExpectProblem(const Response& r, int status) {
  EXPECT_EQ(r.status, status);
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.body;
  EXPECT_EQ(j["status"], status);
  EXPECT_EQ(j["request_id"], r.header("x-request-id"));
  EXPECT_TRUE(j["type"].get<std::string>().starts_with("urn:backaid:problem:"));
}

TEST_F(HttpServerTest, RoutesWithParams) {
  Launch();
  Client c(port_);
  Response r = c.Call(Get("/v1/episodes/ep%2D7/entries/3?x=1"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "application/json");
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["route"], "/v1/episodes/{id}/entries/{n}");
  EXPECT_EQ(j["params"], (std::vector<std::string>{"ep-7", "3"}));
  EXPECT_EQ(j["path"], "/v1/episodes/ep-7/entries/3");
  EXPECT_EQ(j["query"], "x=1");
  r = c.Call(Get("/v1/episodes/export"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "a,b\n");
  EXPECT_EQ(r.header("content-type"), "text/csv");
}

TEST_F(HttpServerTest, NotFoundAndMethodNotAllowed) {
  Launch();
  Client c(port_);
  ExpectProblem(c.Call(Get("/v1/nothing")), 404);
  Response r = c.Call("DELETE /v1/echo HTTP/1.1\r\nHost: t\r\n\r\n");
  ExpectProblem(r, 405);
  EXPECT_EQ(r.header("allow"), "POST, GET");
  // HEAD is not special: 405 with the problem's headers but no body (the
  // next response on the connection follows directly).
  c.Send("HEAD /v1/episodes/export HTTP/1.1\r\nHost: t\r\n\r\n" +
         Get("/livez"));
  r = c.Read(5000ms, /*head=*/true);
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("allow"), "GET");
  EXPECT_NE(r.header("content-length"), "0");
  EXPECT_EQ(c.Read().body, "ok");
  Client c2(port_);
  c2.Send("BREW /v1/echo HTTP/1.1\r\nHost: t\r\n\r\n");
  r = c2.Read();
  ExpectProblem(r, 405);
}

TEST_F(HttpServerTest, BadTargetsAndSyntax) {
  Launch();
  {
    Client c(port_);
    ExpectProblem(c.Call(Get("/v1/episodes/a%zz/entries/1")), 400);
    ExpectProblem(c.Call(Get("/v1/episodes/a%00/entries/1")), 400);
    ExpectProblem(c.Call(Get("http://evil/v1/echo")), 400);
  }
  {
    Client c(port_);
    Response r = c.Call("GARBAGE\r\n\r\n");
    ExpectProblem(r, 400);
    EXPECT_TRUE(c.ClosedWithin(2000ms));
  }
}

// Issue 12, finding 5: lenient framing is refused and the connection
// closed (RFC 9112 6.3: Transfer-Encoding with Content-Length is 400 and
// close), never answered 200.
TEST_F(HttpServerTest, StrictFraming) {
  Launch();
  const std::string chunked = "3\r\nabc\r\n0\r\n\r\n";
  struct Case {
    std::string raw;
    int status;
  };
  const std::vector<Case> cases = {
      {"POST /v1/echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, "
       "identity\r\nContent-Length: " +
           std::to_string(chunked.size()) + "\r\n\r\n" + chunked,
       400},
      {"POST /v1/echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: "
       "gzip\r\n\r\nabc",
       400},
      {"POST /v1/echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, "
       "chunked\r\n\r\n" +
           chunked,
       400},
      {"GET /livez HTTP/1.1\r\n\r\n", 400},
      {"GET /livez HTTP/1.1\r\nHost: t\r\nX-A: one\r\n two\r\n\r\n", 400},
      {"GET /livez HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer "
       "a\r\nAuthorization: Bearer b\r\n\r\n",
       400},
  };
  for (const Case& k : cases) {
    Client c(port_);
    Response r = c.Call(k.raw);
    ExpectProblem(r, k.status);
    EXPECT_EQ(r.header("connection"), "close") << k.raw;
    EXPECT_TRUE(c.ClosedWithin(2000ms)) << k.raw;
  }
  Client ok(port_);
  Response r = ok.Call(
      "POST /v1/echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: "
      "chunked\r\n\r\n" +
      chunked);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "abc");
}

TEST_F(HttpServerTest, BodyTooLargeByContentLength) {
  ServerOptions o;
  o.max_body_bytes = 1000;
  Launch(o);
  Client c(port_);
  Response r = c.Call(
      "POST /v1/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1001\r\n\r\n");
  ExpectProblem(r, 413);
  EXPECT_EQ(r.header("connection"), "close");
  Client ok(port_);
  r = ok.Call(Post("/v1/echo", std::string(1000, 'x')));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.size(), 1000u);
  // Response splitting: a header with CR/LF from a handler is dropped.
  EXPECT_EQ(r.header("injected"), "");
  EXPECT_EQ(r.header("x-bad"), "");
}

TEST_F(HttpServerTest, BodyTooLargeChunked) {
  ServerOptions o;
  o.max_body_bytes = 1000;
  Launch(o);
  Client c(port_);
  std::string chunk(600, 'y');
  std::string req =
      "POST /v1/echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
      "258\r\n" +
      chunk + "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n";
  ExpectProblem(c.Call(req), 413);
  Client small(port_);
  Response r = small.Call(
      "POST /v1/echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n0\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "abc");
}

TEST_F(HttpServerTest, HeaderTooLarge) {
  ServerOptions o;
  o.max_header_bytes = 2048;
  Launch(o);
  Client c(port_);
  std::string req =
      "GET /livez HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(4000, 'h') +
      "\r\n\r\n";
  ExpectProblem(c.Call(req), 431);
}

TEST_F(HttpServerTest, SlowHeaderIsClosed) {
  ServerOptions o;
  o.header_timeout = 300ms;
  Launch(o);
  Client c(port_);
  auto t0 = std::chrono::steady_clock::now();
  c.Send("GET /livez HTTP/1.1\r\nHost: t\r\n");  // never finished
  EXPECT_TRUE(c.ClosedWithin(2000ms));
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(took, 250ms);
  EXPECT_LE(took, 1500ms);
}

TEST_F(HttpServerTest, IdleKeepAliveIsClosed) {
  ServerOptions o;
  o.header_timeout = 2000ms;
  o.idle_timeout = 300ms;
  Launch(o);
  Client c(port_);
  EXPECT_EQ(c.Call(Get("/livez")).status, 200);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.ClosedWithin(2000ms));
  EXPECT_LE(std::chrono::steady_clock::now() - t0, 1500ms);
}

TEST_F(HttpServerTest, RateLimitThenRefill) {
  ServerOptions o;
  o.rate_per_second = 4;
  o.rate_burst = 2;
  // The limiter's clock, moved on by the test instead of a sleep.
  auto skew = std::make_shared<std::atomic<int64_t>>(0);
  o.rate_clock = [skew] {
    return std::chrono::steady_clock::now() + std::chrono::milliseconds(*skew);
  };
  Launch(o);
  Client c(port_);
  EXPECT_EQ(c.Call(Get("/v1/echo")).status, 200);
  EXPECT_EQ(c.Call(Get("/v1/echo")).status, 200);
  Response r = c.Call(Get("/v1/echo"));
  ExpectProblem(r, 429);
  ASSERT_FALSE(r.header("retry-after").empty());
  EXPECT_GE(std::stoi(r.header("retry-after")), 1);
  EXPECT_EQ(c.Call(Get("/livez")).status, 200);  // exempt
  *skew = 300;                                   // > 1 token at 4/s
  EXPECT_EQ(c.Call(Get("/v1/echo")).status, 200);
  EXPECT_NE(server_->MetricsText().find("backaid_http_rate_limited_total 1\n"),
            std::string::npos);
}

TEST_F(HttpServerTest, RequestIdOnEveryResponse) {
  Launch();
  Client c(port_);
  Response a = c.Call(Get("/livez"));
  Response b = c.Call(Get("/nope"));
  std::regex hex16("[0-9a-f]{16}");
  EXPECT_TRUE(std::regex_match(a.header("x-request-id"), hex16));
  EXPECT_TRUE(std::regex_match(b.header("x-request-id"), hex16));
  EXPECT_NE(a.header("x-request-id"), b.header("x-request-id"));
  EXPECT_FALSE(a.header("content-type").empty());
}

TEST_F(HttpServerTest, HandlerThrowsIs500AndServerLives) {
  Launch();
  Client c(port_);
  ExpectProblem(c.Call(Get("/v1/throw")), 500);
  EXPECT_EQ(c.Call(Get("/livez")).status, 200);
  Client c2(port_);
  ExpectProblem(c2.Call(Get("/v1/throw")), 500);
  EXPECT_NE(
      server_->MetricsText().find("backaid_http_handler_exceptions_total 2\n"),
      std::string::npos);
}

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
