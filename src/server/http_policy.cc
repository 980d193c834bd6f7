// The server's policies (Boost-free, unit-tested without sockets):
// aggregation of refused requests in the access log, the access-log file
// rotated by size, and the page query of list resources. Which client a
// request is (trusted proxies) is in trusted_proxies.cc.
#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <string>

#include "src/server/http_util.h"

namespace backaid::server {
namespace internal {

// ---- AccessLogFile
// -----------------------------------------------------------

Result<std::unique_ptr<AccessLogFile>> AccessLogFile::Open(std::string path,
                                                           uint64_t max_bytes,
                                                           int keep) {
  std::unique_ptr<AccessLogFile> f(
      new AccessLogFile(std::move(path), max_bytes, std::max(1, keep)));
  if (!f->Reopen()) {
    return Status::IoError("cannot open the access log '" + f->path_ + "'");
  }
  return f;
}

AccessLogFile::~AccessLogFile() {
  if (fd_ >= 0) ::close(fd_);
}

bool AccessLogFile::Reopen() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) return false;
  ::fchmod(fd_, 0600);  // an existing file keeps no wider mode
  struct stat st {};
  size_ = ::fstat(fd_, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  return true;
}

void AccessLogFile::Rotate() {
  for (int i = keep_; i >= 1; --i) {
    const std::string from =
        i == 1 ? path_ : path_ + "." + std::to_string(i - 1);
    const std::string to = path_ + "." + std::to_string(i);
    ::rename(from.c_str(), to.c_str());  // a missing one is fine
  }
  ++rotations_;
  Reopen();
}

void AccessLogFile::Write(std::string_view line) {
  thread_local std::string buf;
  buf.assign(line);
  buf.push_back('\n');
  std::lock_guard lock(mu_);
  if (max_bytes_ > 0 && size_ > 0 && size_ + buf.size() > max_bytes_) {
    Rotate();
  }
  if (fd_ < 0) return;
  const char* p = buf.data();
  size_t left = buf.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return;
    }
    p += n;
    left -= static_cast<size_t>(n);
    size_ += static_cast<uint64_t>(n);
  }
}

uint64_t AccessLogFile::rotations() const {
  std::lock_guard lock(mu_);
  return rotations_;
}

bool RefusalSampler::ShouldLog(Clock::time_point now, uint64_t* suppressed) {
  std::lock_guard lock(mu_);
  if (now < next_) {
    ++skipped_;
    return false;
  }
  next_ = now + every_;
  *suppressed = skipped_;
  skipped_ = 0;
  return true;
}

}  // namespace internal

Result<EntryPageQuery> ParseEntryPage(std::string_view query) {
  EntryPageQuery out;
  bool seen_after = false, seen_limit = false;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view()
                                          : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    const std::string_view name = pair.substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    int64_t* target = nullptr;
    int64_t lo = 0, hi = 0;
    if (name == "after" && !seen_after) {
      seen_after = true;
      target = &out.after;
      lo = 0;
      hi = INT64_MAX;
    } else if (name == "limit" && !seen_limit) {
      seen_limit = true;
      target = &out.limit;
      lo = 1;
      hi = kMaxPageLimit;
    } else if (name == "after" || name == "limit") {
      return Status::InvalidArgument(
          fmt::format("query: '{}' given twice", name));
    } else {
      return Status::InvalidArgument(
          "query: only 'after' (a seq) and 'limit' (1 to " +
          std::to_string(kMaxPageLimit) + ") are allowed");
    }
    int64_t v = 0;
    const auto [end, ec] =
        std::from_chars(value.data(), value.data() + value.size(), v);
    if (value.empty() || ec != std::errc() ||
        end != value.data() + value.size() || v < lo || v > hi) {
      return Status::InvalidArgument(fmt::format(
          "query: '{}' must be a whole number from {} to {}", name, lo,
          hi == INT64_MAX ? std::string("2^63-1") : std::to_string(hi)));
    }
    *target = v;
  }
  return out;
}

}  // namespace backaid::server
