// Lines and reading order for an OCR engine that finds text boxes but no blocks (ppocr:
// one detected box a piece of a line). The boxes are cut into column pieces by the
// layout stage's own XY-cut (ReadingOrderGroups, as every engine's lines are), and each
// piece's boxes are joined into rows: boxes sharing most of their height, left to right.
//
//   std::vector<TextLine> lines = LinesFromBoxes(std::move(boxes));
//
// Each piece becomes one block (block_id 0, 1, ... in reading order), so the layout stage
// orders ppocr's blocks as it orders Tesseract's, and `--layout none` still reads the
// columns one after the other. Word boxes are estimated: a box's width shared among its
// words by their character counts, each word with the box's score as confidence.
// Pure function over one page's boxes; no state, thread-safe. Memory: the lines hold the
// boxes' text and word boxes (about the input's size), paid by the page's reservation.
#pragma once

#include <string>
#include <vector>

#include "base/text_line.h"

namespace pageflow {

struct RecognizedBox {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // axis-aligned bounds, in pixels
  std::string text;                      // UTF-8, words separated by spaces
  float score = 1.0f;                    // recognizer confidence, 0..1
};

std::vector<TextLine> LinesFromBoxes(std::vector<RecognizedBox> boxes);

}  // namespace pageflow
