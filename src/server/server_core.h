// The HTTP transport's shared state (internal to src/server): ServerCore,
// which HttpServer::Impl is, and the two calls into the connection
// (http_session.cc). Includes Asio; included only by http_server.cc and
// http_session.cc, the files that include Boost.Beast.
//
// Threading: one io_context per worker thread (`threads` of them), each run
// by exactly one thread, so nothing on it needs a strand. The acceptor, the
// drain timer and the signal set live on io_context 0; accepted sockets are
// handed to the io_contexts round-robin, and a connection's operations and
// handler calls all run on its io_context's thread. (One acceptor rather
// than SO_REUSEPORT: a second server on a busy port must still fail.)
// Shared state between threads: the session registry (mutex), the metrics
// (atomics), the rate limiters (sharded mutexes), the offload pool's count
// (atomic).
#ifndef BACKAID_SRC_SERVER_SERVER_CORE_H_
#define BACKAID_SRC_SERVER_SERVER_CORE_H_

#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "src/server/http_server.h"
#include "src/server/http_util.h"
#include "src/server/offload_pool.h"

namespace backaid::server::internal {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class Session;  // one connection (http_session.cc)
struct ServerCore;

// Creates the session of an accepted socket, registers it and starts
// reading; it lives as long as its pending operations.
void StartSession(ServerCore* server, tcp::socket&& socket);
// Posts to the session's own io_context: an idle connection is closed now,
// a busy one after its response.
void StopSession(std::shared_ptr<Session> session);

// All server state; HttpServer::Impl is this (a named class so Session can
// refer to it; HttpServer::Impl is private).
struct ServerCore {
  explicit ServerCore(ServerOptions o)
      : options(std::move(o)),
        limiter(options.rate_per_second, options.rate_burst),
        episode_limiter(options.episode_write_rate,
                        options.episode_write_burst),
        iocs(MakeContexts(std::max(1, options.threads))),
        ioc(*iocs.front()),
        acceptor(ioc),
        drain_timer(ioc),
        accept_retry(ioc) {
    for (size_t i = 1; i < iocs.size(); ++i) {
      guards.emplace_back(iocs[i]->get_executor());
    }
    offload = std::make_unique<OffloadPool>(options.offload_threads,
                                            options.offload_prefixes,
                                            options.max_offloaded);
  }

  // Now, for the rate limiters (options.rate_clock when set).
  std::chrono::steady_clock::time_point RateNow() const {
    return options.rate_clock ? options.rate_clock()
                              : std::chrono::steady_clock::now();
  }

  // Whether a route template's handler runs on the offload pool.
  bool Offloaded(std::string_view route) const {
    return offload->Covers(route);
  }

  static std::vector<std::unique_ptr<asio::io_context>> MakeContexts(int n) {
    std::vector<std::unique_ptr<asio::io_context>> v;
    for (int i = 0; i < n; ++i) {
      v.push_back(std::make_unique<asio::io_context>(1));
    }
    return v;
  }
  ~ServerCore() { destroying = true; }

  void DoAccept();
  void StopOnStrand();
  void Register(const std::shared_ptr<Session>& s);
  void Unregister(Session* s);
  void Log(const AccessEntry& e);

  ServerOptions options;
  Router router;
  // OnUnmatched: path prefix (segments) and its handler.
  std::vector<std::pair<std::vector<std::string>, HttpServer::UnmatchedHandler>>
      unmatched;
  Metrics metrics;
  RateLimiter limiter;
  RateLimiter episode_limiter;  // writes per path id
  TrustedProxies proxies;       // parsed by Start()
  RefusalSampler refusals;
  std::mutex sessions_mu;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
  std::atomic<bool> stopping{false};
  std::atomic<bool> destroying{false};
  bool started = false;
  uint16_t bound_port = 0;
  size_t next_context = 0;
  // Declared after the session registry: destroyed before it, so handlers
  // still queued in the io_contexts (which own sessions) are destroyed
  // while the registry above still exists; the io objects below (guards,
  // acceptor, timers, signals) and the offload pool are destroyed before
  // the io_contexts. A session's handlers are only ever queued on its own
  // io_context.
  std::vector<std::unique_ptr<asio::io_context>> iocs;
  // Keep io_contexts 1.. running while they have no connection yet;
  // released by Stop.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>>
      guards;
  asio::io_context& ioc;  // *iocs[0]: acceptor, drain timer, signals
  tcp::acceptor acceptor;
  asio::steady_timer drain_timer;
  asio::steady_timer accept_retry;
  std::optional<asio::signal_set> signals;
  // Declared after the io_contexts: destroyed (stopped and joined) before
  // them and before the session registry, which queued jobs reach through
  // their sessions.
  std::unique_ptr<OffloadPool> offload;
};

}  // namespace backaid::server::internal

#endif  // BACKAID_SRC_SERVER_SERVER_CORE_H_
