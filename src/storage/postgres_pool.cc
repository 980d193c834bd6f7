// The PostgreSQL connection pool (postgres_pool.h). Compiled into the
// module backaid_pg.so.
#include "src/storage/postgres_pool.h"

#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace backaid::storage::internal {

Result<Pool::Lease> Pool::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  const auto deadline = std::chrono::steady_clock::now() + kAcquireTimeout;
  while (true) {
    if (!idle_.empty()) {
      std::unique_ptr<pqxx::connection> conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(conn));
    }
    if (open_ < kPoolSize) {
      ++open_;
      lock.unlock();
      try {
        return Lease(this, std::make_unique<pqxx::connection>(url_));
      } catch (const std::exception& e) {
        lock.lock();
        --open_;
        cv_.notify_one();
        return Status::IoError(std::string("postgresql: cannot connect: ") +
                               e.what());
      }
    }
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout &&
        idle_.empty() && open_ >= kPoolSize) {
      return Status::IoError(
          "postgresql: no pooled connection became free within " +
          std::to_string(kAcquireTimeout.count()) + " s");
    }
  }
}

void Pool::Release(std::unique_ptr<pqxx::connection> conn, bool broken) {
  std::lock_guard<std::mutex> lock(mu_);
  if (broken || conn == nullptr || !conn->is_open()) {
    --open_;
    // Idle peers most likely died with it (server restart): drop them
    // too so the next calls reconnect instead of failing one by one.
    open_ -= idle_.size();
    idle_.clear();
  } else {
    idle_.push_back(std::move(conn));
  }
  cv_.notify_all();
}

bool IsConnectionLoss(const std::string& sqlstate) {
  // Class 08: connection exception; 57P01..57P03: admin/crash shutdown,
  // cannot connect now.
  return sqlstate.rfind("08", 0) == 0 || sqlstate == "57P01" ||
         sqlstate == "57P02" || sqlstate == "57P03";
}

}  // namespace backaid::storage::internal
