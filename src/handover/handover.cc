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

#include "backaid/calendar.h"
#include "backaid/engine.h"
#include "backaid/plan.h"
#include "backaid/report.h"
#include "src/handover/pdf_document.h"
#include "src/knowledge/expr.h"
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
  return kb::ValueToString(f, v);
}

std::string SourceNames(const KnowledgeBase& kb,
                        const std::vector<uint16_t>& ids) {
  std::string s;
  for (uint16_t i : ids) {
    if (!s.empty()) s += "; ";
    s += kb.sources()[i].title;
  }
  return s;
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
  void Bullet(std::string text) {
    Add(handover::BlockKind::kBullet, std::move(text));
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

std::vector<PertinentNegative> PertinentNegatives(
    const KnowledgeBase& kb, const EpisodeStart& start,
    const std::vector<DiaryEntry>& entries) {
  std::vector<PertinentNegative> out;
  const auto& defs = kb.findings();
  auto negative = [&](FindingId f, int32_t v) {
    return f < defs.size() && defs[f].red_flag && v != kUnknown &&
           defs[f].normal.has_value() && v == *defs[f].normal;
  };
  for (size_t f = 0; f < defs.size() && f < start.initial.values.size(); ++f) {
    const auto id = static_cast<FindingId>(f);
    if (negative(id, start.initial.values[f])) {
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

Result<std::string> HandoverPdf(const KnowledgeBase& kb,
                                const EpisodeStart& start,
                                const std::vector<DiaryEntry>& entries,
                                const EpisodeReview& review, int64_t now_ms) {
  handover::PdfDocument doc;
  doc.title = "backaid handover summary";
  doc.creator = "backaid";
  {
    Flow f(&doc);
    const std::string& tz = start.time_zone;
    const auto& defs = kb.findings();
    const TriageResult& r = review.result;

    f.Title("backaid handover summary");
    f.Para(
        "For the GP or physiotherapist. backaid gives information and "
        "triage, not a diagnosis; the person has not been examined. "
        "Unanswered questions are never taken as \"no\".",
        "Sans Italic 9");
    f.Para(fmt::format(
        "Episode started {} ({}). Summary made {}. {} diary "
        "entr{}. Knowledge base {}.",
        When(start.started_at_ms, tz), tz, When(now_ms, tz), entries.size(),
        entries.size() == 1 ? "y" : "ies", kb.version()));

    f.Heading(fmt::format("Level now: {}", LevelName(r.level)));
    f.Para(kb.level(r.level).meaning);
    if (review.escalated) {
      f.Para(fmt::format("Raised from {} by the last diary entry.",
                         LevelName(review.previous_level)),
             "Sans Bold 9.5");
    }
    for (size_t i = 0; i < kb.services().size(); ++i) {
      if (r.see & (1u << i)) f.Bullet("See: " + kb.services()[i].name);
    }
    for (size_t i = 0; i < kb.conditions().size(); ++i) {
      if (r.conditions & (1u << i)) {
        f.Bullet("To be checked for (not diagnosed): " +
                 kb.conditions()[i].name);
      }
    }

    f.Heading("Red flags reported");
    bool any_flag = false;
    for (size_t i = 0; i < defs.size(); ++i) {
      if (r.red_flags.test(i)) {
        f.Bullet(defs[i].meaning);
        any_flag = true;
      }
    }
    for (const DiaryEntry& e : entries) {
      for (const auto& [id, v] : e.findings) {
        // A red flag answered abnormal, by the knowledge base's one rule
        // (KnowledgeBase::IsAbnormal, as in SetFinding).
        if (id < defs.size() && defs[id].red_flag && kb.IsAbnormal(id, v)) {
          f.Bullet(fmt::format("{}: {} (diary, {})", defs[id].meaning,
                               ValueText(defs[id], v), When(e.at_ms, tz)));
          any_flag = true;
        }
      }
    }
    if (!any_flag) f.Para("None.");

    f.Heading("Pertinent negatives");
    const auto negatives = PertinentNegatives(kb, start, entries);
    if (negatives.empty()) f.Para("None recorded.");
    for (const PertinentNegative& n : negatives) {
      f.Bullet(fmt::format("No {} reported, {}", defs[n.finding].meaning,
                           When(n.at_ms, tz)));
    }
    if (r.not_assessed.any()) {
      f.Heading("Red flags not assessed");
      for (size_t i = 0; i < defs.size(); ++i) {
        if (r.not_assessed.test(i)) f.Bullet(defs[i].meaning);
      }
    }

    f.Heading("Reasons");
    for (uint16_t rule : r.fired) {
      const RuleDef& rd = kb.rules()[rule];
      f.Bullet(fmt::format("[{}] {} (sources: {})", LevelName(rd.level),
                           rd.reason, SourceNames(kb, rd.sources)));
    }
    for (const std::string& d : review.derived)
      f.Bullet("From the diary: " + d);

    f.Heading("Assessment findings");
    for (size_t i = 0; i < defs.size() && i < start.initial.values.size();
         ++i) {
      const int32_t v = start.initial.values[i];
      if (v == kUnknown) continue;
      f.Bullet(fmt::format("{}: {}", defs[i].meaning, ValueText(defs[i], v)));
    }

    f.Heading("Plan");
    for (const PlanItem& item : review.plan.items) {
      f.Bullet(fmt::format("{} — {}", item.title, item.text));
    }

    f.Heading("Diary and pain trend");
    const PainTrend& t = review.trend;
    if (t.points.empty()) {
      f.Para("No pain scores recorded.");
    } else {
      f.Para(fmt::format(
          "Pain (0-10): first {}, last {}, lowest {}, highest {}; trend: {}. "
          "A change of {} points or more counts as real.",
          t.first.value_or(-1), t.last.value_or(-1), t.lowest.value_or(-1),
          t.highest.value_or(-1), PainDirectionName(t.direction),
          t.meaningful_change));
      f.Chart(t);
    }
    for (const DiaryEntry& e : entries) {
      std::string line = When(e.at_ms, tz) + ": pain " +
                         (e.pain ? std::to_string(*e.pain) : "not given");
      if (!e.done.empty()) {
        line += "; did:";
        for (const std::string& d : e.done) line += " " + d;
      }
      if (!e.note.empty()) line += "; note: “" + e.note + "”";
      f.Bullet(line);
    }
    f.Finish();
  }
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
