#include "backaid/batch.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "backaid/knowledge_base.h"

namespace backaid {
namespace {

// Runs TriageStream over `input` through temporary files.
std::string RunBatch(const std::string& input, int threads,
                     BatchStats* stats = nullptr) {
  auto kb = LoadEmbeddedKnowledgeBase();
  EXPECT_TRUE(kb.ok());
  FILE* in = std::tmpfile();
  FILE* out = std::tmpfile();
  std::fwrite(input.data(), 1, input.size(), in);
  std::fflush(in);
  std::rewind(in);
  BatchOptions options;
  options.threads = threads;
  auto result = TriageStream(**kb, fileno(in), fileno(out), options);
  EXPECT_TRUE(result.ok()) << result.status().message();
  if (stats && result.ok()) *stats = *result;
  std::rewind(out);
  std::string text;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, out)) > 0) text.append(buf, n);
  std::fclose(in);
  std::fclose(out);
  return text;
}

std::vector<std::string> RawLines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) out.push_back(line);
  return out;
}

// The expected start of a result line (cheaper than parsing every line).
std::string Prefix(int i, bool emergency) {
  return fmt::format(R"({{"id":"c{}","triage":"{}",)", i,
                     emergency ? "emergency" : "self_care");
}

std::vector<nlohmann::json> Lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) out.push_back(nlohmann::json::parse(line));
  return out;
}

std::string CaseLine(int i, bool emergency) {
  return fmt::format(
      R"({{"id":"c{}","age":40,"findings":{{"bladder_dysfunction":{},)"
      R"("bowel_dysfunction":false,"saddle_numbness":false,)"
      R"("leg_weakness":"none","pain_score":5}}}})",
      i, emergency ? "true" : "false");
}

TEST(Batch, OrderPreservedAcrossThreads) {
  std::string input;
  for (int i = 0; i < 20000; ++i) input += CaseLine(i, i % 7 == 0) + "\n";
  for (int threads : {1, 2, 5}) {
    BatchStats stats;
    auto lines = RawLines(RunBatch(input, threads, &stats));
    ASSERT_EQ(lines.size(), 20000u) << threads;
    EXPECT_EQ(stats.cases, 20000u);
    EXPECT_EQ(stats.errors, 0u);
    for (int i = 0; i < 20000; ++i) {
      ASSERT_EQ(lines[i].rfind(Prefix(i, i % 7 == 0), 0), 0u) << lines[i];
    }
    EXPECT_NO_THROW(nlohmann::json::parse(lines[0]));
  }
}

TEST(Batch, BadLinesAnsweredInPlace) {
  const std::string input = CaseLine(1, false) + "\n" +
                            R"({"id":"bad","findings":{"pain_score":12}})" +
                            "\n\n   \n{not json\r\n" + CaseLine(2, true);
  BatchStats stats;
  auto lines = Lines(RunBatch(input, 2, &stats));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0]["triage"], "self_care");
  EXPECT_EQ(lines[1]["id"], "bad");
  EXPECT_EQ(lines[1]["error"],
            "line 2: findings.pain_score: 12 is out of range 0..10");
  EXPECT_TRUE(lines[2]["id"].is_null());
  EXPECT_NE(lines[2]["error"].get<std::string>().find("line 5:"),
            std::string::npos);
  EXPECT_EQ(lines[3]["triage"], "emergency") << "last line without newline";
  EXPECT_EQ(stats.cases, 4u);
  EXPECT_EQ(stats.errors, 2u);
}

TEST(Batch, OverLongLineIsAnErrorAndTheRestRuns) {
  std::string huge = R"({"id":"huge","narrative":")" +
                     std::string(3 << 20, 'x') + R"(","findings":{}})";
  const std::string input = huge + "\n" + CaseLine(1, true) + "\n";
  auto lines = Lines(RunBatch(input, 2));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0]["error"].get<std::string>().find("longer than"),
            std::string::npos);
  EXPECT_EQ(lines[1]["triage"], "emergency");
}

TEST(Batch, CrossesBlockBoundaries) {
  // More than one 8 MiB block of input, so lines straddle reads.
  std::string input;
  int n = 0;
  while (input.size() < (20u << 20)) {
    input += CaseLine(n, n % 3 == 0) + "\n";
    ++n;
  }
  auto lines = RawLines(RunBatch(input, 2));
  ASSERT_EQ(lines.size(), static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    ASSERT_EQ(lines[i].rfind(Prefix(i, i % 3 == 0), 0), 0u) << lines[i];
  }
}

// The workers take 128-line chunks in turn and write each when the chunks
// before it are written: with many more chunks than workers, results of
// different lengths (complete and sparse cases, errors) and any number of
// threads, the output is the same bytes in input order.
TEST(Batch, ChunksInOrderWithManyThreads) {
  std::string input;
  for (int i = 0; i < 3000; ++i) {
    if (i % 11 == 0) {
      input +=
          fmt::format(R"({{"id":"s{}","findings":{{"pain_score":4}}}})", i);
    } else if (i % 97 == 0) {
      input += "{broken";
    } else {
      input += CaseLine(i, i % 5 == 0);
    }
    input += "\n";
  }
  const std::string one = RunBatch(input, 1);
  const auto lines = RawLines(one);
  ASSERT_EQ(lines.size(), 3000u);
  EXPECT_EQ(lines[11].rfind(R"({"id":"s11","triage":)", 0), 0u) << lines[11];
  EXPECT_EQ(lines[2999].rfind(Prefix(2999, false), 0), 0u) << lines[2999];
  for (int threads : {2, 3, 8}) {
    EXPECT_EQ(RunBatch(input, threads), one) << threads << " threads";
  }
}

// A write that fails is the call's error (not a short output with success).
TEST(Batch, WriteErrorIsReturned) {
  auto kb = LoadEmbeddedKnowledgeBase();
  ASSERT_TRUE(kb.ok());
  std::string input;
  for (int i = 0; i < 1000; ++i) input += CaseLine(i, false) + "\n";
  FILE* in = std::tmpfile();
  std::fwrite(input.data(), 1, input.size(), in);
  std::fflush(in);
  std::rewind(in);
  const int out = ::open("/dev/null", O_RDONLY);  // writes fail: EBADF
  ASSERT_GE(out, 0);
  BatchOptions options;
  options.threads = 2;
  auto result = TriageStream(**kb, fileno(in), out, options);
  ::close(out);
  std::fclose(in);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kIoError);
  EXPECT_NE(result.status().message().find("write failed"), std::string::npos)
      << result.status().message();
}

}  // namespace

}  // namespace backaid
