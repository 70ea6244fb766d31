// A recognized or extracted line of text with its box and words, shared by sources (a
// PDF's own text layer) and engines (OCR results), and the input of the layout stage
// (layout/page_model.h names them LayoutLine and LayoutWord).
#pragma once

#include <string>
#include <vector>

namespace pageflow {

// Pixel (or, for text layers, point) coordinates; x1/y1 exclusive.
struct Box {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  int width() const { return x1 - x0; }
  int height() const { return y1 - y0; }
};

// Coordinates of every box of a page: image pixels (OCR) or PDF points (text layers).
// y grows downwards in both.
enum class Unit { kPixels, kPoints };

struct TextWord {
  std::string text;  // UTF-8, no spaces
  Box box;
  float confidence = 1.0f;  // 0..1; 1 for text layers
  float font_size = 0.0f;   // in the page's unit; 0 = unknown (OCR)
  bool bold = false;
  bool italic = false;
};

struct TextLine {
  // UTF-8, no trailing newline. The layout stage accepts it empty when `words` is
  // given (the words joined by a space are used).
  std::string text;
  Box box;
  // Words in left-to-right order with their own boxes; may be empty (ppocr lines): the
  // layout stage then estimates word boxes from the line's box and character counts.
  std::vector<TextWord> words;
  int baseline = -1;        // y of the baseline; -1 = unknown (box.y1 is used)
  float font_size = 0.0f;   // 0 = unknown: the words' median, else none (OCR)
  bool bold = false;        // the whole line is bold (or all its words are)
  float confidence = 1.0f;  // 0..1; 1 for text layers
  int block_id = -1;        // source's block (Tesseract, MuPDF), -1 = unknown
  int paragraph_id = -1;    // source's paragraph (Tesseract), -1 = unknown
  bool block_start = false; // first line of a paragraph/block (line-by-line output)
};

}  // namespace pageflow
