#include "src/server/http_util.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>

#include "src/server/failure_budget.h"

namespace backaid::server::internal {
namespace {

std::string Quote(std::string_view s) {
  std::string out;
  AppendJsonStringSafe(s, &out);
  return out;
}

TEST(JsonStringSafe, EscapesAndKeepsValidUtf8) {
  EXPECT_EQ(Quote("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
  EXPECT_EQ(Quote("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
            "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");
}

TEST(JsonStringSafe, ReplacesInvalidUtf8) {
  // Stray continuation, overlong '/', surrogate, above U+10FFFF, truncated.
  EXPECT_EQ(Quote("\x80"), "\"\xEF\xBF\xBD\"");
  EXPECT_EQ(Quote("\xC0\xAF"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_EQ(Quote("\xED\xA0\x80").find("\xED"), std::string::npos);
  EXPECT_EQ(Quote("\xF4\x90\x80\x80").find("\xF4"), std::string::npos);
  EXPECT_EQ(Quote("ab\xE2\x82"), "\"ab\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

TEST(JsonStringSafe, RandomBytesAlwaysParse) {
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 40, '\0');
    for (char& c : s) c = static_cast<char>(rng() & 0xFF);
    std::string q = Quote(s);
    auto j = nlohmann::json::parse(q, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << q;
    ASSERT_TRUE(j.is_string());
  }
}

TEST(Problem, IsRfc9457Json) {
  HttpResponse r = Problem(404, "not-found", "Not found", "no \"x\" here \xFF",
                           "0123456789abcdef");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/problem+json");
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["type"], "urn:backaid:problem:not-found");
  EXPECT_EQ(j["title"], "Not found");
  EXPECT_EQ(j["status"], 404);
  EXPECT_EQ(j["detail"], "no \"x\" here \xEF\xBF\xBD");
  EXPECT_EQ(j["request_id"], "0123456789abcdef");
}

TEST(DecodeTarget, SplitsAndDecodes) {
  Target t;
  ASSERT_TRUE(DecodeTarget("/v1/a%20b/c%2Fd?x=1&y=%ZZ", &t));
  EXPECT_EQ(t.path, "/v1/a b/c/d");
  EXPECT_EQ(t.query, "x=1&y=%ZZ");
  EXPECT_EQ(t.segments, (std::vector<std::string>{"v1", "a b", "c/d"}));
  ASSERT_TRUE(DecodeTarget("/", &t));
  EXPECT_EQ(t.segments, (std::vector<std::string>{""}));
}

TEST(DecodeTarget, RejectsBadTargets) {
  Target t;
  EXPECT_FALSE(DecodeTarget("http://example.com/v1", &t));
  EXPECT_FALSE(DecodeTarget("*", &t));
  EXPECT_FALSE(DecodeTarget("", &t));
  EXPECT_FALSE(DecodeTarget("/a%2", &t));
  EXPECT_FALSE(DecodeTarget("/a%", &t));
  EXPECT_FALSE(DecodeTarget("/a%G0", &t));
  EXPECT_FALSE(DecodeTarget("/a%00b", &t));
  EXPECT_FALSE(DecodeTarget("/a%0Ab", &t));
  EXPECT_FALSE(DecodeTarget("/a%7F", &t));
}

TEST(Router, ParamsLiteralsAndAllow) {
  Router r;
  ASSERT_TRUE(r.Add("GET", "/v1/episodes/{id}", nullptr));
  ASSERT_TRUE(r.Add("DELETE", "/v1/episodes/{id}", nullptr));
  ASSERT_TRUE(r.Add("GET", "/v1/episodes/export", nullptr));
  ASSERT_TRUE(r.Add("POST", "/v1/episodes", nullptr));
  EXPECT_FALSE(r.Add("GET", "v1/x", nullptr));
  EXPECT_FALSE(r.Add("GET", "/v1/{a", nullptr));
  EXPECT_FALSE(r.Add("GET", "/v1/x{a}", nullptr));

  auto m = r.Find("GET", {"v1", "episodes", "e-42"});
  ASSERT_EQ(m.kind, Router::Match::kFound);
  EXPECT_EQ(r.text(m.route), "/v1/episodes/{id}");
  EXPECT_EQ(m.params, std::vector<std::string>{"e-42"});

  m = r.Find("GET", {"v1", "episodes", "export"});
  ASSERT_EQ(m.kind, Router::Match::kFound);
  EXPECT_EQ(r.text(m.route), "/v1/episodes/export");
  EXPECT_TRUE(m.params.empty());

  m = r.Find("PUT", {"v1", "episodes", "e-42"});
  ASSERT_EQ(m.kind, Router::Match::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "GET, DELETE");

  EXPECT_EQ(r.Find("GET", {"v1", "episodes", ""}).kind,
            Router::Match::kNotFound);
  EXPECT_EQ(r.Find("GET", {"v1", "nope"}).kind, Router::Match::kNotFound);
  EXPECT_EQ(r.Find("HEAD", {"v1", "episodes"}).kind,
            Router::Match::kMethodNotAllowed);
}

TEST(RateLimiter, RefillsAndRetryAfter) {
  RateLimiter rl(2, 2);
  auto t0 = RateLimiter::Clock::now();
  EXPECT_EQ(rl.Take("a", t0), 0);
  EXPECT_EQ(rl.Take("a", t0), 0);
  EXPECT_EQ(rl.Take("a", t0), 1);  // 0.5 s to the next token: rounds up
  EXPECT_EQ(rl.Take("b", t0), 0);  // other clients are independent
  EXPECT_EQ(rl.Take("a", t0 + std::chrono::milliseconds(600)), 0);
  RateLimiter slow(0.1, 1);
  EXPECT_EQ(slow.Take("a", t0), 0);
  EXPECT_EQ(slow.Take("a", t0), 10);
}

TEST(RateLimiter, TableStaysBounded) {
  RateLimiter rl(1, 5, 1600);
  auto t0 = RateLimiter::Clock::now();
  for (int i = 0; i < 100000; ++i) {
    rl.Take("10.0." + std::to_string(i), t0 + std::chrono::microseconds(i));
  }
  EXPECT_LE(rl.size(), 1600u);
  EXPECT_GT(rl.size(), 100u);
}

// 60,000 addresses at once, then quiet: once their buckets have refilled,
// the table and its hash slots shrink back (issue 12 finding 2: 4.6 MB
// were kept). The clock is injected: no sleep.
TEST(RateLimiter, IdleEntriesAreSweptAndMemoryReturned) {
  RateLimiter rl(50, 100);
  auto t0 = RateLimiter::Clock::now();
  for (int i = 0; i < 60000; ++i) {
    rl.Take("10." + std::to_string(i / 256) + "." + std::to_string(i % 256),
            t0);
  }
  EXPECT_EQ(rl.size(), 60000u);
  const size_t full = rl.bucket_count();
  EXPECT_GE(full, 60000u);
  // Refill time is 2 s; 3 s later a few hundred new clients arrive.
  const auto later = t0 + std::chrono::seconds(3);
  for (int i = 0; i < 400; ++i) rl.Take("192.0.2." + std::to_string(i), later);
  EXPECT_EQ(rl.size(), 400u);
  EXPECT_LT(rl.bucket_count(), full / 10);
  // A client still limited is not forgotten by the sweep.
  RateLimiter strict(1, 1);
  EXPECT_EQ(strict.Take("a", t0), 0);
  EXPECT_EQ(strict.Take("a", t0 + std::chrono::milliseconds(1500)), 0);
  EXPECT_EQ(strict.Take("a", t0 + std::chrono::milliseconds(1600)), 1);
}

TEST(Metrics, CountsHistogramAndExtra) {
  Metrics m;
  m.Init({"/v1/x"});
  m.Record(0, kGet, 200, std::chrono::microseconds(700));
  m.Record(0, kGet, 200, std::chrono::milliseconds(2));
  m.Record(-1, kOther, 404, std::chrono::seconds(3));
  m.Count("backaid_triage_level_total", "level=\"urgent\"", 2);
  m.Count("bad name", "", 1);
  std::string t = m.Text();
  EXPECT_NE(t.find("backaid_http_requests_total{route=\"/v1/x\",method=\"GET\","
                   "status=\"200\"} 2\n"),
            std::string::npos);
  EXPECT_NE(t.find("backaid_http_request_duration_seconds_bucket{route=\"/v1/"
                   "x\",le=\"0.0005\"} 0\n"),
            std::string::npos);
  EXPECT_NE(t.find("backaid_http_request_duration_seconds_bucket{route=\"/v1/"
                   "x\",le=\"0.001\"} 1\n"),
            std::string::npos);
  EXPECT_NE(t.find("backaid_http_request_duration_seconds_bucket{route=\"/v1/"
                   "x\",le=\"0.0025\"} 2\n"),
            std::string::npos);
  EXPECT_NE(t.find("backaid_http_request_duration_seconds_bucket{route="
                   "\"unmatched\",le=\"+Inf\"} 1\n"),
            std::string::npos);
  EXPECT_NE(t.find("# TYPE backaid_triage_level_total counter\n"
                   "backaid_triage_level_total{level=\"urgent\"} 2\n"),
            std::string::npos);
  EXPECT_EQ(t.find("bad name"), std::string::npos);
}

TEST(AccessLog, LineIsJson) {
  AccessEntry e;
  e.ts = std::chrono::system_clock::now();
  e.request_id = "00ff";
  e.client = "127.0.0.1";
  e.method = "GET";
  e.route = "/v1/episodes/{id}";
  e.status = 200;
  e.bytes_in = 10;
  e.bytes_out = 20;
  e.duration_ms = 1.5;
  std::string line = AccessLogLine(e);
  ASSERT_EQ(line.back(), '\n');
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["route"], "/v1/episodes/{id}");
  EXPECT_EQ(j["status"], 200);
  EXPECT_EQ(j["duration_ms"], 1.5);
  EXPECT_EQ(j["ts"].get<std::string>().size(), 24u);
}

TEST(RequestId, SixteenHexAndDistinct) {
  std::string a = NewRequestId(), b = NewRequestId();
  EXPECT_EQ(a.size(), 16u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, b);
}

// Issue 12, finding 5: strict request framing (RFC 9112).
using Fields = std::vector<std::pair<std::string_view, std::string_view>>;

int FramingStatus(const Fields& f, unsigned version = 11,
                  bool obs_fold = false) {
  return CheckFraming(f, version, obs_fold).status;
}

TEST(CheckFraming, AcceptsOrdinaryRequests) {
  EXPECT_EQ(FramingStatus({{"Host", "x"}}), 0);
  EXPECT_EQ(FramingStatus({{"host", "x"}, {"Content-Length", "3"}}), 0);
  EXPECT_EQ(FramingStatus({{"Host", "x"}, {"Transfer-Encoding", "chunked"}}),
            0);
  EXPECT_EQ(FramingStatus({{"Host", "x"}, {"Transfer-Encoding", " CHUNKED "}}),
            0);
  EXPECT_EQ(FramingStatus({{"Host", "x"}, {"Authorization", "Bearer a"}}), 0);
  EXPECT_EQ(FramingStatus({}, /*version=*/10), 0);  // HTTP/1.0: Host optional
}

TEST(CheckFraming, TransferEncodingWithContentLengthIs400) {
  EXPECT_EQ(FramingStatus({{"Host", "x"},
                           {"Transfer-Encoding", "chunked, identity"},
                           {"Content-Length", "10"}}),
            400);
  EXPECT_EQ(FramingStatus({{"Host", "x"},
                           {"Content-Length", "10"},
                           {"Transfer-Encoding", "chunked"}}),
            400);
}

TEST(CheckFraming, CodingsOtherThanChunkedAreRefused) {
  EXPECT_EQ(FramingStatus({{"Host", "x"}, {"Transfer-Encoding", "gzip"}}), 400);
  EXPECT_EQ(FramingStatus({{"Host", "x"}, {"Transfer-Encoding", "identity"}}),
            400);
  EXPECT_EQ(FramingStatus({{"Host", "x"}, {"Transfer-Encoding", ""}}), 400);
  EXPECT_EQ(FramingStatus(
                {{"Host", "x"}, {"Transfer-Encoding", "chunked, identity"}}),
            400);
  EXPECT_EQ(
      FramingStatus({{"Host", "x"}, {"Transfer-Encoding", "chunked, chunked"}}),
      400);
  EXPECT_EQ(FramingStatus({{"Host", "x"},
                           {"Transfer-Encoding", "chunked"},
                           {"Transfer-Encoding", "chunked"}}),
            400);
  EXPECT_EQ(
      FramingStatus({{"Host", "x"}, {"Transfer-Encoding", "gzip, chunked"}}),
      400);
  EXPECT_EQ(FramingStatus({{"Host", "x"},
                           {"Transfer-Encoding", "gzip"},
                           {"Transfer-Encoding", "chunked"}}),
            400);
}

TEST(CheckFraming, HostAuthorizationAndObsFold) {
  EXPECT_EQ(FramingStatus({}), 400);
  EXPECT_EQ(FramingStatus({{"Host", "a"}, {"HOST", "b"}}), 400);
  EXPECT_EQ(FramingStatus({{"Host", "x"},
                           {"Authorization", "Bearer a"},
                           {"authorization", "Bearer b"}}),
            400);
  EXPECT_EQ(FramingStatus({{"Host", "x"}}, 11, /*obs_fold=*/true), 400);
}

TEST(HasObsFold, FindsAContinuedLineInTheHeaderOnly) {
  EXPECT_FALSE(HasObsFold("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_TRUE(HasObsFold("GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n c\r\n\r\n"));
  EXPECT_TRUE(HasObsFold("GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n\tc\r\n\r\n"));
  // A body that starts with a space after the blank line is not a fold.
  EXPECT_FALSE(HasObsFold("POST / HTTP/1.1\r\nHost: x\r\n\r\n x\n y"));
}

}  // namespace
}  // namespace backaid::server::internal

namespace backaid::server::internal {
namespace {

// Issue 12 finding 2: behind a proxy everyone shared one bucket, and a
// client could pick its own key with a forged header.
TEST(TrustedProxies, OnlyTrustedPeersNameTheClient) {
  auto p = TrustedProxies::Parse({"10.0.0.0/8", "192.0.2.7", "fd00::/8"});
  ASSERT_TRUE(p.ok()) << p.status().message();
  // Not a trusted peer: its headers are ignored.
  EXPECT_EQ(p->ClientOf("203.0.113.9", "for=198.51.100.1", "198.51.100.2"),
            "203.0.113.9");
  // A trusted peer: the right-most untrusted hop.
  EXPECT_EQ(p->ClientOf("10.1.2.3", "", "198.51.100.2"), "198.51.100.2");
  EXPECT_EQ(p->ClientOf("10.1.2.3", "", "6.6.6.6, 198.51.100.2, 10.9.9.9"),
            "198.51.100.2");  // the left hop could be forged by the client
  EXPECT_EQ(p->ClientOf("192.0.2.7", "for=198.51.100.1;proto=https", ""),
            "198.51.100.1");
  EXPECT_EQ(p->ClientOf("10.1.2.3",
                        "for=1.1.1.1, For=\"[2001:db8::5]:4711\";by=10.0.0.1",
                        "9.9.9.9"),
            "2001:db8::5");  // Forwarded wins over X-Forwarded-For
  EXPECT_EQ(p->ClientOf("10.1.2.3", "for=198.51.100.1:8080", ""),
            "198.51.100.1");
  // A hop that is not an address: the last trusted hop, never the text.
  EXPECT_EQ(p->ClientOf("10.1.2.3", "for=unknown", ""), "10.1.2.3");
  EXPECT_EQ(p->ClientOf("10.1.2.3", "", "10.2.2.2, garbage"), "10.1.2.3");
  EXPECT_EQ(p->ClientOf("10.1.2.3", "", "198.51.100.3, 10.2.2.2"),
            "198.51.100.3");
  EXPECT_TRUE(p->Contains("fd12::1"));
  EXPECT_FALSE(p->Contains("fe80::1"));
  EXPECT_FALSE(p->Contains("11.0.0.1"));
  // Nothing configured: always the peer.
  TrustedProxies none;
  EXPECT_EQ(none.ClientOf("10.1.2.3", "", "198.51.100.2"), "10.1.2.3");
  for (const char* bad :
       {"10.0.0.0/33", "example.org", "10.0.0.0/", "::/129"}) {
    EXPECT_FALSE(TrustedProxies::Parse({bad}).ok()) << bad;
  }
}

// Issue 12 finding 3: every 429 was a log line. One a second, with the
// count of the others; the clock is injected.
TEST(RefusalSampler, OneLineASecondWithTheCount) {
  RefusalSampler s;
  const auto t0 = RefusalSampler::Clock::now();
  uint64_t left_out = 99;
  EXPECT_TRUE(s.ShouldLog(t0, &left_out));
  EXPECT_EQ(left_out, 0u);
  int logged = 0;
  for (int i = 1; i <= 10000; ++i) {
    if (s.ShouldLog(t0 + std::chrono::microseconds(i * 50), &left_out))
      ++logged;
  }
  EXPECT_EQ(logged, 0);  // 10,000 refusals in half a second: no line
  EXPECT_TRUE(s.ShouldLog(t0 + std::chrono::seconds(1), &left_out));
  EXPECT_EQ(left_out, 10000u);
  AccessEntry e;
  e.status = 429;
  e.suppressed = left_out;
  EXPECT_NE(AccessLogLine(e).find("\"suppressed\":10000"), std::string::npos);
}

TEST(AccessLogFile, RotatesBySizeAndKeepsN) {
  char tmpl[] = "/tmp/backaid-log-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string path = std::string(tmpl) + "/access.log";
  auto f = AccessLogFile::Open(path, 1000, 2);
  ASSERT_TRUE(f.ok()) << f.status().message();
  const std::string line(99, 'x');  // 100 bytes with its newline
  for (int i = 0; i < 45; ++i) (*f)->Write(line);
  EXPECT_EQ((*f)->rotations(), 4u);
  auto size = [](const std::string& p) -> long {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 ? static_cast<long>(st.st_size) : -1;
  };
  EXPECT_EQ(size(path), 500);
  EXPECT_EQ(size(path + ".1"), 1000);
  EXPECT_EQ(size(path + ".2"), 1000);
  EXPECT_EQ(size(path + ".3"), -1);  // only two kept
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  for (const char* suffix : {"", ".1", ".2"}) {
    std::remove((path + suffix).c_str());
  }
  ::rmdir(tmpl);
}

}  // namespace
}  // namespace backaid::server::internal

namespace backaid::server {
namespace {

TEST(FailureBudget, BoundsRefusedAttemptsPerKeyOverallAndInMemory) {
  FailureBudget b(/*per_key=*/3, /*overall=*/5, /*window_ms=*/1000,
                  /*max_keys=*/4);
  int64_t t = 1'000'000;
  EXPECT_TRUE(b.Allow("a", t));
  EXPECT_TRUE(b.Allow("a", t));
  EXPECT_TRUE(b.Allow("a", t));
  EXPECT_FALSE(b.Allow("a", t));  // per key
  EXPECT_TRUE(b.Allow("b", t));
  EXPECT_TRUE(b.Allow("c", t));
  EXPECT_FALSE(b.Allow("d", t));  // overall
  t += 1000;                      // a new window
  EXPECT_TRUE(b.Allow("a", t));
  for (int i = 0; i < 100; ++i) b.Allow("k" + std::to_string(i), t + 1);
  EXPECT_LE(b.tracked_keys(), 4u);  // memory bounded
  t += 5000;
  EXPECT_TRUE(b.Allow("new", t));  // ended windows make room
  EXPECT_LE(b.tracked_keys(), 4u);
}

}  // namespace
}  // namespace backaid::server
