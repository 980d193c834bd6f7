// The handover PDF: the summary's text, chosen from the knowledge base and
// the episode, as a PdfDocument (headings, paragraphs, bullets, a pain
// chart). The PDF module (backaid_pdf.so, pdf_render.cc) lays it out with
// Pango and cairo; it is loaded on first use (src/loadable/loadable.h).
#include "backaid/handover.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "backaid/calendar.h"
#include "backaid/engine.h"
#include "backaid/plan.h"
#include "backaid/report.h"
#include "src/assess/asked.h"
#include "src/assess/questionnaire_model.h"
#include "src/diary/diary_model.h"
#include "src/handover/handover_model.h"
#include "src/handover/pdf_document.h"
#include "src/loadable/loadable.h"

namespace backaid {
namespace {

// "14:02, 2026-11-21" in the episode's time zone ("... UTC" if the zone is
// unknown, which ParseEpisodeStart does not allow).
std::string When(int64_t ms, const std::string& tz) {
  auto local = LocalTimeIn(ms / 1000, tz);
  if (local.ok() && local->size() >= 16) {
    return fmt::format("{}, {}", local->substr(11, 5), local->substr(0, 10));
  }
  const std::string utc = FormatUtc(ms);  // YYYY-MM-DDTHH:MM:SSZ
  return fmt::format("{}, {} UTC", utc.substr(11, 5), utc.substr(0, 10));
}

// Values as a clinician reads them: yes/no for yes/no findings, the
// knowledge base's own rendering otherwise.
std::string ValueText(const FindingDef& f, int32_t v) {
  if (f.type == FindingType::kBool) return v != 0 ? "yes" : "no";
  return FindingValueText(f, v);
}

std::string SourceNames(const KnowledgeBase& kb,
                        const std::vector<uint16_t>& ids) {
  std::string s;
  for (uint16_t i : ids) {
    if (!s.empty()) s += "; ";
    // The short citation a clinician knows ("NICE NG59"), the title when
    // a source has none.
    const SourceDef& src = kb.sources()[i];
    s += src.cite.empty() ? src.title : src.cite;
  }
  return s;
}

// The level in words, as the person was told it (regions.yaml headlines:
// "Self-care: you can look after this at home"); the id if there are none.
std::string LevelWords(const KnowledgeBase& kb, TriageLevel level,
                       const std::string& region) {
  return LevelHeadline(kb, level, region);
}

std::string Capitalized(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = s[0] - 'a' + 'A';
  return s;
}

// Whether "no <meaning>" says a finding at its normal value: yes/no
// findings and scales whose normal value is "none" ("no new weakness in
// the leg(s)"); not a self-check whose normal is "normal" (heel walking).
bool SaidAsNo(const FindingDef& f) {
  if (!f.normal) return false;
  if (f.type == FindingType::kBool) return *f.normal == 0;
  return f.type == FindingType::kEnum &&
         static_cast<size_t>(*f.normal) < f.values.size() &&
         f.values[*f.normal] == "none";
}

// Joins "a; b; c".
std::string Joined(const std::vector<std::string>& parts,
                   std::string_view sep = "; ") {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

// Collects the summary's blocks; the PDF module lays them out.
class Flow {
 public:
  explicit Flow(handover::PdfDocument* doc) : doc_(doc) {}
  void Title(std::string text) { Add(handover::BlockKind::kTitle, text); }
  void Heading(std::string text) { Add(handover::BlockKind::kHeading, text); }
  void Para(std::string text, std::string font = "") {
    Add(handover::BlockKind::kPara, std::move(text), std::move(font));
  }
  void Bullet(std::string text, std::string font = "") {
    Add(handover::BlockKind::kBullet, std::move(text), std::move(font));
  }
  void SubBullet(std::string text, int columns = 1) {
    Add(handover::BlockKind::kSubBullet, std::move(text));
    doc_->blocks.back().columns = columns;
  }
  void Chart(const PainTrend& t) {
    handover::Block b;
    b.kind = handover::BlockKind::kChart;
    for (const PainPoint& p : t.points)
      b.chart.points.push_back({p.at_ms, p.pain});
    b.chart.meaningful_change = t.meaningful_change;
    b.chart.change_label =
        fmt::format("real improvement (−{})", t.meaningful_change);
    doc_->blocks.push_back(std::move(b));
  }
  void Finish() {}

 private:
  void Add(handover::BlockKind kind, std::string text, std::string font = "") {
    handover::Block b;
    b.kind = kind;
    b.text = std::move(text);
    b.font = std::move(font);
    doc_->blocks.push_back(std::move(b));
  }
  handover::PdfDocument* doc_;
};

}  // namespace

namespace handover {

std::vector<bool> AskedFindings(const KnowledgeBase& kb,
                                const EpisodeStart& start) {
  const size_t n = kb.findings().size();
  std::vector<bool> asked(n, false);
  const assess::Questionnaire* model = assess::QuestionnaireOf(kb);
  if (start.answers.empty() || model == nullptr) {
    // Findings given directly (the API's "findings"): each was stated.
    for (size_t f = 0; f < n && f < start.initial.values.size(); ++f)
      asked[f] = start.initial.values[f] != kUnknown;
    return asked;
  }
  for (const auto& [id, reply] : start.answers) {
    auto it = model->index.find(id);
    if (it == model->index.end()) {
      // A question since merged into others: what it asked, as recorded.
      if (auto r = model->retired.find(id); r != model->retired.end())
        for (FindingId f : r->second.findings)
          if (f < n) asked[f] = true;
      continue;
    }
    const std::vector<bool> by_q =
        assess::FindingsAsked(model->questions[it->second], n);
    for (size_t f = 0; f < n; ++f)
      if (by_q[f]) asked[f] = true;
  }
  // Only what the answers left known.
  for (size_t f = 0; f < n && f < start.initial.values.size(); ++f)
    if (start.initial.values[f] == kUnknown) asked[f] = false;
  return asked;
}

}  // namespace handover

std::vector<PertinentNegative> PertinentNegatives(
    const KnowledgeBase& kb, const EpisodeStart& start,
    const std::vector<DiaryEntry>& entries) {
  std::vector<PertinentNegative> out;
  const auto& defs = kb.findings();
  const std::vector<bool> asked = handover::AskedFindings(kb, start);
  auto negative = [&](FindingId f, int32_t v) {
    return f < defs.size() && defs[f].red_flag && v != kUnknown &&
           defs[f].normal.has_value() && v == *defs[f].normal &&
           SaidAsNo(defs[f]);
  };
  for (size_t f = 0; f < defs.size() && f < start.initial.values.size(); ++f) {
    const auto id = static_cast<FindingId>(f);
    if (asked[f] && negative(id, start.initial.values[f])) {
      out.push_back({id, start.started_at_ms});
    }
  }
  for (const DiaryEntry& e : entries) {
    for (const auto& [f, v] : e.findings) {
      if (negative(f, v)) out.push_back({f, e.at_ms});
    }
  }
  return out;
}

namespace handover {

PdfDocument HandoverDocument(const KnowledgeBase& kb, const EpisodeStart& start,
                             const std::vector<DiaryEntry>& entries,
                             const EpisodeReview& review, int64_t now_ms) {
  PdfDocument doc;
  doc.title = "backaid handover summary";
  doc.creator = "backaid";
  Flow f(&doc);
  const std::string& tz = start.time_zone;
  const auto& defs = kb.findings();
  const TriageResult& r = review.result;
  const std::vector<bool> asked = AskedFindings(kb, start);
  std::vector<bool> shown(defs.size(), false);

  f.Title("backaid handover summary");
  f.Para(
      "For the doctor or physiotherapist. backaid gives information and "
      "triage, not a diagnosis; the person has not been examined. "
      "Only what the person was asked and answered is stated; unanswered "
      "questions are never taken as \"no\".",
      "Sans Italic 7.5");
  f.Para(fmt::format("Episode started {} ({}). Summary made {}. {} diary "
                     "entr{}. Knowledge base {}.",
                     When(start.started_at_ms, tz), tz, When(now_ms, tz),
                     entries.size(), entries.size() == 1 ? "y" : "ies",
                     kb.version()),
         "Sans 7.5");

  f.Heading("Level now");
  f.Para(LevelWords(kb, r.level, start.region), "Sans Bold 10");
  f.Para(kb.level(r.level).meaning);
  if (review.escalated) {
    f.Para(fmt::format("Raised from \"{}\" by the last diary entry.",
                       LevelWords(kb, review.previous_level, start.region)),
           "Sans Bold 8.5");
  }
  for (size_t i = 0; i < kb.services().size(); ++i) {
    if (r.see & (1u << i)) f.Bullet("See: " + kb.services()[i].name);
  }
  for (size_t i = 0; i < kb.conditions().size(); ++i) {
    if (r.conditions & (1u << i)) {
      f.Bullet("To be checked for (not diagnosed): " + kb.conditions()[i].name);
    }
  }

  f.Heading("Red flags reported");
  bool any_flag = false;
  for (size_t i = 0; i < defs.size(); ++i) {
    if (r.red_flags.test(i)) {
      f.Bullet(Capitalized(defs[i].meaning));
      shown[i] = true;
      any_flag = true;
    }
  }
  for (const DiaryEntry& e : entries) {
    for (const auto& [id, v] : e.findings) {
      // A red flag answered abnormal, by the knowledge base's one rule
      // (KnowledgeBase::IsAbnormal, as in SetFinding).
      if (id < defs.size() && defs[id].red_flag && kb.IsAbnormal(id, v)) {
        const std::string value = defs[id].type == FindingType::kBool
                                      ? ""
                                      : ": " + ValueText(defs[id], v);
        f.Bullet(fmt::format("{}{} (diary, {})", Capitalized(defs[id].meaning),
                             value, When(e.at_ms, tz)));
        any_flag = true;
      }
    }
  }
  if (!any_flag) f.Para("None.");

  f.Heading("Reasons");
  for (uint16_t rule : r.fired) {
    const RuleDef& rd = kb.rules()[rule];
    f.Bullet(fmt::format("{} ({}; sources: {})", rd.reason,
                         LevelWords(kb, rd.level, start.region),
                         SourceNames(kb, rd.sources)),
             "Sans 7.5");
  }
  for (const std::string& d : review.derived) f.Bullet("From the diary: " + d);

  // Said also when empty: a clinician reads "none" as a complete screen,
  // an absent heading as nothing.
  f.Heading("Red flags not assessed");
  if (r.not_assessed.any()) {
    std::vector<std::string> meanings;
    for (size_t i = 0; i < defs.size(); ++i)
      if (r.not_assessed.test(i)) meanings.push_back(defs[i].meaning);
    f.Para(Capitalized(Joined(meanings)) + ".", "Sans 7.5");
  } else {
    f.Para("None: every warning sign that could change the level was asked.",
           "Sans 7.5");
  }

  // Pertinent negatives, grouped: one line per finding group for the
  // assessment (one time for all), one line per diary entry.
  f.Heading("Pertinent negatives");
  const auto negatives = PertinentNegatives(kb, start, entries);
  if (negatives.empty()) f.Para("None recorded.");
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  std::vector<std::pair<int64_t, std::vector<std::string>>> diary;
  for (const PertinentNegative& n : negatives) {
    const FindingDef& def = defs[n.finding];
    if (n.at_ms == start.started_at_ms) {
      shown[n.finding] = true;
      auto g = std::find_if(groups.begin(), groups.end(), [&](const auto& p) {
        return p.first == def.group;
      });
      if (g == groups.end()) {
        groups.push_back({def.group, {}});
        g = groups.end() - 1;
      }
      g->second.push_back(def.meaning);
    } else {
      if (diary.empty() || diary.back().first != n.at_ms)
        diary.push_back({n.at_ms, {}});
      diary.back().second.push_back(def.meaning);
    }
  }
  // One paragraph: a sentence per finding group, read after "Answered no".
  if (!groups.empty()) {
    std::string para = fmt::format("Answered no at the assessment ({}):",
                                   When(start.started_at_ms, tz));
    for (const auto& [group, meanings] : groups)
      para += " " + Capitalized(Joined(meanings)) + ".";
    f.Para(para, "Sans 7");  // the longest paragraph: a reference list
  }
  for (const auto& [at, meanings] : diary)
    f.Para(fmt::format("Answered no in the diary, {}: {}.", When(at, tz),
                       Joined(meanings)),
           "Sans 7.5");
  // Self-checks found normal ("walking a few steps on the heels: normal").
  std::vector<std::string> normal;
  for (size_t i = 0; i < defs.size() && i < start.initial.values.size(); ++i) {
    const int32_t v = start.initial.values[i];
    if (!asked[i] || shown[i] || !defs[i].red_flag || !defs[i].normal ||
        v != *defs[i].normal || SaidAsNo(defs[i]))
      continue;
    normal.push_back(
        fmt::format("{}: {}", defs[i].meaning, ValueText(defs[i], v)));
    shown[i] = true;
  }
  if (!normal.empty())
    f.Para("Found normal: " + Joined(normal) + ".", "Sans 7.5");

  // The other answers, in one paragraph: only what was asked and answered.
  // Not "said 'not sure' ...: no": not choosing "not sure" is not an answer
  // (the findings of group said_not_sure are set only by a "not sure").
  // Yes/no answers that were "no" are one list, the rest "meaning: value".
  std::vector<std::string> other, other_no;
  for (size_t i = 0; i < defs.size() && i < start.initial.values.size(); ++i) {
    const int32_t v = start.initial.values[i];
    if (v == kUnknown || !asked[i] || shown[i]) continue;
    if (defs[i].group == "said_not_sure" && defs[i].normal &&
        v == *defs[i].normal)
      continue;
    if (defs[i].type == FindingType::kBool && v == 0) {
      other_no.push_back(defs[i].meaning);
      continue;
    }
    other.push_back(
        fmt::format("{}: {}", defs[i].meaning, ValueText(defs[i], v)));
  }
  if (!other.empty() || !other_no.empty()) {
    f.Heading("Other answers");
    std::string text;
    if (!other.empty()) text = Capitalized(Joined(other)) + ".";
    if (!other_no.empty()) {
      if (!text.empty()) text += " ";
      text += "Answered no: " + Joined(other_no) + ".";
    }
    f.Para(text, "Sans 7");
  }

  // The plan: not repeated (the person has it in full), one line says so;
  // the safety net in full, each warning sign its own bullet.
  f.Heading("Plan given to the person");
  size_t self_care_items = 0;
  for (const PlanItem& item : review.plan.items)
    if (item.section != PlanSection::kSafetyNet) ++self_care_items;
  if (self_care_items > 0) {
    f.Para(fmt::format("Self-care plan: {} item{}, given to the person in "
                       "full (not repeated here). Safety net given:",
                       self_care_items, self_care_items == 1 ? "" : "s"),
           "Sans 7.5");
  }
  for (const PlanItem& item : review.plan.items) {
    if (item.section != PlanSection::kSafetyNet) continue;
    f.Bullet(fmt::format("{} — {}", item.title, item.text), "Sans 7.5");
    for (const std::string& step : item.steps) f.SubBullet(step, 2);
  }

  // Without diary entries there is no trend: the header says "0 diary
  // entries" and the pain score is among the answers.
  const PainTrend& t = review.trend;
  if (!entries.empty()) f.Heading("Diary and pain trend");
  if (entries.empty()) {
  } else if (t.points.empty()) {
    f.Para("No pain scores recorded.");
  } else {
    f.Para(fmt::format(
        "Pain (0-10): first {}, last {}, lowest {}, highest {}; trend: {}. "
        "A change of {} points or more counts as real.",
        t.first.value_or(-1), t.last.value_or(-1), t.lowest.value_or(-1),
        t.highest.value_or(-1), PainDirectionName(t.direction),
        t.meaningful_change));
    if (t.points.size() > 1) f.Chart(t);
  }
  for (const DiaryEntry& e : entries) {
    std::string line = When(e.at_ms, tz) + ": pain " +
                       (e.pain ? std::to_string(*e.pain) : "not given");
    if (!e.done.empty()) {
      line += "; did:";
      // Each activity as the person chose it (diary.yaml's label, in the
      // region's words), not its id.
      const diary::DiaryModel* dm = diary::DiaryModelOf(kb);
      bool first_done = true;
      for (const std::string& d : e.done) {
        std::string label = d;
        for (size_t i = 0; dm != nullptr && i < dm->activities.size(); ++i)
          if (dm->activities[i].id == d)
            label = RegionText(kb, start.region, dm->activities[i].label);
        line += (first_done ? " " : ", ") + label;
        first_done = false;
      }
    }
    if (!e.note.empty()) line += "; note: “" + e.note + "”";
    f.Bullet(line);
  }
  f.Finish();
  return doc;
}

}  // namespace handover

Result<std::string> HandoverPdf(const KnowledgeBase& kb,
                                const EpisodeStart& start,
                                const std::vector<DiaryEntry>& entries,
                                const EpisodeReview& review, int64_t now_ms) {
  handover::PdfDocument doc =
      handover::HandoverDocument(kb, start, entries, review, now_ms);
  auto render = loadable::Symbol(
      loadable::kPdfModule, handover::kRenderPdfSymbol, "the handover PDF");
  if (!render.ok()) return render.status();
  std::string pdf, error;
  if (!reinterpret_cast<handover::RenderPdfFn>(*render)(&doc, &pdf, &error)) {
    return Status::Internal(error);
  }
  return pdf;
}

}  // namespace backaid
