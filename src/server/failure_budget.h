// A bound on records of refused attempts (issue 12 finding 3: every
// request with a wrong token wrote an audit row, so unauthenticated
// traffic grew the database without limit).
//
// Allow(key, now) says whether one more refused attempt on `key` (an
// episode's audit reference) is to be recorded: at most `per_key` in any
// window of `window_ms` per key, and at most `overall` in that window over
// all keys. What is not recorded is counted by the caller (a metric), so
// the volume stays visible. Successful accesses never pass through here:
// the audit of real reads, writes and erasures is never dropped.
//
// Memory is bounded: at most `max_keys` keys are tracked; when the table is
// full, keys whose window has ended are dropped, and if none has, the
// attempt is not recorded (counted instead). Thread-safe. `now_ms` is
// passed in (the server's injectable clock), so tests need no sleep.
#ifndef BACKAID_SRC_SERVER_FAILURE_BUDGET_H_
#define BACKAID_SRC_SERVER_FAILURE_BUDGET_H_

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace backaid::server {

class FailureBudget {
 public:
  FailureBudget(int per_key = 10, int overall = 600,
                int64_t window_ms = 3'600'000, size_t max_keys = 10'000)
      : per_key_(per_key),
        overall_(overall),
        window_ms_(window_ms),
        max_keys_(max_keys) {}

  bool Allow(std::string_view key, int64_t now_ms) {
    std::lock_guard lock(mu_);
    if (now_ms >= overall_start_ + window_ms_) {
      overall_start_ = now_ms;
      overall_count_ = 0;
    }
    if (overall_count_ >= overall_) return false;
    auto it = keys_.find(std::string(key));
    if (it == keys_.end()) {
      if (keys_.size() >= max_keys_) {
        std::erase_if(keys_, [&](const auto& kv) {
          return now_ms >= kv.second.start + window_ms_;
        });
        if (keys_.size() >= max_keys_) return false;
      }
      it = keys_.emplace(std::string(key), Window{now_ms, 0}).first;
    }
    Window& w = it->second;
    if (now_ms >= w.start + window_ms_) w = Window{now_ms, 0};
    if (w.count >= per_key_) return false;
    ++w.count;
    ++overall_count_;
    return true;
  }

  size_t tracked_keys() const {
    std::lock_guard lock(mu_);
    return keys_.size();
  }

 private:
  struct Window {
    int64_t start = 0;
    int count = 0;
  };
  mutable std::mutex mu_;
  const int per_key_;
  const int overall_;
  const int64_t window_ms_;
  const size_t max_keys_;
  int64_t overall_start_ = INT64_MIN / 2;
  int overall_count_ = 0;
  std::unordered_map<std::string, Window> keys_;
};

}  // namespace backaid::server

#endif  // BACKAID_SRC_SERVER_FAILURE_BUDGET_H_
