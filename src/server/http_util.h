// Internal pieces of the HTTP transport that do not need Boost: JSON string
// escaping that always yields valid UTF-8, strict request-target decoding,
// the route table, the per-client rate limiter, the metrics registry and the
// access-log line (http_util.cc); strict framing (framing.cc); trusted
// proxies (trusted_proxies.cc); refusal sampling, the access-log file and
// the page query (http_policy.cc). Kept out of the Beast files
// (http_server.cc, http_session.cc) so they compile fast and can be tested
// without sockets.
#ifndef BACKAID_SRC_SERVER_HTTP_UTIL_H_
#define BACKAID_SRC_SERVER_HTTP_UTIL_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "src/server/http_server.h"

namespace backaid::server::internal {

// Appends `s` as a JSON string literal (quotes included). Invalid UTF-8
// (stray continuation bytes, overlong forms, surrogates, > U+10FFFF,
// truncated sequences) is replaced by U+FFFD, so the output is always valid
// UTF-8 and valid JSON whatever bytes `s` holds.
void AppendJsonStringSafe(std::string_view s, std::string* out);

// ASCII case-insensitive equality (header names, tokens, auth schemes:
// RFC 9110 compares them without case).
bool IEquals(std::string_view a, std::string_view b);

// A request target split and decoded. Decode() accepts origin-form only
// ("/path?query"): the path must start with '/', every '%' must be followed
// by two hex digits, and no decoded byte may be a control character (< 0x20
// or 0x7F). `segments` are the decoded parts between '/' ("/" gives one empty
// segment); an encoded "%2F" stays inside its segment.
// The framing of a request's header block (RFC 9112), checked as soon as
// the header is complete and before the body is read. Lenient framing is
// how requests get smuggled past a proxy, so every doubt is refused and
// the connection closed:
//  - Transfer-Encoding together with Content-Length: 400;
//  - Transfer-Encoding whose final coding is not chunked, or chunked
//    applied twice, or any coding other than chunked: 400;
//  - HTTP/1.1 without exactly one Host: 400;
//  - obs-fold (a header line continued on the next line): 400;
//  - more than one Authorization: 400 (which one would count?).
// `fields` are the header fields as received (names in any case).
struct FramingProblem {
  int status = 0;  // 0 = the framing is acceptable
  std::string_view slug, detail;
};
FramingProblem CheckFraming(
    const std::vector<std::pair<std::string_view, std::string_view>>& fields,
    unsigned version, bool obs_fold);

// Whether the raw header block (up to and including the blank line) holds
// an obs-fold: a line that starts with a space or a tab.
bool HasObsFold(std::string_view header_block);

struct Target {
  std::string path;
  std::string query;
  std::vector<std::string> segments;
};
bool DecodeTarget(std::string_view raw, Target* out);

// Method slots for the metrics and the access log; non-standard or rarely
// used methods share kOther so a client cannot grow the label set.
enum MethodSlot : int {
  kGet,
  kHead,
  kPost,
  kPut,
  kDelete,
  kPatch,
  kOptions,
  kOther,
  kMethodSlots
};
MethodSlot SlotOf(std::string_view method);
std::string_view SlotName(int slot);

// Route templates: literal segments and "{name}" segments (one non-empty
// segment). Not thread-safe to modify; Find() is const and lock-free.
class Router {
 public:
  struct Match {
    enum Kind { kFound, kNotFound, kMethodNotAllowed } kind = kNotFound;
    int route = -1;  // template index (kFound, 405)
    const Handler* handler = nullptr;
    std::vector<std::string> params;
    std::string allow;  // "GET, POST" for 405
  };
  // Returns false for a malformed template (must start with '/'; a "{..}"
  // segment must be exactly "{name}").
  bool Add(std::string method, std::string_view path_template, Handler handler);
  // Among the templates that match the segments, the one with the method
  // and literal segments earliest wins ("/a/b" over "/a/{x}").
  Match Find(std::string_view method,
             const std::vector<std::string>& segments) const;
  size_t size() const { return templates_.size(); }
  const std::string& text(int route) const { return templates_[route].text; }

 private:
  struct Segment {
    std::string literal;
    bool param = false;
  };
  struct Template {
    std::string text;
    std::vector<Segment> segments;
    std::vector<std::pair<std::string, Handler>> methods;
  };
  std::vector<Template> templates_;
};

// Token bucket per client key, sharded by hash so threads rarely contend.
// The table is bounded: when a shard is full, entries that would be full
// again anyway are dropped, then the least recently seen half. Idle
// entries (refilled, so the same as none) are also swept from a shard at
// most once per refill time, and a shard whose hash table has grown far
// beyond its entries is rebuilt, so memory taken by a burst of addresses
// is given back (issue 12 finding 2: 60,000 addresses kept 4.6 MB).
class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  RateLimiter(double rate_per_second, double burst, size_t max_clients = 65536);
  bool enabled() const { return rate_ > 0; }
  // 0 if a token was taken; otherwise whole seconds until one is available
  // (>= 1), for Retry-After.
  int Take(std::string_view client, Clock::time_point now);
  size_t size() const;
  // Hash-table slots over all shards (memory held, for tests).
  size_t bucket_count() const;

 private:
  struct Bucket {
    double tokens;
    Clock::time_point last;
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, Bucket> buckets;
    Clock::time_point next_sweep{};
  };
  void Evict(Shard& shard, Clock::time_point now);
  void Sweep(Shard& shard, Clock::time_point now);
  static constexpr size_t kShards = 16;
  double rate_;
  double burst_;
  size_t per_shard_;
  std::array<Shard, kShards> shards_;
};

// The client a request is counted and logged as (issue 12 finding 2).
// Forwarded (RFC 7239, "for=") and X-Forwarded-For are believed only when
// the connection comes from a configured trusted proxy, and then read from
// the right, skipping hops that are trusted proxies themselves: the first
// untrusted hop is the client (hops left of it could be forged by it). A
// hop that is not an IP address ("unknown", an obfuscated name, garbage)
// ends the walk and the last trusted hop is used instead, so a client
// behind a proxy can never choose its own key.
class TrustedProxies {
 public:
  // Entries: IPv4 or IPv6 addresses or CIDR prefixes ("10.0.0.0/8",
  // "fd00::/8"). kInvalidArgument naming the first malformed entry.
  static Result<TrustedProxies> Parse(const std::vector<std::string>& entries);
  bool empty() const { return nets_.empty(); }
  bool Contains(std::string_view address) const;
  // `forwarded` and `x_forwarded_for`: every field of that name joined by
  // ',' in order ("" if none). Forwarded wins when both are present.
  std::string ClientOf(std::string_view peer, std::string_view forwarded,
                       std::string_view x_forwarded_for) const;
  // The same from a request's header fields (name, value), any case of
  // name: every Forwarded and X-Forwarded-For field joined in order. The
  // peer itself when no proxy is trusted.
  std::string ClientOfFields(
      std::string_view peer,
      const std::vector<std::pair<std::string_view, std::string_view>>& fields)
      const;

 private:
  struct Net {
    std::array<uint8_t, 16> addr{};
    int bits = 0;  // prefix length over the 16 bytes (IPv4 mapped: 96 + n)
  };
  std::vector<Net> nets_;
};

// Aggregates refused requests (429, 503) in the access log (issue 12
// finding 3: every 429 was a line, 223 MB a minute under a flood): at most
// one such line per `every`; the line carries how many were left out since
// the last one ("suppressed"). Refusals are counted in the metrics anyway.
class RefusalSampler {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RefusalSampler(Clock::duration every = std::chrono::seconds(1))
      : every_(every) {}
  // True if this refusal is to be logged; then *suppressed is the number
  // left out before it.
  bool ShouldLog(Clock::time_point now, uint64_t* suppressed);

 private:
  std::mutex mu_;
  Clock::duration every_;
  Clock::time_point next_{};
  uint64_t skipped_ = 0;
};

// The access log as a file, rotated by size (issue 12 finding 3): when a
// line would take the file past `max_bytes`, FILE becomes FILE.1 (FILE.1
// becomes FILE.2, ... up to FILE.<keep>; the oldest is deleted) and a new
// FILE is started. Files are created 0600 whatever the umask. Write() is
// thread-safe; one write(2) per line, so lines never interleave.
// max_bytes 0 = never rotate.
class AccessLogFile {
 public:
  // kIoError naming the file if it cannot be opened.
  static Result<std::unique_ptr<AccessLogFile>> Open(std::string path,
                                                     uint64_t max_bytes,
                                                     int keep);
  ~AccessLogFile();
  void Write(std::string_view line);  // `line` without '\n'
  uint64_t rotations() const;

 private:
  AccessLogFile(std::string path, uint64_t max_bytes, int keep)
      : path_(std::move(path)), max_bytes_(max_bytes), keep_(keep) {}
  bool Reopen();
  void Rotate();
  mutable std::mutex mu_;
  std::string path_;
  uint64_t max_bytes_;
  int keep_;
  int fd_ = -1;
  uint64_t size_ = 0;
  uint64_t rotations_ = 0;
};

// Request counters and latency histograms, one slot set per route template
// plus one for "unmatched". Record() is lock-free (relaxed atomics).
class Metrics {
 public:
  static constexpr std::array<double, 11> kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1};
  // `route_names`: the templates; index route_names.size() is "unmatched".
  void Init(std::vector<std::string> route_names);
  void Record(int route, int method_slot, int status,
              std::chrono::nanoseconds duration);
  void Count(std::string_view name, std::string_view labels, uint64_t by);
  std::string Text() const;

  std::atomic<int64_t> connections_open{0};
  std::atomic<uint64_t> rate_limited{0};
  std::atomic<uint64_t> handler_exceptions{0};

 private:
  static constexpr int kStatuses = 500;  // 100..599
  struct RouteSlots {
    std::unique_ptr<std::atomic<uint64_t>[]> counts;  // method x status
    std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets{};
    std::atomic<uint64_t> sum_ns{0};
    std::atomic<uint64_t> count{0};
  };
  std::vector<std::string> names_;
  std::vector<std::unique_ptr<RouteSlots>> routes_;
  mutable std::mutex extra_mu_;
  std::map<std::string, std::map<std::string, uint64_t>, std::less<>> extra_;
};

// One access-log line (JSON, ending in '\n'). Holds no path, query, header
// or body: only the route template.
struct AccessEntry {
  std::chrono::system_clock::time_point ts;
  std::string_view request_id;
  std::string_view client;
  std::string_view method;  // a SlotName, never the raw method
  std::string_view route;   // template or "unmatched"
  int status = 0;
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  double duration_ms = 0;
  uint64_t suppressed = 0;  // refused requests left out before this line
};
std::string AccessLogLine(const AccessEntry& e);
// The same line appended to *line (reuse one buffer per thread).
void AppendAccessLogLine(const AccessEntry& e, std::string* line);

// 16 lower-case hex digits from a per-thread xorshift generator seeded from
// std::random_device.
std::string NewRequestId();

}  // namespace backaid::server::internal

#endif  // BACKAID_SRC_SERVER_HTTP_UTIL_H_
