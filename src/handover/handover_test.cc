#include "backaid/handover.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "backaid/diary.h"
#include "backaid/knowledge_base.h"

namespace backaid {
namespace {

// 2026-11-21T14:02:00Z; Europe/London is UTC in November.
constexpr int64_t kStart = 1795269720000;
constexpr int64_t kDay = 24 * 3600 * 1000;

class HandoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto kb = LoadEmbeddedKnowledgeBase();
    ASSERT_TRUE(kb.ok()) << kb.status().message();
    kb_ = *kb;
    auto start = ParseEpisodeStart(
        *kb_,
        R"({"findings":{"pain_score":6,"onset_days":1,"onset_with_movement":true,)"
        R"("bladder_dysfunction":false,"bowel_dysfunction":false,"saddle_numbness":false,)"
        R"("leg_weakness":"none"},"time_zone":"Europe/London","region":"uk"})",
        kStart);
    ASSERT_TRUE(start.ok()) << start.status().message();
    start_ = *start;
    auto e1 = ParseDiaryEntry(
        *kb_,
        R"({"pain":4,"done":["ice","walk"],"findings":{"fever":false},)"
        R"("note":"Schmerz beim Bücken — ça va ✓"})",
        kStart + kDay + 3600 * 1000);  // 15:02 the next day
    ASSERT_TRUE(e1.ok()) << e1.status().message();
    entries_.push_back(*e1);
  }

  std::string Meaning(const char* key) {
    return kb_->findings()[*kb_->FindFinding(key)].meaning;
  }

  std::shared_ptr<const KnowledgeBase> kb_;
  EpisodeStart start_;
  std::vector<DiaryEntry> entries_;
};

TEST_F(HandoverTest, PertinentNegativesAreRedFlagsAnsweredNoWithTheirTime) {
  const auto n = PertinentNegatives(*kb_, start_, entries_);
  auto at = [&](const char* key) -> int64_t {
    for (const auto& p : n) {
      if (p.finding == *kb_->FindFinding(key)) return p.at_ms;
    }
    return -1;
  };
  EXPECT_EQ(at("bladder_dysfunction"), kStart);
  EXPECT_EQ(at("saddle_numbness"), kStart);
  EXPECT_EQ(at("fever"), kStart + kDay + 3600 * 1000);
  // Not red flags, or not answered: never negatives.
  EXPECT_EQ(at("onset_with_movement"), -1);
  EXPECT_EQ(at("significant_trauma"), -1);
}

TEST_F(HandoverTest, WritesAPdfWhoseTextReadsBack) {
  const int64_t now = kStart + 2 * kDay;
  auto review = ReviewEpisode(*kb_, start_, entries_, now);
  ASSERT_TRUE(review.ok()) << review.status().message();
  auto pdf = HandoverPdf(*kb_, start_, entries_, *review, now);
  ASSERT_TRUE(pdf.ok()) << pdf.status().message();
  ASSERT_GT(pdf->size(), 1000u);
  EXPECT_EQ(pdf->substr(0, 5), "%PDF-");
  EXPECT_NE(pdf->find("%%EOF", pdf->size() - 16), std::string::npos);

  // Parse the text back with poppler's pdftotext (scripts/install-deps).
  const auto dir = std::filesystem::temp_directory_path() /
                   ("backaid-handover-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto in = dir / "summary.pdf";
  const auto out = dir / "summary.txt";
  std::ofstream(in, std::ios::binary) << *pdf;
  const std::string cmd =
      "pdftotext -enc UTF-8 -raw '" + in.string() + "' '" + out.string() + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream f(out);
  std::string text((std::istreambuf_iterator<char>(f)), {});
  std::filesystem::remove_all(dir);
  // pdftotext -raw keeps each wrapped line; join lines before matching.
  std::string joined;
  for (char c : text) joined += (c == '\n') ? ' ' : c;

  EXPECT_NE(joined.find("backaid handover summary"), std::string::npos);
  EXPECT_NE(joined.find("not a diagnosis"), std::string::npos);
  EXPECT_NE(joined.find("No " + Meaning("bladder_dysfunction") +
                        " reported, 14:02, 2026-11-21"),
            std::string::npos)
      << joined;
  EXPECT_NE(joined.find("No " + Meaning("fever") +
                        " reported, 15:02, "
                        "2026-11-22"),
            std::string::npos);
  EXPECT_NE(
      joined.find("Level now: " + std::string(LevelName(review->result.level))),
      std::string::npos);
  EXPECT_NE(joined.find("Schmerz beim Bücken — ça va ✓"), std::string::npos);
  EXPECT_NE(joined.find("Pain (0-10): first 6, last 4"), std::string::npos);
}

}  // namespace
}  // namespace backaid
