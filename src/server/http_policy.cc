// The server's policies on clients (Boost-free, unit-tested without
// sockets): which client a request is (trusted proxies), aggregation of
// refused requests in the access log, the access-log file rotated by size,
// and the page query of list resources.
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

// ---- TrustedProxies ---------------------------------------------------------

namespace {

// An address as 16 bytes (IPv4 as ::ffff:a.b.c.d); false if not an address.
bool ParseIp(std::string_view text, std::array<uint8_t, 16>* out, bool* v4) {
  if (text.empty() || text.size() > 45) return false;
  const std::string s(text);
  in_addr a4{};
  if (::inet_pton(AF_INET, s.c_str(), &a4) == 1) {
    out->fill(0);
    (*out)[10] = (*out)[11] = 0xff;
    std::memcpy(out->data() + 12, &a4, 4);
    *v4 = true;
    return true;
  }
  in6_addr a6{};
  if (::inet_pton(AF_INET6, s.c_str(), &a6) == 1) {
    std::memcpy(out->data(), &a6, 16);
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0,    0,
                                            0, 0, 0, 0, 0xff, 0xff};
    *v4 = std::memcmp(out->data(), kMapped, 12) == 0;
    return true;
  }
  return false;
}

// The address in one hop of Forwarded ("for=..." value) or X-Forwarded-For:
// quotes, [brackets] and a port taken off; "" if it is not an address.
std::string HopAddress(std::string_view v) {
  auto trim = [](std::string_view& t) {
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t'))
      t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t'))
      t.remove_suffix(1);
  };
  trim(v);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
    v = v.substr(1, v.size() - 2);
  }
  if (!v.empty() && v.front() == '[') {
    const size_t close = v.find(']');
    if (close == std::string_view::npos) return "";
    v = v.substr(1, close - 1);
  } else if (std::count(v.begin(), v.end(), ':') == 1) {
    v = v.substr(0, v.find(':'));  // IPv4 with a port
  }
  std::array<uint8_t, 16> a{};
  bool v4 = false;
  return ParseIp(v, &a, &v4) ? std::string(v) : std::string();
}

std::vector<std::string_view> SplitComma(std::string_view s) {
  std::vector<std::string_view> out;
  while (true) {
    const size_t c = s.find(',');
    out.push_back(s.substr(0, c));
    if (c == std::string_view::npos) break;
    s.remove_prefix(c + 1);
  }
  return out;
}

}  // namespace

Result<TrustedProxies> TrustedProxies::Parse(
    const std::vector<std::string>& entries) {
  TrustedProxies out;
  for (const std::string& e : entries) {
    const size_t slash = e.find('/');
    Net net;
    bool v4 = false;
    if (!ParseIp(std::string_view(e).substr(0, slash), &net.addr, &v4)) {
      return Status::InvalidArgument("trusted proxy '" + e +
                                     "': not an IP address or CIDR prefix");
    }
    int bits = v4 ? 32 : 128;
    if (slash != std::string::npos) {
      const std::string_view len = std::string_view(e).substr(slash + 1);
      int n = -1;
      const auto [end, ec] =
          std::from_chars(len.data(), len.data() + len.size(), n);
      if (len.empty() || ec != std::errc() || end != len.data() + len.size() ||
          n < 0 || n > bits) {
        return Status::InvalidArgument("trusted proxy '" + e +
                                       "': bad prefix length");
      }
      bits = n;
    }
    net.bits = v4 ? 96 + bits : bits;
    out.nets_.push_back(net);
  }
  return out;
}

bool TrustedProxies::Contains(std::string_view address) const {
  std::array<uint8_t, 16> a{};
  bool v4 = false;
  if (!ParseIp(address, &a, &v4)) return false;
  for (const Net& n : nets_) {
    int left = n.bits;
    bool match = true;
    for (size_t i = 0; i < 16 && left > 0; ++i, left -= 8) {
      const uint8_t mask =
          left >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - left));
      if ((a[i] & mask) != (n.addr[i] & mask)) {
        match = false;
        break;
      }
    }
    if (match) return true;
  }
  return false;
}

std::string TrustedProxies::ClientOf(std::string_view peer,
                                     std::string_view forwarded,
                                     std::string_view x_forwarded_for) const {
  std::string client(peer);
  if (nets_.empty() || !Contains(peer)) return client;
  std::vector<std::string> hops;
  if (!forwarded.empty()) {
    for (std::string_view element : SplitComma(forwarded)) {
      std::string hop;  // an element without for= is a hop we cannot name
      while (!element.empty()) {
        const size_t semi = element.find(';');
        std::string_view pair = element.substr(0, semi);
        element = semi == std::string_view::npos ? std::string_view()
                                                 : element.substr(semi + 1);
        while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
        if (pair.size() > 4 && (pair[0] == 'f' || pair[0] == 'F') &&
            (pair[1] == 'o' || pair[1] == 'O') &&
            (pair[2] == 'r' || pair[2] == 'R') && pair[3] == '=') {
          hop = HopAddress(pair.substr(4));
        }
      }
      hops.push_back(hop);
    }
  } else if (!x_forwarded_for.empty()) {
    for (std::string_view h : SplitComma(x_forwarded_for)) {
      hops.push_back(HopAddress(h));
    }
  }
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    if (it->empty()) break;  // unnamed hop: keep the last trusted one
    client = *it;
    if (!Contains(client)) break;
  }
  return client;
}

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
