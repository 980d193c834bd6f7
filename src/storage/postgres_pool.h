// The PostgreSQL backend's connections and transactions (libpqxx): a
// bounded pool of connections and RunTx, which runs a body in a transaction
// on a pooled connection and retries transient conflicts. Internal to the
// module backaid_pg.so (postgres_storage.cc).
#ifndef BACKAID_SRC_STORAGE_POSTGRES_POOL_H_
#define BACKAID_SRC_STORAGE_POSTGRES_POOL_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "backaid/status.h"

namespace backaid::storage::internal {

inline constexpr size_t kPoolSize = 8;
inline constexpr std::chrono::seconds kAcquireTimeout{10};
inline constexpr int kMaxAttempts = 6;

class Pool {
 public:
  explicit Pool(std::string url) : url_(std::move(url)) {}

  // A connection on loan; returned to the pool when the lease ends unless
  // it was marked broken.
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<pqxx::connection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)),
          conn_(std::move(other.conn_)),
          broken_(other.broken_) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (pool_ != nullptr) pool_->Release(std::move(conn_), broken_);
    }
    pqxx::connection& conn() { return *conn_; }
    void MarkBroken() { broken_ = true; }

   private:
    Pool* pool_;
    std::unique_ptr<pqxx::connection> conn_;
    bool broken_ = false;
  };

  // A connection: an idle one, a new one while fewer than kPoolSize are
  // open, or after waiting up to kAcquireTimeout for one to come back;
  // kIoError when none can be had.
  Result<Lease> Acquire();

 private:
  // Takes a connection back; a broken one (and every idle one) is dropped.
  void Release(std::unique_ptr<pqxx::connection> conn, bool broken);

  const std::string url_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  size_t open_ = 0;  // idle + on loan
};

// Whether `sqlstate` means the connection is gone (class 08, 57P01..57P03).
bool IsConnectionLoss(const std::string& sqlstate);

// One try of RunTx's body: commits when it returns OK, rolls back
// otherwise; sets *retry for a conflict worth another try.
template <typename Body>
Status Attempt(Pool::Lease& lease, std::string_view what, Body& body,
               bool* retry) {
  const std::string prefix = "postgresql: " + std::string(what) + ": ";
  try {
    pqxx::work tx(lease.conn());
    Status s = body(tx);
    if (s.ok()) {
      tx.commit();
    } else {
      tx.abort();
    }
    return s;
  } catch (const pqxx::in_doubt_error& e) {
    lease.MarkBroken();
    return Status::IoError(prefix +
                           "connection lost during commit, "
                           "outcome unknown: " +
                           e.what());
  } catch (const pqxx::broken_connection& e) {
    lease.MarkBroken();
    return Status::IoError(prefix + "connection lost: " + e.what());
  } catch (const pqxx::serialization_failure& e) {
    *retry = true;
    return Status::Internal(prefix + e.what());
  } catch (const pqxx::deadlock_detected& e) {
    *retry = true;
    return Status::Internal(prefix + e.what());
  } catch (const pqxx::sql_error& e) {
    const std::string& state = e.sqlstate();
    if (state == "40001" || state == "40P01" || state == "23505") {
      *retry = true;
      return Status::Internal(prefix + e.what());
    }
    if (IsConnectionLoss(state) || !lease.conn().is_open()) {
      lease.MarkBroken();
      return Status::IoError(prefix + "connection lost: " + e.what());
    }
    return Status::Internal(prefix + e.what());
  } catch (const std::exception& e) {
    if (!lease.conn().is_open()) {
      lease.MarkBroken();
      return Status::IoError(prefix + "connection lost: " + e.what());
    }
    return Status::Internal(prefix + e.what());
  }
}

// Runs `body` in a transaction on a pooled connection, commits when it
// returns OK (rolls back otherwise) and retries transient conflicts.
template <typename Body>
Status RunTx(Pool& pool, std::string_view what, Body&& body) {
  thread_local std::minstd_rand jitter(std::random_device{}());
  for (int attempt = 1;; ++attempt) {
    Result<Pool::Lease> lease = pool.Acquire();
    if (!lease.ok()) return lease.status();
    bool retry = false;
    Status s = Attempt(*lease, what, body, &retry);
    if (!retry || attempt >= kMaxAttempts) return s;
    // Back off a little, with jitter, so racers do not collide again.
    std::this_thread::sleep_for(std::chrono::milliseconds(
        (1 << attempt) + static_cast<int>(jitter() % 8)));
  }
}

}  // namespace backaid::storage::internal

#endif  // BACKAID_SRC_STORAGE_POSTGRES_POOL_H_
