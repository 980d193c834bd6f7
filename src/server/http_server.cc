// The HTTP server's public side (HttpServer, src/server/http_server.h) and
// its shared state (ServerCore, server_core.h): listen, accept and hand each
// socket to a session (http_session.cc, one connection), stop gracefully
// (on Stop() or a signal), write the access log. With http_session.cc the
// only files that include Boost.Beast (compile time). Threading: see
// server_core.h.
//
// Handlers of the routes under ServerOptions::offload_prefixes (the diary's
// writes and reads, which wait on the database) run on the offload pool
// (offload_pool.h), never on the io threads: a slow write cannot delay
// /livez or a read-only /v1/triage (issue 12 finding 1). The session's
// response is posted back to its own io_context. At most `max_offloaded`
// such requests are queued or running; more get 503 with Retry-After.
#include "src/server/http_server.h"

#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <cerrno>
#include <csignal>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "src/server/http_util.h"
#include "src/server/server_core.h"

namespace backaid::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

struct HttpServer::Impl : internal::ServerCore {
  using ServerCore::ServerCore;
};

// ---- Impl -------------------------------------------------------------------

void internal::ServerCore::Register(const std::shared_ptr<Session>& s) {
  std::lock_guard lock(sessions_mu);
  sessions.emplace(s.get(), s);
  metrics.connections_open.fetch_add(1, std::memory_order_relaxed);
}

void internal::ServerCore::Unregister(Session* s) {
  std::lock_guard lock(sessions_mu);
  sessions.erase(s);
  metrics.connections_open.fetch_sub(1, std::memory_order_relaxed);
  if (sessions.empty() && stopping && !destroying) {
    // The last connection has drained: nothing keeps Run() waiting.
    asio::post(ioc, [this] { drain_timer.cancel(); });
  }
}

void internal::ServerCore::DoAccept() {
  asio::io_context& target = *iocs[next_context++ % iocs.size()];
  acceptor.async_accept(
      target, [this](beast::error_code ec, tcp::socket socket) {
        if (stopping) return;
        if (ec) {
          if (ec == asio::error::operation_aborted) return;
          // Out of descriptors or similar: back off instead of spinning.
          accept_retry.expires_after(std::chrono::milliseconds(20));
          accept_retry.async_wait([this](beast::error_code wec) {
            if (!wec && !stopping) DoAccept();
          });
          return;
        }
        StartSession(this, std::move(socket));
        DoAccept();
      });
}

void internal::ServerCore::StopOnStrand() {
  if (stopping.exchange(true)) return;
  beast::error_code ec;
  acceptor.close(ec);
  accept_retry.cancel();
  if (signals) signals->cancel(ec);
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(sessions_mu);
    for (auto& [ptr, weak] : sessions) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
    if (!sessions.empty()) {
      drain_timer.expires_after(options.drain_timeout);
      drain_timer.async_wait([this](beast::error_code wec) {
        if (wec) return;
        for (auto& c : iocs) c->stop();  // drain_timeout reached: give up
      });
    }
  }
  for (auto& s : live) StopSession(std::move(s));
  // Each io_context's run() now returns once its connections are gone.
  for (auto& g : guards) g.reset();
}

void internal::ServerCore::Log(const internal::AccessEntry& e) {
  // One buffer per thread, reused for every line.
  thread_local std::string line;
  line.clear();
  internal::AppendAccessLogLine(e, &line);
  if (options.access_log) {
    std::string_view v(line);
    v.remove_suffix(1);  // the callback gets the line without '\n'
    options.access_log(v);
    return;
  }
  // One write() per line: lines from different threads do not interleave.
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

// ---- HttpServer
// ---------------------------------------------------------------

HttpServer::HttpServer(ServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpServer::~HttpServer() = default;

void HttpServer::OnUnmatched(std::string prefix, UnmatchedHandler handler) {
  internal::Target t;
  if (!internal::DecodeTarget(prefix, &t)) return;
  impl_->unmatched.emplace_back(std::move(t.segments), std::move(handler));
}

void HttpServer::Route(std::string method, std::string path_template,
                       Handler handler) {
  // A malformed template is a programming error of the caller; it is
  // dropped (and so answers 404) rather than thrown.
  impl_->router.Add(std::move(method), path_template, std::move(handler));
}

Status HttpServer::Start() {
  if (impl_->started) return Status::FailedPrecondition("already started");
  auto proxies =
      internal::TrustedProxies::Parse(impl_->options.trusted_proxies);
  if (!proxies.ok()) return proxies.status();
  impl_->proxies = std::move(*proxies);
  const std::string& listen = impl_->options.listen;
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return Status::IoError("listen address must be host:port: " + listen);
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int port = 0;
  try {
    size_t used = 0;
    port = std::stoi(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1 || port < 0 || port > 65535) {
      throw std::out_of_range("port");
    }
  } catch (const std::exception&) {
    return Status::IoError("bad port in listen address: " + listen);
  }
  beast::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec)
    return Status::IoError("bad listen host " + host + ": " + ec.message());
  tcp::endpoint endpoint(address, static_cast<uint16_t>(port));
  tcp::acceptor& a = impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    a.close();
    return Status::IoError("cannot listen on " + listen + ": " + ec.message());
  }
  impl_->bound_port = a.local_endpoint(ec).port();
  std::vector<std::string> names;
  for (size_t i = 0; i < impl_->router.size(); ++i) {
    names.push_back(impl_->router.text(static_cast<int>(i)));
  }
  impl_->metrics.Init(std::move(names));
  impl_->started = true;
  asio::post(impl_->ioc, [impl = impl_.get()] { impl->DoAccept(); });
  return Status::Ok();
}

uint16_t HttpServer::port() const { return impl_->bound_port; }

void HttpServer::Run() {
  if (!impl_->started) return;
  size_t n = impl_->iocs.size();
  std::vector<std::thread> workers;
  workers.reserve(n - 1);
  for (size_t i = 1; i < n; ++i) {
    workers.emplace_back([c = impl_->iocs[i].get()] { c->run(); });
  }
  impl_->ioc.run();
  for (auto& t : workers) t.join();
  // Handlers still on the offload pool (a drain that timed out) finish
  // before Run() returns, so nothing they use is destroyed under them.
  impl_->offload->Join();
}

void HttpServer::Stop() {
  asio::post(impl_->ioc, [impl = impl_.get()] { impl->StopOnStrand(); });
}

Status HttpServer::StopOnSignals() {
  beast::error_code ec;
  Impl& impl = *impl_;
  impl.signals.emplace(impl.ioc);
  impl.signals->add(SIGINT, ec);
  if (!ec) impl.signals->add(SIGTERM, ec);
  if (ec) {
    impl.signals.reset();
    return Status::IoError("cannot install signal handlers: " + ec.message());
  }
  impl.signals->async_wait([&impl](beast::error_code wec, int) {
    if (!wec) impl.StopOnStrand();
  });
  return Status::Ok();
}

std::string HttpServer::MetricsText() const { return impl_->metrics.Text(); }

void HttpServer::CountMetric(std::string_view name, std::string_view labels,
                             uint64_t by) {
  impl_->metrics.Count(name, labels, by);
}

}  // namespace backaid::server
