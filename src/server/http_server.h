// The HTTP/1.1 transport of `backaid serve` (Boost.Beast over Asio): accepts
// connections, enforces the transport limits, routes requests to handlers,
// writes the access log and the metrics. It knows nothing clinical; the API
// (src/api) registers routes and handlers.
//
// Limits (each answered with an application/problem+json body):
//  - request body larger than max_body_bytes: 413;
//  - header block larger than max_header_bytes: 431;
//  - header not complete within header_timeout: the connection is closed
//    (408 if anything can still be written);
//  - a client (by remote address, or the address a trusted proxy names)
//    over its rate: 429 with Retry-After; refusals are aggregated in the
//    access log (one line a second with a "suppressed" count);
//  - unknown path: 404; known path, other method: 405 with Allow.
// Keep-alive connections are held without a thread each (asynchronous), so
// many idle connections cost only their buffers.
//
// Shutdown: Stop() stops accepting, lets in-flight requests finish (up to
// drain_timeout) and closes idle connections; Run() then returns.
#ifndef BACKAID_SRC_SERVER_HTTP_SERVER_H_
#define BACKAID_SRC_SERVER_HTTP_SERVER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "backaid/status.h"

namespace backaid::server {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // decoded path without the query
  std::string query;   // raw query string (after '?'), may be empty
  std::string route;   // the matched route template, e.g.
                       // "/v1/episodes/{id}"
  std::vector<std::string> params;  // values of the template's {..} parts
  std::vector<std::pair<std::string, std::string>> headers;  // names lower
  std::string body;
  std::string client;      // remote address
  std::string request_id;  // generated per request, also sent back as
                           // X-Request-Id

  // The first header with this lower-case name, or "" if absent.
  std::string_view header(std::string_view lower_name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra
};

using Handler = std::function<HttpResponse(const HttpRequest&)>;

// A page of a list resource: "?after=SEQ&limit=N" (both optional; after
// defaults to 0, limit to kDefaultPageLimit and is at most kMaxPageLimit).
// Any other parameter, a repeated one, or a value that is not a whole
// number in range is kInvalidArgument naming it.
inline constexpr int64_t kDefaultPageLimit = 100;
inline constexpr int64_t kMaxPageLimit = 1000;
struct EntryPageQuery {
  int64_t after = 0;
  int64_t limit = kDefaultPageLimit;
};
Result<EntryPageQuery> ParseEntryPage(std::string_view query);

// An application/problem+json response (RFC 9457):
// {"type":"urn:backaid:problem:<slug>","title":..,"status":..,
//  "detail":..,"request_id":..}.
HttpResponse Problem(int status, std::string_view slug, std::string_view title,
                     std::string_view detail, std::string_view request_id);

struct ServerOptions {
  std::string listen = "127.0.0.1:8080";  // host:port; port 0 = any free
  int threads = 2;
  size_t max_body_bytes = 64 * 1024;
  size_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds drain_timeout{10'000};
  // Token bucket per client address: `rate_per_second` sustained,
  // `rate_burst` at once. 0 = no limit.
  double rate_per_second = 50;
  double rate_burst = 100;
  // Writes (not GET/HEAD) to one path id under the offloaded routes (an
  // episode), whoever sends them: `episode_write_rate` per second sustained,
  // `episode_write_burst` at once; then 429 episode-rate-limited. 0 = none.
  double episode_write_rate = 10;
  double episode_write_burst = 50;
  // The rate limiters' clock; null = std::chrono::steady_clock::now. Tests
  // move it on instead of sleeping for a refill.
  std::function<std::chrono::steady_clock::time_point()> rate_clock;
  // Proxies (IP addresses or CIDR prefixes) whose Forwarded and
  // X-Forwarded-For name the client for the rate limit and the access log;
  // from anyone else those headers are ignored. Start() refuses a
  // malformed entry (kInvalidArgument).
  std::vector<std::string> trusted_proxies;
  // Paths exempt from the rate limit (health checks, metrics).
  std::vector<std::string> rate_exempt = {"/livez", "/readyz", "/metrics"};
  // Routes whose template starts with one of these (a whole segment) run
  // their handler on a pool of `offload_threads` instead of the io threads:
  // the diary's writes and reads wait on the database, and must not delay
  // /livez or a read-only /v1/triage. At most `max_offloaded` of them are
  // queued or running at once; more get 503 with Retry-After: 1.
  // offload_threads 0 = run every handler on the io threads.
  std::vector<std::string> offload_prefixes = {"/v1/episodes",
                                               "/v1/assessments"};
  int offload_threads = 2;
  size_t max_offloaded = 256;
  // Where the JSON-lines access log goes (one object per request: time,
  // request_id, client, method, route template, status, bytes, duration).
  // Never the body, the query or the path's parameters. Null = stderr.
  std::function<void(std::string_view line)> access_log;
};

class HttpServer {
 public:
  explicit HttpServer(ServerOptions options);
  ~HttpServer();

  // Routes are templates: literal segments and "{name}" segments matching
  // one non-empty segment. Register before Start().
  void Route(std::string method, std::string path_template, Handler handler);
  // The same for a member function of a shared front object (the API, FHIR
  // and CDS Hooks fronts): the route holds a reference to `front`.
  template <class T>
  void Route(std::string method, std::string path_template,
             std::shared_ptr<T> front,
             HttpResponse (T::*handler)(const HttpRequest&)) {
    Route(std::move(method), std::move(path_template),
          Handler([front = std::move(front), handler](const HttpRequest& req) {
            return ((*front).*handler)(req);
          }));
  }

  // How a request under `prefix` (whole segments, e.g. "/fhir") that no
  // route matches is answered instead of the problem+json 404 or 405: the
  // FHIR front answers with an OperationOutcome. `status` is 404 (no such
  // path) or 405 (the server then adds the Allow header). The longest
  // matching prefix wins. Register before Start().
  using UnmatchedHandler =
      std::function<HttpResponse(int status, std::string_view path)>;
  void OnUnmatched(std::string prefix, UnmatchedHandler handler);

  // Binds and listens. Fails (kIoError) if the address is in use or invalid.
  Status Start();
  // The port actually bound (after Start()).
  uint16_t port() const;
  // Serves until Stop(); runs the worker threads and returns when drained.
  void Run();
  // Thread- and signal-safe to call from another thread (not from a signal
  // handler: use Asio's signal_set, as serve_command does).
  void Stop();
  // Calls Stop() on the first SIGINT or SIGTERM (an Asio signal_set on the
  // server's own io_context, cancelled by Stop() so Run() can return). Call
  // after Start() and before Run(). kIoError if they cannot be installed.
  Status StopOnSignals();

  // Prometheus text format: backaid_http_requests_total{route,method,status},
  // backaid_http_request_duration_seconds histogram{route},
  // backaid_http_connections_open, plus every extra metric registered below.
  std::string MetricsText() const;
  // Adds to a counter rendered in MetricsText(), e.g.
  // CountMetric("backaid_triage_level_total", "level=\"urgent\"").
  void CountMetric(std::string_view name, std::string_view labels,
                   uint64_t by = 1);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace backaid::server

#endif  // BACKAID_SRC_SERVER_HTTP_SERVER_H_
