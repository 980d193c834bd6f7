// The handover PDF: a small flow layout (headings, paragraphs, bullets, a
// pain chart) over Pango layouts on a cairo PDF surface. Pango shapes any
// Unicode text with the system's fonts (fontconfig).
#include "backaid/handover.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "backaid/calendar.h"
#include "backaid/engine.h"
#include "backaid/plan.h"
#include "backaid/report.h"
#include "src/knowledge/expr.h"

namespace backaid {
namespace {

constexpr double kPageW = 595.276;  // A4 in points
constexpr double kPageH = 841.890;
constexpr double kMargin = 50;
constexpr double kWidth = kPageW - 2 * kMargin;

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

struct CairoDeleter {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};

cairo_status_t AppendToString(void* closure, const unsigned char* data,
                              unsigned int length) {
  static_cast<std::string*>(closure)->append(
      reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// Lays text out top to bottom, starting a new page when the next block
// does not fit.
class Flow {
 public:
  explicit Flow(cairo_t* cr) : cr_(cr) {}

  void Title(std::string_view text) { Block(text, "Sans Bold 17", 0, 6); }
  void Heading(std::string_view text) {
    y_ += 8;
    Block(text, "Sans Bold 12.5", 0, 3, /*keep_with_next=*/40);
  }
  void Para(std::string_view text, std::string_view font = "Sans 9.5") {
    Block(text, font, 0, 4);
  }
  void Bullet(std::string_view text) {
    Block(std::string("•\u2002") + std::string(text), "Sans 9.5", 10, 2);
  }

  // Pain over the episode: a line chart with the 0-10 scale and the
  // meaningful-change line below the first score.
  void Chart(const PainTrend& t) {
    if (t.points.empty()) return;
    const double h = 120, w = kWidth * 0.7, left = kMargin + 24;
    Need(h + 24);
    const double top = y_;
    auto ypos = [&](double v) { return top + (10 - v) / 10 * h; };
    const int64_t t0 = t.points.front().at_ms;
    const int64_t t1 = std::max(t.points.back().at_ms, t0 + 1);
    auto xpos = [&](int64_t at) {
      return t.points.size() == 1
                 ? left + w / 2
                 : left + static_cast<double>(at - t0) / (t1 - t0) * w;
    };
    cairo_set_line_width(cr_, 0.5);
    cairo_set_source_rgb(cr_, 0.75, 0.75, 0.75);
    for (int v = 0; v <= 10; v += 2) {
      cairo_move_to(cr_, left, ypos(v));
      cairo_line_to(cr_, left + w, ypos(v));
      cairo_stroke(cr_);
      Label(std::to_string(v), kMargin, ypos(v) - 6);
    }
    const int first = t.points.front().pain;
    if (first - t.meaningful_change >= 0) {
      const double dashes[] = {4, 3};
      cairo_set_dash(cr_, dashes, 2, 0);
      cairo_set_line_width(cr_, 1);
      cairo_set_source_rgb(cr_, 0.12, 0.42, 0.21);
      cairo_move_to(cr_, left, ypos(first - t.meaningful_change));
      cairo_line_to(cr_, left + w, ypos(first - t.meaningful_change));
      cairo_stroke(cr_);
      cairo_set_dash(cr_, nullptr, 0, 0);
      Label(fmt::format("real improvement (−{})", t.meaningful_change),
            left + w + 4, ypos(first - t.meaningful_change) - 6);
    }
    cairo_set_source_rgb(cr_, 0.04, 0.33, 0.58);
    cairo_set_line_width(cr_, 1.8);
    for (size_t i = 0; i < t.points.size(); ++i) {
      const double x = xpos(t.points[i].at_ms), y = ypos(t.points[i].pain);
      if (i == 0) {
        cairo_move_to(cr_, x, y);
      } else {
        cairo_line_to(cr_, x, y);
      }
    }
    cairo_stroke(cr_);
    for (const PainPoint& p : t.points) {
      cairo_arc(cr_, xpos(p.at_ms), ypos(p.pain), 2.5, 0, 2 * M_PI);
      cairo_fill(cr_);
    }
    cairo_set_source_rgb(cr_, 0, 0, 0);
    y_ = top + h + 14;
  }

  void Finish() { cairo_show_page(cr_); }

 private:
  void Need(double height) {
    if (y_ + height > kPageH - kMargin) {
      cairo_show_page(cr_);
      y_ = kMargin;
    }
  }

  void Label(std::string_view text, double x, double y) {
    PangoLayout* layout = pango_cairo_create_layout(cr_);
    PangoFontDescription* fd = pango_font_description_from_string("Sans 7");
    pango_layout_set_font_description(layout, fd);
    pango_layout_set_text(layout, text.data(), static_cast<int>(text.size()));
    cairo_save(cr_);
    cairo_set_source_rgb(cr_, 0.3, 0.3, 0.3);
    cairo_move_to(cr_, x, y);
    pango_cairo_show_layout(cr_, layout);
    cairo_restore(cr_);
    pango_font_description_free(fd);
    g_object_unref(layout);
  }

  void Block(std::string_view text, std::string_view font, double indent,
             double after, double keep_with_next = 0) {
    PangoLayout* layout = pango_cairo_create_layout(cr_);
    PangoFontDescription* fd =
        pango_font_description_from_string(std::string(font).c_str());
    pango_layout_set_font_description(layout, fd);
    pango_layout_set_width(layout,
                           static_cast<int>((kWidth - indent) * PANGO_SCALE));
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text(layout, text.data(), static_cast<int>(text.size()));
    int w = 0, h = 0;
    pango_layout_get_size(layout, &w, &h);
    const double height = static_cast<double>(h) / PANGO_SCALE;
    // Long paragraphs may split across pages line by line.
    if (height > kPageH - 2 * kMargin - 1) {
      PangoLayoutIter* it = pango_layout_get_iter(layout);
      do {
        PangoLayoutLine* line = pango_layout_iter_get_line_readonly(it);
        PangoRectangle logical;
        pango_layout_iter_get_line_extents(it, nullptr, &logical);
        const double lh = static_cast<double>(logical.height) / PANGO_SCALE;
        Need(lh);
        cairo_move_to(cr_, kMargin + indent,
                      y_ + static_cast<double>(pango_layout_iter_get_baseline(
                                               it) - logical.y) /
                               PANGO_SCALE);
        pango_cairo_show_layout_line(cr_, line);
        y_ += lh;
      } while (pango_layout_iter_next_line(it));
      pango_layout_iter_free(it);
    } else {
      Need(height + keep_with_next);
      cairo_move_to(cr_, kMargin + indent, y_);
      pango_cairo_show_layout(cr_, layout);
      y_ += height;
    }
    y_ += after;
    pango_font_description_free(fd);
    g_object_unref(layout);
  }

  cairo_t* cr_;
  double y_ = kMargin;
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
  for (size_t f = 0; f < defs.size() && f < start.initial.values.size();
       ++f) {
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
  std::string pdf;
  std::unique_ptr<cairo_surface_t, CairoDeleter> surface(
      cairo_pdf_surface_create_for_stream(AppendToString, &pdf, kPageW,
                                          kPageH));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return Status::Internal("handover: cannot create a PDF surface");
  }
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE,
                                 "backaid handover summary");
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR,
                                 "backaid");
  {
    std::unique_ptr<cairo_t, CairoDeleter> cr(cairo_create(surface.get()));
    cairo_set_source_rgb(cr.get(), 0, 0, 0);
    Flow f(cr.get());
    const std::string& tz = start.time_zone;
    const auto& defs = kb.findings();
    const TriageResult& r = review.result;

    f.Title("backaid handover summary");
    f.Para(
        "For the GP or physiotherapist. backaid gives information and "
        "triage, not a diagnosis; the person has not been examined. "
        "Unanswered questions are never taken as \"no\".",
        "Sans Italic 9");
    f.Para(fmt::format("Episode started {} ({}). Summary made {}. {} diary "
                       "entr{}. Knowledge base {}.",
                       When(start.started_at_ms, tz), tz, When(now_ms, tz),
                       entries.size(), entries.size() == 1 ? "y" : "ies",
                       kb.version()));

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
        if (id < defs.size() && defs[id].red_flag && defs[id].normal &&
            v != *defs[id].normal) {
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
    for (const std::string& d : review.derived) f.Bullet("From the diary: " + d);

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
  cairo_surface_finish(surface.get());
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return Status::Internal(
        std::string("handover: cairo: ") +
        cairo_status_to_string(cairo_surface_status(surface.get())));
  }
  return pdf;
}

}  // namespace backaid
