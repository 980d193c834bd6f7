#include "src/server/http_util.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

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
  HttpResponse r = Problem(404, "not-found", "Not found",
                           "no \"x\" here \xFF", "0123456789abcdef");
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
