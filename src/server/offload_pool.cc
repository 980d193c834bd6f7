#include "src/server/offload_pool.h"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <utility>

namespace backaid::server::internal {

struct OffloadPool::Threads {
  explicit Threads(size_t n) : pool(n) {}
  boost::asio::thread_pool pool;
};

OffloadPool::OffloadPool(int threads, std::vector<std::string> prefixes,
                         size_t max_queued)
    : prefixes_(std::move(prefixes)), max_queued_(max_queued) {
  if (threads > 0 && !prefixes_.empty()) {
    threads_ = std::make_unique<Threads>(static_cast<size_t>(threads));
  }
}

OffloadPool::~OffloadPool() = default;

bool OffloadPool::Covers(std::string_view route) const {
  if (!threads_) return false;
  for (const std::string& p : prefixes_) {
    if (route.substr(0, p.size()) == p &&
        (route.size() == p.size() || route[p.size()] == '/')) {
      return true;
    }
  }
  return false;
}

bool OffloadPool::TryAcquire() {
  if (in_use_.fetch_add(1) >= max_queued_) {
    in_use_.fetch_sub(1);
    return false;
  }
  return true;
}

void OffloadPool::Release() { in_use_.fetch_sub(1); }

void OffloadPool::Post(std::function<void()> job) {
  boost::asio::post(threads_->pool, std::move(job));
}

void OffloadPool::Join() {
  if (threads_) threads_->pool.join();
}

}  // namespace backaid::server::internal
