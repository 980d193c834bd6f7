#include "backaid/handover.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "backaid/diary.h"
#include "backaid/knowledge_base.h"
#include "src/handover/handover_model.h"

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

// The PDF's text by poppler's pdftotext (scripts/install-deps), lines
// joined by spaces; `pages` gets the page count (form feeds).
std::string PdfText(const std::string& pdf, int* pages = nullptr,
                    std::string* first_page = nullptr) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("backaid-handover-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto in = dir / "summary.pdf";
  const auto out = dir / "summary.txt";
  std::ofstream(in, std::ios::binary) << pdf;
  const std::string cmd =
      "pdftotext -enc UTF-8 -raw '" + in.string() + "' '" + out.string() + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream f(out);
  std::string text((std::istreambuf_iterator<char>(f)), {});
  std::filesystem::remove_all(dir);
  std::string joined;
  int ff = 0;
  for (char c : text) {
    if (c == '\f' && ++ff == 1 && first_page != nullptr) *first_page = joined;
    joined += (c == '\n' || c == '\f') ? ' ' : c;
  }
  if (pages != nullptr) *pages = ff;
  return joined;
}

// Pages by poppler's pdfinfo ("Pages:  N"); -1 if it cannot be read.
int PdfInfoPages(const std::string& pdf) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("backaid-pdfinfo-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto in = dir / "summary.pdf";
  const auto out = dir / "info.txt";
  std::ofstream(in, std::ios::binary) << pdf;
  const std::string cmd =
      "pdfinfo '" + in.string() + "' > '" + out.string() + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream f(out);
  std::string line;
  int pages = -1;
  while (std::getline(f, line))
    if (line.rfind("Pages:", 0) == 0) pages = std::atoi(line.c_str() + 6);
  std::filesystem::remove_all(dir);
  return pages;
}

// A plain spasm in a man, answered question by question as the web page
// sends it (every checklist "none", heel and toe walking normal).
constexpr char kPlainAnswers[] =
    R"({"answers":{"age":35,"sex":"male","emergency_signs":["none"],)"
    R"("onset_days":1,"nerve_signs":["none"],"illness_signs":["none"],)"
    R"("health_history":["none"],"pain_score":4,"pain_pattern":["none"],)"
    R"("range_of_motion":"some","walking":"painful",)"
    R"("heel_toe_walk":["none"],"leg_symptoms":["none"],)"
    R"("how_started":"movement","course":"same",)"
    R"("self_care_days":1,"before":"no","medicine_safety":["none"],)"
    R"("look_alikes":["none"],"lying_down":"yes"},)"
    R"("time_zone":"Europe/London","region":"uk"})";

class PlainCaseTest : public HandoverTest {
 protected:
  void SetUp() override {
    HandoverTest::SetUp();
    auto start = ParseEpisodeStart(*kb_, kPlainAnswers, kStart);
    ASSERT_TRUE(start.ok()) << start.status().message();
    plain_ = *start;
    auto review = ReviewEpisode(*kb_, plain_, {}, kStart + 3600 * 1000);
    ASSERT_TRUE(review.ok()) << review.status().message();
    review_ = *review;
    auto pdf = HandoverPdf(*kb_, plain_, {}, review_, kStart + 3600 * 1000);
    ASSERT_TRUE(pdf.ok()) << pdf.status().message();
    text_ = PdfText(*pdf, &pages_, &first_page_);
    info_pages_ = PdfInfoPages(*pdf);
    // To look at it: BACKAID_HANDOVER_OUT=plain.pdf backaid_tests ...
    if (const char* out = std::getenv("BACKAID_HANDOVER_OUT"))
      std::ofstream(out, std::ios::binary) << *pdf;
  }
  EpisodeStart plain_;
  EpisodeReview review_;
  std::string text_;
  std::string first_page_;
  int pages_ = 0;
  int info_pages_ = 0;
};

// An episode stored before questions were merged keeps its answers under
// the old ids: what they asked still counts as asked (questions.yaml
// `retired`).
TEST_F(PlainCaseTest, AnswersUnderRetiredIdsStillCountAsAsked) {
  const FindingId heel = *kb_->FindFinding("heel_walk");
  EpisodeStart old = plain_;
  old.answers = {{"age", Reply::Number(35)},
                 {"heel_walk", Reply::Option("normal")}};
  EXPECT_NE(old.initial.values[heel], kUnknown);
  EXPECT_TRUE(handover::AskedFindings(*kb_, old)[heel]);
  // An id that was never a question asks nothing.
  old.answers = {{"age", Reply::Number(35)},
                 {"no_such_question", Reply::Option("no")}};
  EXPECT_FALSE(handover::AskedFindings(*kb_, old)[heel]);
}

// Issue 14: only what was asked and answered. A normal heel walk is not
// "No walking ... reported"; a man is not told anything about pregnancy
// (his answer "male" implies "not pregnant", it was not asked).
// Said plainly once (issue 14): the summary says once that it is not a
// diagnosis, and names services in the episode's region's words.
TEST_F(PlainCaseTest, SaysOnceThatItIsNotADiagnosis) {
  std::string flat;
  for (char ch : text_) {
    const bool space = ch == ' ' || ch == '\n' || ch == '\t' || ch == '\f';
    if (space && (flat.empty() || flat.back() == ' ')) continue;
    flat.push_back(space ? ' ' : ch);
  }
  size_t n = 0;
  for (size_t at = flat.find("not a diagnosis"); at != std::string::npos;
       at = flat.find("not a diagnosis", at + 1))
    ++n;
  EXPECT_EQ(n, 1u) << flat;
  EXPECT_EQ(flat.find('{'), std::string::npos) << flat;
}

TEST_F(PlainCaseTest, StatesOnlyWhatWasAskedAndAnswered) {
  const std::vector<bool> asked = handover::AskedFindings(*kb_, plain_);
  EXPECT_TRUE(asked[*kb_->FindFinding("heel_walk")]);
  EXPECT_TRUE(asked[*kb_->FindFinding("bladder_dysfunction")]);
  EXPECT_FALSE(asked[*kb_->FindFinding("pregnant")]);
  EXPECT_FALSE(asked[*kb_->FindFinding("vaginal_bleeding")]);
  EXPECT_EQ(text_.find("No " + Meaning("heel_walk")), std::string::npos)
      << text_;
  EXPECT_NE(text_.find(Meaning("heel_walk") + ": normal"), std::string::npos)
      << text_;
  EXPECT_EQ(text_.find("regnan"), std::string::npos) << text_;
  EXPECT_EQ(text_.find(Meaning("vaginal_bleeding")), std::string::npos);
}

// Grammatical negatives, grouped, with one time for the assessment.
TEST_F(PlainCaseTest, NegativesAreGroupedWithOneTime) {
  EXPECT_NE(text_.find("Answered no at the assessment (14:02, 2026-11-21):"),
            std::string::npos)
      << text_;
  // One line for the infection signs: "Feels feverish ...; chills, ...".
  std::string fever = Meaning("fever");
  fever[0] = static_cast<char>(std::toupper(fever[0]));
  EXPECT_NE(text_.find(fever + "; " + Meaning("chills_or_rigors")),
            std::string::npos)
      << text_;
  EXPECT_EQ(text_.find(" reported, 14:02"), std::string::npos) << text_;
  // The assessment time appears in the header and once for the negatives.
  size_t times = 0;
  for (size_t at = text_.find("14:02, 2026-11-21"); at != std::string::npos;
       at = text_.find("14:02, 2026-11-21", at + 1))
    ++times;
  EXPECT_EQ(times, 2u) << text_;
}

// Level names as words (regions.yaml headlines), never the id.
TEST_F(PlainCaseTest, LevelIsNamedInWords) {
  ASSERT_EQ(review_.result.level, TriageLevel::kSelfCare);
  EXPECT_NE(text_.find("Self-care: you can look after this at home"),
            std::string::npos)
      << text_;
  EXPECT_EQ(text_.find("self_care"), std::string::npos) << text_;
}

// The safety net keeps its list; a clinician reads a plain case on one
// page (issue 14: it was 3 pages).
TEST_F(PlainCaseTest, SafetyNetKeepsItsBulletsAndFitsOnePage) {
  int steps = 0;
  for (const PlanItem& i : review_.plan.items) {
    if (i.section != PlanSection::kSafetyNet) continue;
    // Every warning sign, each with its own dash, in the PDF's text.
    for (const std::string& step : i.steps) {
      ++steps;
      EXPECT_NE(text_.find("– " + step), std::string::npos) << step << "\n"
                                                            << text_;
    }
  }
  ASSERT_GT(steps, 0);
  auto doc = handover::HandoverDocument(*kb_, plain_, {}, review_, kStart);
  int subs = 0;
  for (const auto& b : doc.blocks)
    if (b.kind == handover::BlockKind::kSubBullet) ++subs;
  EXPECT_EQ(subs, steps);
  for (const char* h : {"Level now", "Red flags reported",
                        "Pertinent negatives", "Red flags not assessed",
                        "Reasons", "Other answers", "Plan given to the person"})
    EXPECT_NE(first_page_.find(h), std::string::npos) << h << "\n" << text_;
  EXPECT_EQ(pages_, 1) << text_;
  EXPECT_EQ(info_pages_, 1);
}

// The self-care plan is the person's; the handover points to it in one line
// instead of repeating it (its safety net is kept in full).
TEST_F(PlainCaseTest, SelfCarePlanIsAPointerNotACopy) {
  size_t self_care = 0, titles_shown = 0;
  for (const PlanItem& i : review_.plan.items) {
    if (i.section == PlanSection::kSafetyNet) continue;
    ++self_care;
    if (text_.find(i.title) != std::string::npos) ++titles_shown;
  }
  ASSERT_GT(self_care, 3u);
  EXPECT_EQ(titles_shown, 0u) << text_;
  EXPECT_NE(text_.find("Self-care plan: " + std::to_string(self_care) +
                       " items, given to the person in full"),
            std::string::npos)
      << text_;
}

// The pertinent negatives are one paragraph: one sentence per finding
// group after "Answered no at the assessment (time):", no bullet each.
TEST_F(PlainCaseTest, NegativesAreOneParagraph) {
  auto doc = handover::HandoverDocument(*kb_, plain_, {}, review_, kStart);
  int paragraphs = 0;
  for (const auto& b : doc.blocks) {
    if (b.text.rfind("Answered no at the assessment", 0) == 0) {
      ++paragraphs;
      EXPECT_EQ(b.kind, handover::BlockKind::kPara);
      EXPECT_NE(b.text.find(Meaning("bladder_dysfunction")), std::string::npos);
    }
  }
  EXPECT_EQ(paragraphs, 1);
}

// Cauda equina with a history (cancer, long-term steroids) and a diary of
// four entries: everything a clinician needs first is on page 1, the
// safety net keeps its bullets, and it stays short (it was 4 pages).
TEST_F(HandoverTest, ComplexCaseLeadsWithTheRedFlags) {
  auto start = ParseEpisodeStart(
      *kb_,
      R"({"findings":{"pain_score":7,"onset_days":4,"onset_with_movement":true,)"
      R"("bladder_dysfunction":true,"saddle_numbness":true,)"
      R"("bowel_dysfunction":false,"leg_weakness":"none",)"
      R"("history_of_cancer":true,"long_term_steroids":true,"fever":false,)"
      R"("unexplained_weight_loss":false},)"
      R"("time_zone":"Europe/London","region":"uk"})",
      kStart);
  ASSERT_TRUE(start.ok()) << start.status().message();
  std::vector<DiaryEntry> entries;
  const char* bodies[] = {
      R"({"pain":6,"done":["walk"],"note":"stiff in the morning"})",
      R"({"pain":7,"findings":{"fever":false},"note":"worse after sitting"})",
      R"({"pain":8,"note":"numb when wiping, hard to pee"})",
      R"({"pain":8,"done":["ice"],"note":"called 111"})"};
  int64_t at = kStart;
  for (const char* body : bodies) {
    at += kDay / 2;
    auto e = ParseDiaryEntry(*kb_, body, at);
    ASSERT_TRUE(e.ok()) << e.status().message();
    entries.push_back(*e);
  }
  const int64_t now = at + 3600 * 1000;
  auto review = ReviewEpisode(*kb_, *start, entries, now);
  ASSERT_TRUE(review.ok()) << review.status().message();
  ASSERT_EQ(review->result.level, TriageLevel::kEmergency);
  auto pdf = HandoverPdf(*kb_, *start, entries, *review, now);
  ASSERT_TRUE(pdf.ok()) << pdf.status().message();
  int pages = 0;
  std::string first;
  const std::string text = PdfText(*pdf, &pages, &first);
  if (const char* out = std::getenv("BACKAID_HANDOVER_COMPLEX_OUT"))
    std::ofstream(out, std::ios::binary) << *pdf;
  for (const char* key :
       {"bladder_dysfunction", "saddle_numbness", "history_of_cancer"}) {
    std::string m = Meaning(key);
    m[0] = static_cast<char>(std::toupper(m[0]));
    EXPECT_NE(first.find(m), std::string::npos) << key << "\n" << text;
  }
  EXPECT_NE(first.find("Reasons"), std::string::npos) << text;
  for (const PlanItem& i : review->plan.items) {
    if (i.section != PlanSection::kSafetyNet) continue;
    for (const std::string& step : i.steps) {
      EXPECT_NE(text.find("– " + step), std::string::npos) << step;
    }
  }
  EXPECT_NE(text.find("numb when wiping, hard to pee"), std::string::npos);
  EXPECT_LE(pages, 2) << text;
  EXPECT_EQ(PdfInfoPages(*pdf), pages);
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

  const std::string joined = PdfText(*pdf);
  EXPECT_NE(joined.find("backaid handover summary"), std::string::npos);
  EXPECT_NE(joined.find("not a diagnosis"), std::string::npos);
  EXPECT_NE(joined.find(Meaning("bladder_dysfunction")), std::string::npos)
      << joined;
  EXPECT_NE(joined.find("Answered no in the diary, 15:02, 2026-11-22: " +
                        Meaning("fever")),
            std::string::npos)
      << joined;
  EXPECT_NE(joined.find("Level now"), std::string::npos);
  EXPECT_NE(joined.find("Schmerz beim Bücken — ça va ✓"), std::string::npos);
  EXPECT_NE(joined.find("Pain (0-10): first 6, last 4"), std::string::npos);
}

}  // namespace
}  // namespace backaid
