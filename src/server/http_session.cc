// One HTTP/1.1 connection of the transport (Boost.Beast over Asio): reads a
// request within the limits (strict framing first), routes it (rate limits,
// 404/405, the offload pool for the routes under
// ServerOptions::offload_prefixes), writes the response, logs it, keeps the
// connection alive or lingers and closes it. One of the two files that
// include Beast (with http_server.cc). All of a session's operations and
// handler calls run on its own io_context's thread, except an offloaded
// handler, which runs on the offload pool and posts its response back.
#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/server/server_core.h"

namespace backaid::server::internal {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// How long a connection that is being closed after a response keeps
// reading (and discarding) what the client still sends, so that the kernel
// does not reset the connection before the client has read the response.
constexpr std::chrono::milliseconds kLingerTime{500};
constexpr size_t kLingerBytes = 256 * 1024;
constexpr size_t kReadChunk = 16 * 1024;

bool SafeHeaderText(std::string_view s) {
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

}  // namespace

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(ServerCore* server, tcp::socket&& socket)
      : server_(server),
        socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        tick_(std::max<std::chrono::steady_clock::duration>(
            std::chrono::milliseconds(1),
            std::min(server->options.header_timeout,
                     server->options.idle_timeout))) {}
  ~Session() { server_->Unregister(this); }

  void Start() {
    beast::error_code ec;
    auto ep = socket_.remote_endpoint(ec);
    peer_ = ec ? "unknown" : ep.address().to_string();
    client_ = peer_;
    socket_.set_option(tcp::no_delay(true), ec);
    asio::dispatch(socket_.get_executor(),
                   [self = shared_from_this()] { self->ReadHeader(); });
  }

  // Called on the session's io_context thread when the server stops: an idle
  // connection is closed now, a busy one after its response.
  void OnStop() {
    stopping_ = true;
    if (!busy_) Close();
  }

  auto executor() { return socket_.get_executor(); }

 private:
  // Timeouts: one deadline per connection and one timer that is re-armed
  // lazily. Moving the deadline is a store; the timer wakes at most every
  // `tick_` (the shorter of header_timeout and idle_timeout) and re-arms
  // itself until the deadline has passed, then closes the socket (pending
  // operations complete with an error, as Beast's tcp_stream did). Only a
  // deadline shorter than tick_ (the linger after a response) re-arms at
  // once. This avoids arming and cancelling a timer on every read and write.
  void ExpiresAfter(std::chrono::steady_clock::duration d) {
    if (closed_) return;
    auto now = std::chrono::steady_clock::now();
    deadline_ = now + d;
    if (!timer_armed_ || deadline_ < armed_until_) ArmTimer(now);
  }

  void ArmTimer(std::chrono::steady_clock::time_point now) {
    armed_until_ = std::min(deadline_, now + tick_);
    timer_armed_ = true;
    uint64_t gen = ++timer_gen_;
    timer_.expires_at(armed_until_);
    timer_.async_wait([self = shared_from_this(), gen](beast::error_code ec) {
      if (ec || gen != self->timer_gen_ || self->closed_) return;
      self->timer_armed_ = false;
      auto t = std::chrono::steady_clock::now();
      if (t >= self->deadline_) return self->Close();
      self->ArmTimer(t);
    });
  }

  const ServerOptions& opts() const { return server_->options; }

  // Between keep-alive requests: wait up to idle_timeout for a first byte.
  void WaitForNext() {
    if (stopping_) return Close();
    if (buffer_.size() > 0) return ReadHeader();
    ExpiresAfter(opts().idle_timeout);
    socket_.async_read_some(
        buffer_.prepare(kReadChunk),
        [self = shared_from_this()](beast::error_code ec, size_t n) {
          if (ec) return self->Close();
          self->buffer_.commit(n);
          self->ReadHeader();
        });
  }

  // The header (and then the body) must arrive within header_timeout.
  void ReadHeader() {
    if (stopping_) return Close();
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(
        std::min<size_t>(opts().max_header_bytes, UINT32_MAX)));
    parser_->body_limit(opts().max_body_bytes);
    bytes_in_ = 0;
    header_seen_ = false;
    obs_fold_ = false;
    ExpiresAfter(opts().header_timeout);
    Parse();
  }

  // Feeds the buffered bytes to the parser and reads more only when it
  // needs them. Parsing here rather than through http::async_read avoids
  // two extra scheduler round trips per request when the whole request
  // arrived in one segment (the usual case).
  void Parse() {
    for (;;) {
      if (parser_->is_header_done() && !header_seen_) {
        header_seen_ = true;
        busy_ = true;  // a request is in flight: Stop() lets it finish
        start_ = std::chrono::steady_clock::now();
        auto& req = parser_->get();
        // Strict framing (RFC 9112), before any body is read or answered.
        std::vector<std::pair<std::string_view, std::string_view>> fields;
        for (const auto& f : req)
          fields.emplace_back(f.name_string(), f.value());
        if (const FramingProblem p =
                CheckFraming(fields, req.version(), obs_fold_);
            p.status != 0) {
          return SendError(p.status, p.slug, "Bad request framing", p.detail);
        }
        if (!parser_->is_done() &&
            beast::iequals(req[http::field::expect], "100-continue")) {
          auto cont = std::make_shared<http::response<http::empty_body>>(
              http::status::continue_, req.version());
          http::async_write(
              socket_, *cont,
              [self = shared_from_this(), cont](beast::error_code ec, size_t) {
                if (ec) return self->Close();
                self->Parse();
              });
          return;
        }
      }
      if (parser_->is_done()) return Process();
      if (buffer_.size() == 0) return ReadMore();
      beast::error_code ec;
      const bool header_before = parser_->is_header_done();
      size_t n = parser_->put(buffer_.data(), ec);
      if (!header_before && parser_->is_header_done()) {
        // Beast unfolds obs-fold silently: look at the raw header block.
        obs_fold_ = HasObsFold(std::string_view(
            static_cast<const char*>(buffer_.data().data()), n));
      }
      buffer_.consume(n);
      bytes_in_ += n;
      if (ec == http::error::need_more) return ReadMore();
      if (ec) return OnReadError(ec);
    }
  }

  void ReadMore() {
    if (!header_seen_) start_ = std::chrono::steady_clock::now();
    socket_.async_read_some(
        buffer_.prepare(kReadChunk),
        [self = shared_from_this()](beast::error_code ec, size_t n) {
          if (ec) return self->OnReadError(ec);
          self->buffer_.commit(n);
          self->Parse();
        });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::header_limit) {
      return SendError(431, "header-too-large",
                       "Request header fields too large",
                       "The request header exceeds the server's limit.");
    }
    if (ec == http::error::body_limit) {
      return SendError(413, "body-too-large", "Content too large",
                       "The request body exceeds the server's limit.");
    }
    if (ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == http::error::partial_message ||
        ec.category() !=
            beast::error_code(http::error::bad_method).category()) {
      // The client went away, was too slow, or we are stopping: the socket
      // is gone or not worth answering (Beast closes it on a timeout).
      return Close();
    }
    SendError(400, "bad-request", "Bad request",
              "The request is not valid HTTP/1.1.");
  }

  void SendError(int status, std::string_view slug, std::string_view title,
                 std::string_view detail) {
    busy_ = true;
    request_id_ = NewRequestId();
    method_slot_ = parser_ && parser_->got_some()
                       ? SlotOf(parser_->get().method_string())
                       : kOther;
    route_ = -1;
    Send(Problem(status, slug, title, detail, request_id_), 11, false);
  }

  void Process() {
    auto& req = parser_->get();
    request_id_ = NewRequestId();
    std::string_view method = req.method_string();
    method_slot_ = SlotOf(method);
    route_ = -1;
    HttpResponse res;
    Target target;
    int wait = 0;
    ResolveClient();
    if (!DecodeTarget(req.target(), &target)) {
      res = Problem(400, "bad-target", "Bad request target",
                    "The request target must be a path starting with '/', "
                    "with valid percent-escapes and no control characters.",
                    request_id_);
    } else if (server_->limiter.enabled() && !Exempt(target.path) &&
               (wait = server_->limiter.Take(client_, server_->RateNow())) >
                   0) {
      server_->metrics.rate_limited.fetch_add(1, std::memory_order_relaxed);
      res = Problem(429, "rate-limited", "Too many requests",
                    "This client has sent too many requests; retry later.",
                    request_id_);
      res.headers.emplace_back("Retry-After", std::to_string(wait));
    } else {
      Router::Match m = server_->router.Find(method, target.segments);
      route_ = m.route;
      const HttpServer::UnmatchedHandler* unmatched =
          m.kind == Router::Match::kFound ? nullptr
                                          : UnmatchedFor(target.segments);
      if (unmatched != nullptr) {
        const int status = m.kind == Router::Match::kNotFound ? 404 : 405;
        res = (*unmatched)(status, target.path);
        res.status = status;
        if (status == 405) res.headers.emplace_back("Allow", m.allow);
      } else if (m.kind == Router::Match::kNotFound) {
        res = Problem(404, "not-found", "Not found",
                      "No resource exists at this path.", request_id_);
      } else if (m.kind == Router::Match::kMethodNotAllowed) {
        res = Problem(405, "method-not-allowed", "Method not allowed",
                      "This resource does not support the request method.",
                      request_id_);
        res.headers.emplace_back("Allow", m.allow);
      } else if (server_->Offloaded(server_->router.text(route_)) &&
                 method_slot_ != kGet && method_slot_ != kHead &&
                 !m.params.empty() && server_->episode_limiter.enabled() &&
                 (wait = server_->episode_limiter.Take(
                      m.params.front(), server_->RateNow())) > 0) {
        // One episode's writes, whoever sends them (issue 12 finding 2).
        server_->metrics.rate_limited.fetch_add(1, std::memory_order_relaxed);
        res = Problem(429, "episode-rate-limited", "Too many writes",
                      "This episode is receiving too many writes; retry "
                      "later.",
                      request_id_);
        res.headers.emplace_back("Retry-After", std::to_string(wait));
      } else if (server_->Offloaded(server_->router.text(route_))) {
        if (!server_->offload->TryAcquire()) {
          res = Problem(503, "overloaded", "Service busy",
                        "Too many diary requests are waiting; retry "
                        "shortly.",
                        request_id_);
          res.headers.emplace_back("Retry-After", "1");
        } else {
          return Offload(m.handler, method, std::move(target),
                         std::move(m.params));
        }
      } else {
        res = CallHandler(*m.handler, MakeRequest(method, std::move(target),
                                                  std::move(m.params)));
      }
    }
    head_ = method == "HEAD";
    Send(std::move(res), req.version(), req.keep_alive());
  }

  // The OnUnmatched handler of the longest registered prefix of
  // `segments`, or null.
  const HttpServer::UnmatchedHandler* UnmatchedFor(
      const std::vector<std::string>& segments) const {
    const HttpServer::UnmatchedHandler* best = nullptr;
    size_t best_len = 0;
    for (const auto& [prefix, handler] : server_->unmatched) {
      if (prefix.size() > segments.size() || prefix.size() < best_len) continue;
      if (std::equal(prefix.begin(), prefix.end(), segments.begin())) {
        best = &handler;
        best_len = prefix.size();
      }
    }
    return best;
  }

  // Runs the handler on the offload pool; the response comes back to this
  // session's io_context. The connection's deadline is moved so that a
  // handler waiting on the database is not cut off by the header timeout.
  void Offload(const Handler* handler, std::string_view method, Target target,
               std::vector<std::string> params) {
    auto& req = parser_->get();
    const unsigned version = req.version();
    const bool keep_alive = req.keep_alive();
    head_ = method == "HEAD";
    ExpiresAfter(opts().idle_timeout);
    server_->offload->Post([self = shared_from_this(), handler, version,
                            keep_alive,
                            r = MakeRequest(method, std::move(target),
                                            std::move(params))]() mutable {
      HttpResponse res = self->CallHandler(*handler, r);
      self->server_->offload->Release();
      asio::post(self->socket_.get_executor(),
                 [self, version, keep_alive, res = std::move(res)]() mutable {
                   self->Send(std::move(res), version, keep_alive);
                 });
    });
  }

  // The client this request is counted and logged as: the peer, or what a
  // trusted proxy says it forwarded for.
  void ResolveClient() {
    if (server_->proxies.empty()) {
      client_ = peer_;
      return;
    }
    std::vector<std::pair<std::string_view, std::string_view>> fields;
    for (const auto& f : parser_->get())
      fields.emplace_back(f.name_string(), f.value());
    client_ = server_->proxies.ClientOfFields(peer_, fields);
  }

  bool Exempt(std::string_view path) const {
    for (const std::string& p : opts().rate_exempt) {
      if (p == path) return true;
    }
    return false;
  }

  HttpRequest MakeRequest(std::string_view method, Target target,
                          std::vector<std::string> params) {
    auto& req = parser_->get();
    HttpRequest r;
    r.method = method;
    r.path = std::move(target.path);
    r.query = std::move(target.query);
    r.route = server_->router.text(route_);
    r.params = std::move(params);
    r.headers.reserve(8);
    for (const auto& f : req) {
      std::string name(f.name_string());
      for (char& c : name) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      }
      r.headers.emplace_back(std::move(name), std::string(f.value()));
    }
    r.body = std::move(req.body());
    r.client = client_;
    r.request_id = request_id_;
    return r;
  }

  // Thread-safe: touches only `r` and the atomics of the metrics.
  HttpResponse CallHandler(const Handler& handler, const HttpRequest& r) {
    try {
      HttpResponse res = handler(r);
      if (res.status < 200 || res.status > 599) {
        throw std::runtime_error("handler returned an invalid status");
      }
      return res;
    } catch (...) {
      server_->metrics.handler_exceptions.fetch_add(1,
                                                    std::memory_order_relaxed);
      return Problem(500, "internal", "Internal server error",
                     "The server could not complete the request.",
                     r.request_id);
    }
  }

  void Send(HttpResponse res, unsigned version, bool keep_alive) {
    keep_alive_ = keep_alive && !stopping_ && !server_->stopping;
    status_ = res.status;
    res_ = {};
    res_.version(version);
    res_.result(static_cast<unsigned>(res.status));
    res_.set(http::field::content_type, res.content_type);
    res_.set("X-Request-Id", request_id_);
    for (const auto& [name, value] : res.headers) {
      if (!name.empty() && SafeHeaderText(name) && SafeHeaderText(value)) {
        res_.insert(name, value);
      }
    }
    res_.body() = std::move(res.body);
    res_.keep_alive(keep_alive_);
    res_.prepare_payload();
    if (head_) {
      // A response to HEAD has the GET response's headers but no body.
      size_t size = res_.body().size();
      res_.body().clear();
      res_.content_length(size);
      head_ = false;
    }
    ExpiresAfter(opts().idle_timeout);
    http::async_write(
        socket_, res_,
        [self = shared_from_this()](beast::error_code ec, size_t n) {
          self->OnWrite(ec, n);
        });
  }

  void OnWrite(beast::error_code ec, size_t bytes_out) {
    auto now = std::chrono::steady_clock::now();
    auto duration = now - start_;
    server_->metrics.Record(route_, method_slot_, status_, duration);
    AccessEntry e;
    e.ts = std::chrono::system_clock::now();
    e.request_id = request_id_;
    e.client = client_;
    e.method = SlotName(method_slot_);
    e.route = route_ >= 0 ? std::string_view(server_->router.text(route_))
                          : std::string_view("unmatched");
    e.status = status_;
    e.bytes_in = bytes_in_;
    e.bytes_out = bytes_out;
    e.duration_ms = std::chrono::duration<double, std::milli>(duration).count();
    // Refusals (429, 503) are aggregated: one line a second at most, with
    // the number left out (issue 12 finding 3).
    if ((status_ != 429 && status_ != 503) ||
        server_->refusals.ShouldLog(now, &e.suppressed)) {
      server_->Log(e);
    }
    busy_ = false;
    res_ = {};
    if (ec) return Close();
    if (!keep_alive_ || stopping_) return LingerClose();
    WaitForNext();
  }

  // Half-close, then read and discard for a short while, so unread request
  // bytes do not make the kernel reset the connection under the response.
  void LingerClose() {
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    linger_left_ = kLingerBytes;
    ExpiresAfter(kLingerTime);
    Drain();
  }

  void Drain() {
    buffer_.clear();
    socket_.async_read_some(
        buffer_.prepare(kReadChunk),
        [self = shared_from_this()](beast::error_code ec, size_t n) {
          if (ec || n >= self->linger_left_) return self->Close();
          self->linger_left_ -= n;
          self->Drain();
        });
  }

  void Close() {
    beast::error_code ec;
    closed_ = true;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    timer_.cancel();
  }

  ServerCore* server_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  std::chrono::steady_clock::duration tick_;
  std::chrono::steady_clock::time_point deadline_;
  std::chrono::steady_clock::time_point armed_until_;
  uint64_t timer_gen_ = 0;
  bool timer_armed_ = false;
  bool closed_ = false;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  std::string peer_;    // the socket's remote address
  std::string client_;  // peer_, or the client a trusted proxy named
  std::string request_id_;
  std::chrono::steady_clock::time_point start_;
  uint64_t bytes_in_ = 0;
  size_t linger_left_ = 0;
  int route_ = -1;
  int method_slot_ = kOther;
  int status_ = 0;
  bool keep_alive_ = false;
  bool busy_ = false;
  bool head_ = false;
  bool header_seen_ = false;
  bool obs_fold_ = false;  // the header block had a folded line
  bool stopping_ = false;
};

void StartSession(ServerCore* server, tcp::socket&& socket) {
  auto session = std::make_shared<Session>(server, std::move(socket));
  server->Register(session);
  session->Start();
}

void StopSession(std::shared_ptr<Session> session) {
  auto executor = session->executor();
  asio::post(executor, [s = std::move(session)] { s->OnStop(); });
}

}  // namespace backaid::server::internal
