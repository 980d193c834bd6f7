// The handover summary as plain layout data: what src/handover/handover.cc
// (in the binary, with the knowledge base) hands to the PDF module
// (backaid_pdf.so, src/handover/pdf_render.cc: cairo and pango), which
// lays it out. Only standard library types cross the module boundary;
// both sides are built from this header in one build (the loader checks
// the module's ABI tag, src/loadable/loadable.h). Bump kPdfInterface when
// this header changes.
#ifndef BACKAID_SRC_HANDOVER_PDF_DOCUMENT_H_
#define BACKAID_SRC_HANDOVER_PDF_DOCUMENT_H_

#include <cstdint>
#include <string>
#include <vector>

namespace backaid::handover {

// kSubBullet: an item of the list under the bullet before it (a plan
// item's steps, the safety net's warning signs). A run of sub-bullets with
// the same `columns` > 1 is laid out in that many columns, column by column
// (so the text reads in order), each item keeping its dash.
enum class BlockKind : uint8_t {
  kTitle,
  kHeading,
  kPara,
  kBullet,
  kChart,
  kSubBullet
};

// The pain chart: scores over time and the meaningful-change line below
// the first score (drawn when it is not below 0).
struct ChartData {
  struct Point {
    int64_t at_ms = 0;
    int pain = 0;
  };
  std::vector<Point> points;
  int meaningful_change = 0;
  std::string change_label;  // "real improvement (−2)"
};

struct Block {
  BlockKind kind = BlockKind::kPara;
  std::string text;
  std::string font;  // Pango font description; empty = the kind's default
  ChartData chart;   // kChart only
  int columns = 1;   // kSubBullet only: see BlockKind
};

struct PdfDocument {
  std::string title;    // PDF metadata
  std::string creator;  // PDF metadata
  std::vector<Block> blocks;
};

// The module's entry point, `backaid_handover_pdf_v1`: renders `doc` into
// `pdf`; on failure returns false with a message in `error`.
using RenderPdfFn = bool (*)(const PdfDocument* doc, std::string* pdf,
                             std::string* error);
inline constexpr const char* kRenderPdfSymbol = "backaid_handover_pdf_v1";

}  // namespace backaid::handover

#endif  // BACKAID_SRC_HANDOVER_PDF_DOCUMENT_H_
