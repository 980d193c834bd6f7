// The offload pool of the HTTP transport: the handlers of the routes under
// ServerOptions::offload_prefixes (the diary's writes and reads, which wait
// on the database) run here, on `offload_threads` threads of their own,
// never on the io threads, so a slow write cannot delay /livez or a
// read-only /v1/triage (issue 12 finding 1). Boost-free header; the pool is
// an Asio thread_pool inside offload_pool.cc.
#ifndef BACKAID_SRC_SERVER_OFFLOAD_POOL_H_
#define BACKAID_SRC_SERVER_OFFLOAD_POOL_H_

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace backaid::server::internal {

// Thread-safe: every member may be called from any thread. Destroying the
// pool stops it and joins its threads (jobs not yet started are dropped).
class OffloadPool {
 public:
  // `threads` > 0 and non-empty `prefixes`: see Enabled(). `max_queued`:
  // how many jobs may be queued or running at once (TryAcquire).
  OffloadPool(int threads, std::vector<std::string> prefixes,
              size_t max_queued);
  ~OffloadPool();
  OffloadPool(const OffloadPool&) = delete;
  OffloadPool& operator=(const OffloadPool&) = delete;

  // Whether the route template's handler runs on the pool: the route is a
  // prefix or under one ("/v1/episodes", "/v1/episodes/{id}/entries").
  // Always false for a pool made with 0 threads or no prefixes.
  bool Covers(std::string_view route) const;

  // Takes one of the `max_queued` slots; false (nothing taken) when all are
  // in use: the caller answers 503. Each true is matched by one Release().
  bool TryAcquire();
  void Release();

  // Runs `job` on a pool thread (after TryAcquire returned true).
  void Post(std::function<void()> job);

  // Waits until every posted job has finished (HttpServer::Run's end).
  void Join();

 private:
  struct Threads;  // the Asio thread_pool
  std::vector<std::string> prefixes_;
  size_t max_queued_;
  std::atomic<size_t> in_use_{0};  // queued or running
  std::unique_ptr<Threads> threads_;
};

}  // namespace backaid::server::internal

#endif  // BACKAID_SRC_SERVER_OFFLOAD_POOL_H_
