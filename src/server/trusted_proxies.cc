// Which client a request is counted and logged as (issue 12 finding 2):
// the trusted proxies (--trusted-proxy) and the Forwarded (RFC 7239) and
// X-Forwarded-For fields they send. Boost-free, unit-tested without
// sockets (http_util_test.cc).
#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

std::string TrustedProxies::ClientOfFields(
    std::string_view peer,
    const std::vector<std::pair<std::string_view, std::string_view>>& fields)
    const {
  if (empty()) return std::string(peer);
  std::string forwarded, xff;
  for (const auto& [name, value] : fields) {
    std::string* into = IEquals(name, "forwarded")         ? &forwarded
                        : IEquals(name, "x-forwarded-for") ? &xff
                                                           : nullptr;
    if (into == nullptr) continue;
    if (!into->empty()) into->push_back(',');
    into->append(value);
  }
  return ClientOf(peer, forwarded, xff);
}

}  // namespace internal
}  // namespace backaid::server
