#include "src/server/http_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <random>

namespace backaid::server {

std::string_view HttpRequest::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

HttpResponse Problem(int status, std::string_view slug, std::string_view title,
                     std::string_view detail, std::string_view request_id) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/problem+json";
  std::string& b = r.body;
  b.reserve(96 + slug.size() + title.size() + detail.size());
  b += "{\"type\":";
  internal::AppendJsonStringSafe(
      std::string("urn:backaid:problem:") + std::string(slug), &b);
  b += ",\"title\":";
  internal::AppendJsonStringSafe(title, &b);
  b += ",\"status\":";
  b += std::to_string(status);
  b += ",\"detail\":";
  internal::AppendJsonStringSafe(detail, &b);
  b += ",\"request_id\":";
  internal::AppendJsonStringSafe(request_id, &b);
  b += '}';
  return r;
}

namespace internal {

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

namespace {

constexpr char kHex[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid
// (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
size_t Utf8Length(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  auto cont = [&](size_t k) {
    return i + k < s.size() && (b(k) & 0xC0) == 0x80;
  };
  unsigned char c = b(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;  // overlong
    if (c == 0xED && b(1) > 0x9F) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;  // overlong
    if (c == 0xF4 && b(1) > 0x8F) return 0;  // > U+10FFFF
    return 4;
  }
  return 0;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendLabelValue(std::string_view v, std::string* out) {
  for (char c : v) {
    if (c == '\\') {
      *out += "\\\\";
    } else if (c == '"') {
      *out += "\\\"";
    } else if (c == '\n') {
      *out += "\\n";
    } else {
      *out += c;
    }
  }
}

bool ValidMetricName(std::string_view n) {
  if (n.empty()) return false;
  for (size_t i = 0; i < n.size(); ++i) {
    char c = n[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              c == ':' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

std::string FormatDouble(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

void AppendJsonStringSafe(std::string_view s, std::string* out) {
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t n = Utf8Length(s, i);
      if (n == 0) {
        *out += "\xEF\xBF\xBD";  // U+FFFD
        ++i;
      } else {
        out->append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          *out += "\\u00";
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out->push_back('"');
}

bool DecodeTarget(std::string_view raw, Target* out) {
  out->path.clear();
  out->query.clear();
  out->segments.clear();
  if (raw.empty() || raw[0] != '/') return false;  // absolute-form, '*'
  size_t q = raw.find('?');
  std::string_view path = raw.substr(0, q);
  if (q != std::string_view::npos) out->query = raw.substr(q + 1);
  for (char c : out->query) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return false;
  }
  std::string segment;
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      out->path += '/';
      out->path += segment;
      out->segments.push_back(std::move(segment));
      segment.clear();
      continue;
    }
    char c = path[i];
    if (c == '%') {
      if (i + 2 >= path.size()) return false;
      int hi = HexValue(path[i + 1]);
      int lo = HexValue(path[i + 2]);
      if (hi < 0 || lo < 0) return false;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return false;
    segment += c;
  }
  return true;
}

MethodSlot SlotOf(std::string_view m) {
  if (m == "GET") return kGet;
  if (m == "POST") return kPost;
  if (m == "HEAD") return kHead;
  if (m == "PUT") return kPut;
  if (m == "DELETE") return kDelete;
  if (m == "PATCH") return kPatch;
  if (m == "OPTIONS") return kOptions;
  return kOther;
}

std::string_view SlotName(int slot) {
  static constexpr std::string_view kNames[] = {
      "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "OTHER"};
  return kNames[slot];
}

// ---- Router ---------------------------------------------------------------

bool Router::Add(std::string method, std::string_view path_template,
                 Handler handler) {
  Target t;
  if (!DecodeTarget(path_template, &t) || !t.query.empty()) return false;
  std::vector<Segment> segments;
  for (const std::string& s : t.segments) {
    Segment seg;
    if (!s.empty() && s.front() == '{') {
      if (s.size() < 3 || s.back() != '}' ||
          s.find_first_of("{}/", 1) != s.size() - 1) {
        return false;
      }
      seg.param = true;
    } else if (s.find_first_of("{}") != std::string::npos) {
      return false;
    } else {
      seg.literal = s;
    }
    segments.push_back(std::move(seg));
  }
  auto it = std::find_if(templates_.begin(), templates_.end(),
                         [&](const Template& x) { return x.text == t.path; });
  if (it == templates_.end()) {
    templates_.push_back(Template{t.path, std::move(segments), {}});
    it = templates_.end() - 1;
  }
  for (auto& [m, h] : it->methods) {
    if (m == method) {
      h = std::move(handler);
      return true;
    }
  }
  it->methods.emplace_back(std::move(method), std::move(handler));
  return true;
}

Router::Match Router::Find(std::string_view method,
                           const std::vector<std::string>& segments) const {
  Match m;
  const Template* best_with_method = nullptr;
  const Template* best_any = nullptr;
  std::vector<std::string_view> allow;
  // Lexicographic: a literal beats a parameter at the first difference.
  auto more_specific = [](const Template& a, const Template& b) {
    for (size_t i = 0; i < a.segments.size(); ++i) {
      if (a.segments[i].param != b.segments[i].param)
        return !a.segments[i].param;
    }
    return false;
  };
  for (const Template& t : templates_) {
    if (t.segments.size() != segments.size()) continue;
    bool ok = true;
    for (size_t i = 0; i < segments.size() && ok; ++i) {
      const Segment& s = t.segments[i];
      ok = s.param ? !segments[i].empty() : s.literal == segments[i];
    }
    if (!ok) continue;
    if (!best_any || more_specific(t, *best_any)) best_any = &t;
    bool has = std::any_of(t.methods.begin(), t.methods.end(),
                           [&](const auto& p) { return p.first == method; });
    if (has && (!best_with_method || more_specific(t, *best_with_method))) {
      best_with_method = &t;
    }
    for (const auto& p : t.methods) {
      if (std::find(allow.begin(), allow.end(), p.first) == allow.end()) {
        allow.push_back(p.first);
      }
    }
  }
  if (best_with_method) {
    m.kind = Match::kFound;
    m.route = static_cast<int>(best_with_method - templates_.data());
    for (const auto& p : best_with_method->methods) {
      if (p.first == method) m.handler = &p.second;
    }
    for (size_t i = 0; i < segments.size(); ++i) {
      if (best_with_method->segments[i].param) m.params.push_back(segments[i]);
    }
    return m;
  }
  if (best_any) {
    m.kind = Match::kMethodNotAllowed;
    m.route = static_cast<int>(best_any - templates_.data());
    for (std::string_view a : allow) {
      if (!m.allow.empty()) m.allow += ", ";
      m.allow += a;
    }
  }
  return m;
}

// ---- RateLimiter ----------------------------------------------------------

RateLimiter::RateLimiter(double rate_per_second, double burst,
                         size_t max_clients)
    : rate_(rate_per_second),
      burst_(std::max(1.0, burst)),
      per_shard_(std::max<size_t>(1, max_clients / kShards)) {}

int RateLimiter::Take(std::string_view client, Clock::time_point now) {
  if (rate_ <= 0) return 0;
  Shard& shard = shards_[std::hash<std::string_view>()(client) % kShards];
  std::lock_guard lock(shard.mu);
  if (now >= shard.next_sweep) Sweep(shard, now);
  auto it = shard.buckets.find(std::string(client));
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= per_shard_) Evict(shard, now);
    it = shard.buckets.emplace(std::string(client), Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  double elapsed = std::chrono::duration<double>(now - b.last).count();
  if (elapsed > 0) {
    b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
    b.last = now;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return 0;
  }
  double wait = (1 - b.tokens) / rate_;
  return std::max(1, static_cast<int>(std::ceil(wait)));
}

void RateLimiter::Evict(Shard& shard, Clock::time_point now) {
  // Buckets that would have refilled completely are the same as no entry.
  double refill_s = burst_ / rate_;
  std::erase_if(shard.buckets, [&](const auto& kv) {
    return std::chrono::duration<double>(now - kv.second.last).count() >=
           refill_s;
  });
  if (shard.buckets.size() < per_shard_) return;
  std::vector<Clock::time_point> times;
  times.reserve(shard.buckets.size());
  for (const auto& kv : shard.buckets) times.push_back(kv.second.last);
  auto mid = times.begin() + times.size() / 2;
  std::nth_element(times.begin(), mid, times.end());
  Clock::time_point cutoff = *mid;
  std::erase_if(shard.buckets,
                [&](const auto& kv) { return kv.second.last <= cutoff; });
}

void RateLimiter::Sweep(Shard& shard, Clock::time_point now) {
  const double refill_s = burst_ / rate_;
  shard.next_sweep =
      now + std::chrono::duration_cast<Clock::duration>(
                std::chrono::duration<double>(std::max(1.0, refill_s)));
  std::erase_if(shard.buckets, [&](const auto& kv) {
    return std::chrono::duration<double>(now - kv.second.last).count() >=
           refill_s;
  });
  // erase does not shrink the table: rebuild it when it is mostly empty.
  if (shard.buckets.bucket_count() > 64 &&
      shard.buckets.bucket_count() > 4 * shard.buckets.size()) {
    std::unordered_map<std::string, Bucket> fresh(shard.buckets.begin(),
                                                  shard.buckets.end());
    shard.buckets.swap(fresh);
  }
}

size_t RateLimiter::bucket_count() const {
  size_t n = 0;
  for (const Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    n += s.buckets.bucket_count();
  }
  return n;
}

size_t RateLimiter::size() const {
  size_t n = 0;
  for (const Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    n += s.buckets.size();
  }
  return n;
}

// ---- Metrics --------------------------------------------------------------

void Metrics::Init(std::vector<std::string> route_names) {
  names_ = std::move(route_names);
  names_.push_back("unmatched");
  routes_.clear();
  for (size_t i = 0; i < names_.size(); ++i) {
    auto slots = std::make_unique<RouteSlots>();
    slots->counts =
        std::make_unique<std::atomic<uint64_t>[]>(kMethodSlots * kStatuses);
    routes_.push_back(std::move(slots));
  }
}

void Metrics::Record(int route, int method_slot, int status,
                     std::chrono::nanoseconds duration) {
  if (route < 0 || route >= static_cast<int>(routes_.size())) {
    route = static_cast<int>(routes_.size()) - 1;
  }
  RouteSlots& r = *routes_[route];
  int s = std::clamp(status, 100, 599) - 100;
  r.counts[method_slot * kStatuses + s].fetch_add(1, std::memory_order_relaxed);
  double secs = std::chrono::duration<double>(duration).count();
  size_t b = 0;
  while (b < kBuckets.size() && secs > kBuckets[b]) ++b;
  r.buckets[b].fetch_add(1, std::memory_order_relaxed);
  r.sum_ns.fetch_add(static_cast<uint64_t>(duration.count()),
                     std::memory_order_relaxed);
  r.count.fetch_add(1, std::memory_order_relaxed);
}

void Metrics::Count(std::string_view name, std::string_view labels,
                    uint64_t by) {
  if (!ValidMetricName(name)) return;
  std::lock_guard lock(extra_mu_);
  auto it = extra_.find(name);
  if (it == extra_.end())
    it = extra_.emplace(std::string(name), std::map<std::string, uint64_t>{})
             .first;
  it->second[std::string(labels)] += by;
}

std::string Metrics::Text() const {
  std::string t;
  t.reserve(4096);
  t += "# HELP backaid_http_requests_total HTTP requests answered, by route "
       "template, method and status.\n"
       "# TYPE backaid_http_requests_total counter\n";
  for (size_t r = 0; r < routes_.size(); ++r) {
    for (int m = 0; m < kMethodSlots; ++m) {
      for (int s = 0; s < kStatuses; ++s) {
        uint64_t v = routes_[r]->counts[m * kStatuses + s].load(
            std::memory_order_relaxed);
        if (v == 0) continue;
        t += "backaid_http_requests_total{route=\"";
        AppendLabelValue(names_[r], &t);
        t += "\",method=\"";
        t += SlotName(m);
        t += "\",status=\"" + std::to_string(s + 100) + "\"} ";
        t += std::to_string(v) + "\n";
      }
    }
  }
  t += "# HELP backaid_http_request_duration_seconds Time from the request "
       "header to the response written, by route template.\n"
       "# TYPE backaid_http_request_duration_seconds histogram\n";
  for (size_t r = 0; r < routes_.size(); ++r) {
    std::string label = "route=\"";
    AppendLabelValue(names_[r], &label);
    label += '"';
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= kBuckets.size(); ++b) {
      cumulative += routes_[r]->buckets[b].load(std::memory_order_relaxed);
      t += "backaid_http_request_duration_seconds_bucket{" + label + ",le=\"";
      t += b < kBuckets.size() ? FormatDouble(kBuckets[b]) : "+Inf";
      t += "\"} " + std::to_string(cumulative) + "\n";
    }
    t +=
        "backaid_http_request_duration_seconds_sum{" + label + "} " +
        FormatDouble(routes_[r]->sum_ns.load(std::memory_order_relaxed) / 1e9) +
        "\n";
    t += "backaid_http_request_duration_seconds_count{" + label + "} " +
         std::to_string(cumulative) + "\n";
  }
  t += "# HELP backaid_http_connections_open Open client connections.\n"
       "# TYPE backaid_http_connections_open gauge\n"
       "backaid_http_connections_open " +
       std::to_string(connections_open.load(std::memory_order_relaxed)) +
       "\n"
       "# HELP backaid_http_rate_limited_total Requests refused with 429.\n"
       "# TYPE backaid_http_rate_limited_total counter\n"
       "backaid_http_rate_limited_total " +
       std::to_string(rate_limited.load(std::memory_order_relaxed)) +
       "\n"
       "# HELP backaid_http_handler_exceptions_total Handlers that threw "
       "(answered with 500).\n"
       "# TYPE backaid_http_handler_exceptions_total counter\n"
       "backaid_http_handler_exceptions_total " +
       std::to_string(handler_exceptions.load(std::memory_order_relaxed)) +
       "\n";
  std::lock_guard lock(extra_mu_);
  for (const auto& [name, series] : extra_) {
    t += "# HELP " + name + " Application counter.\n";
    t += "# TYPE " + name + " counter\n";
    for (const auto& [labels, v] : series) {
      t += name;
      if (!labels.empty()) t += "{" + labels + "}";
      t += " " + std::to_string(v) + "\n";
    }
  }
  return t;
}

// ---- access log, request id -------------------------------------------------

std::string AccessLogLine(const AccessEntry& e) {
  std::string line;
  line.reserve(256);
  AppendAccessLogLine(e, &line);
  return line;
}

void AppendAccessLogLine(const AccessEntry& e, std::string* out) {
  std::string& line = *out;
  auto secs = std::chrono::time_point_cast<std::chrono::seconds>(e.ts);
  int ms = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(e.ts - secs)
          .count());
  std::time_t tt = std::chrono::system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char ts[64];
  std::snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, ms);
  line += "{\"ts\":\"";
  line += ts;
  line += "\",\"request_id\":";
  AppendJsonStringSafe(e.request_id, &line);
  line += ",\"client\":";
  AppendJsonStringSafe(e.client, &line);
  line += ",\"method\":";
  AppendJsonStringSafe(e.method, &line);
  line += ",\"route\":";
  AppendJsonStringSafe(e.route, &line);
  char num[24];
  auto append_num = [&](const char* key, auto v) {
    line += key;
    auto r = std::to_chars(num, num + sizeof num, v);
    line.append(num, r.ptr);
  };
  append_num(",\"status\":", e.status);
  append_num(",\"bytes_in\":", e.bytes_in);
  append_num(",\"bytes_out\":", e.bytes_out);
  char d[32];
  std::snprintf(d, sizeof d, "%.3f", e.duration_ms);
  line += ",\"duration_ms\":";
  line += d;
  if (e.suppressed > 0) append_num(",\"suppressed\":", e.suppressed);
  line += "}\n";
}

std::string NewRequestId() {
  thread_local uint64_t state = [] {
    std::random_device rd;
    uint64_t s = (static_cast<uint64_t>(rd()) << 32) ^ rd();
    return s ? s : 0x9E3779B97F4A7C15ull;
  }();
  // xorshift64*
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  uint64_t v = state * 0x2545F4914F6CDD1Dull;
  std::string id(16, '0');
  for (int i = 15; i >= 0; --i) {
    id[i] = kHex[v & 15];
    v >>= 4;
  }
  return id;
}

}  // namespace internal
}  // namespace backaid::server
