// Shared fixtures of the HTTP server tests: a plain POSIX client over
// 127.0.0.1 (so the tests do not include Beast) and a fixture that runs
// a server with test routes.
#ifndef BACKAID_SRC_SERVER_HTTP_SERVER_TEST_UTIL_H_
#define BACKAID_SRC_SERVER_HTTP_SERVER_TEST_UTIL_H_

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

#include "src/server/http_server.h"

namespace backaid::server::http_test {

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

inline std::string Get(const std::string& path) {
  return "GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n";
}

inline std::string Post(const std::string& path, const std::string& body) {
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

inline void ExpectProblem(const Response& r, int status) {
  EXPECT_EQ(r.status, status);
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.body;
  EXPECT_EQ(j["status"], status);
  EXPECT_EQ(j["request_id"], r.header("x-request-id"));
  EXPECT_TRUE(j["type"].get<std::string>().starts_with("urn:backaid:problem:"));
}

}  // namespace backaid::server::http_test

#endif  // BACKAID_SRC_SERVER_HTTP_SERVER_TEST_UTIL_H_
