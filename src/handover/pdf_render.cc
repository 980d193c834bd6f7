// The handover PDF module (backaid_pdf.so): lays out a PdfDocument (plain
// data made by src/handover/handover.cc) with a small flow layout
// (headings, paragraphs, bullets, a pain chart) over Pango layouts on a
// cairo PDF surface. Pango shapes any Unicode text with the system's fonts
// (fontconfig). Loaded by the binary on first use (src/loadable), so only
// a process that writes a summary maps cairo, pango and glib.
#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/handover/pdf_document.h"
#include "src/loadable/loadable.h"

namespace backaid::handover {
namespace {

constexpr double kPageW = 595.276;  // A4 in points
constexpr double kPageH = 841.890;
// About 0.85 cm: a plain case's summary fits one page (issue 14).
constexpr double kMargin = 24;
constexpr double kWidth = kPageW - 2 * kMargin;
constexpr double kColumnGap = 10;

constexpr double kSubIndent = 12;

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

  void Title(std::string_view text) { Block(text, "Sans Bold 11", 0, 1); }
  void Heading(std::string_view text) {
    y_ += 2;
    Block(text, "Sans Bold 9", 0, 0.5, /*keep_with_next=*/24);
  }
  void Para(std::string_view text, std::string_view font = "Sans 8.5") {
    Block(text, font, 0, 1.5);
  }
  void Bullet(std::string_view text, std::string_view font = "") {
    Block(std::string("•\u2002") + std::string(text),
          font.empty() ? "Sans 8.5" : font, 8, 0.5);
  }
  void SubBullet(std::string_view text, std::string_view font = "") {
    Block(std::string("–\u2002") + std::string(text),
          font.empty() ? "Sans 7.5" : font, kSubIndent, 0.5);
  }

  // A list of sub-bullets in `columns` columns, filled column by column and
  // balanced by height; as one column when it would not fit on a page.
  // Each item: its text and its font ("" = the sub-bullet default).
  void Columns(
      const std::vector<std::pair<std::string_view, std::string_view>>& items,
      int columns) {
    const double width =
        (kWidth - kSubIndent - kColumnGap * (columns - 1)) / columns;
    std::vector<PangoLayout*> layouts;
    std::vector<double> heights;
    double total = 0;
    for (const auto& [text, font] : items) {
      const std::string line = std::string("–\u2002") + std::string(text);
      PangoLayout* layout = NewLayout();
      PangoFontDescription* fd = pango_font_description_from_string(
          font.empty() ? "Sans 7.5" : std::string(font).c_str());
      pango_layout_set_font_description(layout, fd);
      pango_font_description_free(fd);
      pango_layout_set_width(layout, static_cast<int>(width * PANGO_SCALE));
      pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
      pango_layout_set_text(layout, line.data(), static_cast<int>(line.size()));
      int w = 0, h = 0;
      pango_layout_get_size(layout, &w, &h);
      layouts.push_back(layout);
      heights.push_back(static_cast<double>(h) / PANGO_SCALE + 0.25);
      total += heights.back();
    }
    // Column breaks: a column takes items until it would pass the balanced
    // height (an item is never split).
    std::vector<size_t> starts = {0};
    double used = 0;
    const double target = total / columns;
    for (size_t i = 0; i < heights.size(); ++i) {
      if (used > 0 && used + heights[i] / 2 > target &&
          static_cast<int>(starts.size()) < columns) {
        starts.push_back(i);
        used = 0;
      }
      used += heights[i];
    }
    starts.push_back(heights.size());
    double tallest = 0;
    for (size_t c = 0; c + 1 < starts.size(); ++c) {
      double h = 0;
      for (size_t i = starts[c]; i < starts[c + 1]; ++i) h += heights[i];
      tallest = std::max(tallest, h);
    }
    if (tallest > kPageH - 2 * kMargin - 1) {
      for (PangoLayout* l : layouts) g_object_unref(l);
      for (const auto& [text, font] : items) SubBullet(text, font);
      return;
    }
    Need(tallest);
    for (size_t c = 0; c + 1 < starts.size(); ++c) {
      double y = y_;
      const double x = kMargin + kSubIndent + c * (width + kColumnGap);
      for (size_t i = starts[c]; i < starts[c + 1]; ++i) {
        cairo_move_to(cr_, x, y);
        pango_cairo_show_layout(cr_, layouts[i]);
        y += heights[i];
      }
    }
    for (PangoLayout* l : layouts) g_object_unref(l);
    y_ += tallest + 1;
  }

  // Pain over the episode: a line chart with the 0-10 scale and the
  // meaningful-change line below the first score.
  void Chart(const ChartData& t) {
    if (t.points.empty()) return;
    const double h = 80, w = kWidth * 0.7, left = kMargin + 24;
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
      Label(t.change_label, left + w + 4,
            ypos(first - t.meaningful_change) - 6);
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
    for (const ChartData::Point& p : t.points) {
      cairo_arc(cr_, xpos(p.at_ms), ypos(p.pain), 2.5, 0, 2 * M_PI);
      cairo_fill(cr_);
    }
    cairo_set_source_rgb(cr_, 0, 0, 0);
    y_ = top + h + 14;
  }

  void Finish() { cairo_show_page(cr_); }

  // A layout whose font sizes are points of the page (Pango's cairo
  // context assumes 96 dpi, which made "Sans 9" print at 12 pt).
  PangoLayout* NewLayout() {
    PangoLayout* layout = pango_cairo_create_layout(cr_);
    pango_cairo_context_set_resolution(pango_layout_get_context(layout), 72);
    pango_layout_context_changed(layout);
    return layout;
  }

 private:
  void Need(double height) {
    if (y_ + height > kPageH - kMargin) {
      cairo_show_page(cr_);
      y_ = kMargin;
    }
  }

  void Label(std::string_view text, double x, double y) {
    PangoLayout* layout = NewLayout();
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
    PangoLayout* layout = NewLayout();
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
                      y_ + static_cast<double>(
                               pango_layout_iter_get_baseline(it) - logical.y) /
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

bool RenderPdf(const PdfDocument& doc, std::string* pdf, std::string* error) {
  std::unique_ptr<cairo_surface_t, CairoDeleter> surface(
      cairo_pdf_surface_create_for_stream(AppendToString, pdf, kPageW, kPageH));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    *error = "handover: cannot create a PDF surface";
    return false;
  }
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE,
                                 doc.title.c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR,
                                 doc.creator.c_str());
  {
    std::unique_ptr<cairo_t, CairoDeleter> cr(cairo_create(surface.get()));
    cairo_set_source_rgb(cr.get(), 0, 0, 0);
    Flow f(cr.get());
    for (size_t i = 0; i < doc.blocks.size(); ++i) {
      const Block& b = doc.blocks[i];
      if (b.kind == BlockKind::kSubBullet && b.columns > 1) {
        // The run of sub-bullets with these columns, as one block.
        std::vector<std::pair<std::string_view, std::string_view>> items;
        size_t j = i;
        for (; j < doc.blocks.size() &&
               doc.blocks[j].kind == BlockKind::kSubBullet &&
               doc.blocks[j].columns == b.columns;
             ++j)
          items.emplace_back(doc.blocks[j].text, doc.blocks[j].font);
        f.Columns(items, b.columns);
        i = j - 1;
        continue;
      }
      switch (b.kind) {
        case BlockKind::kTitle:
          f.Title(b.text);
          break;
        case BlockKind::kHeading:
          f.Heading(b.text);
          break;
        case BlockKind::kPara:
          if (b.font.empty()) {
            f.Para(b.text);
          } else {
            f.Para(b.text, b.font);
          }
          break;
        case BlockKind::kBullet:
          f.Bullet(b.text, b.font);
          break;
        case BlockKind::kSubBullet:
          f.SubBullet(b.text, b.font);
          break;
        case BlockKind::kChart:
          f.Chart(b.chart);
          break;
      }
    }
    f.Finish();
  }
  cairo_surface_finish(surface.get());
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    *error = std::string("handover: cairo: ") +
             cairo_status_to_string(cairo_surface_status(surface.get()));
    return false;
  }
  return true;
}

}  // namespace backaid::handover

BACKAID_MODULE_EXPORT const char* const backaid_module_abi = BACKAID_MODULE_ABI;

BACKAID_MODULE_EXPORT bool backaid_handover_pdf_v1(
    const backaid::handover::PdfDocument* doc, std::string* pdf,
    std::string* error) {
  return backaid::handover::RenderPdf(*doc, pdf, error);
}
