// A recognized or extracted line of text with its box, shared by sources (a PDF's own
// text layer) and engines (OCR results).
#pragma once

#include <string>

namespace pageflow {

// Pixel (or, for text layers, point) coordinates; x1/y1 exclusive.
struct Box {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  int width() const { return x1 - x0; }
  int height() const { return y1 - y0; }
};

struct TextLine {
  std::string text;         // UTF-8, no trailing newline
  Box box;
  float confidence = 1.0f;  // 0..1; 1 for text layers
  bool block_start = false; // first line of a paragraph/block
};

}  // namespace pageflow
