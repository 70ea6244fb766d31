// PageBoxes: one page's blocks, lines and words with their boxes and confidences, as the
// layout stage found them — what `--boxes` puts in the JSONL record and what the hOCR
// and ALTO writers draw from. It travels inside the page record (page_record.h), so the
// workspace's range files keep it and a resumed run writes the same boxes.
//
//   PageBoxes b = BoxesFromModel(model, /*dpi=*/300);
//   nlohmann::json j = PageBoxesToJson(b);        // the schema in docs/output-format.md
//   StatusOr<PageBoxes> back = PageBoxesFromJson(j);
//
// Memory: a copy of the page's words (about 60 bytes plus the text per word); it is
// built while the page's layout reservation is held (LayoutReservationBytes counts it)
// and then rides with the page record, like the page's text.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/text_line.h"

namespace pageflow {

struct PageModel;

struct PageBoxes {
  // The page the boxes are on, in `unit`: PDF points (text layers; y grows downwards)
  // or pixels of the image the engine read.
  int width = 0, height = 0;
  Unit unit = Unit::kPixels;
  // Pixels: the image's resolution (0 = unknown); points: 72.
  int dpi = 0;
  struct Word {
    std::string text;
    Box box;
    float confidence = 1.0f;  // 0..1
  };
  struct Line {
    Box box;
    int baseline = -1;  // y; -1 = unknown
    float confidence = 1.0f;
    std::vector<Word> words;  // left to right; never empty
  };
  struct Block {
    // The layout stage's kind ("heading", "paragraph", "list_item", "table", "caption",
    // "header", "footer", "page_number"), or "block" when the layout stage did not run.
    std::string kind;
    Box box;
    float confidence = 1.0f;
    std::vector<Line> lines;
  };
  // Running headers first, then the body in reading order, then footers and page
  // numbers: the page from top to bottom.
  std::vector<Block> blocks;
};

// The boxes of a laid-out page. `dpi` as PageBoxes::dpi (ignored for points: 72). A
// model without boxes (parsed Markdown from a vlm) gives no blocks.
PageBoxes BoxesFromModel(const PageModel& model, int dpi);
// The boxes of an engine's lines when the layout stage did not run (--layout none):
// one block per source block (TextLine::block_id), lines as they came.
PageBoxes BoxesFromLines(const std::vector<TextLine>& lines, int width, int height,
                         Unit unit, int dpi);

// {"unit": "pt"|"px", "dpi", "width", "height", "blocks": [{"kind", "box": [x0, y0,
// x1, y1], "confidence", "lines": [{"box", "baseline", "confidence", "words": [{"text",
// "box", "confidence"}]}]}]}; confidences rounded to 3 decimals.
nlohmann::json PageBoxesToJson(const PageBoxes& boxes);
// The inverse; CORRUPT when `j` is not such an object.
StatusOr<PageBoxes> PageBoxesFromJson(const nlohmann::json& j);

// Bytes a page's boxes take in memory, roughly (for budgeting).
int64_t PageBoxesBytes(const PageBoxes& boxes);

}  // namespace pageflow
