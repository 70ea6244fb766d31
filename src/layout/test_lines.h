// Test-only: lines and words with boxes, as an engine would give them.
//
//   LayoutLine l = TestLine("Hello world", 50, 100, 200, 112, /*font=*/10);
//   LayoutLine row = TestWords({{"Name", 50}, {"Age", 200}}, 100, 112);
//   LayoutInput in = TestPage({l, row});
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "layout/page_model.h"

namespace pageflow {

inline LayoutLine TestLine(std::string text, int x0, int y0, int x1, int y1,
                           float font_size = 0, bool bold = false) {
  LayoutLine l;
  l.text = std::move(text);
  l.box = {x0, y0, x1, y1};
  l.font_size = font_size;
  l.bold = bold;
  return l;
}

// Words at the given left edges, each 6 units a character wide, on one line.
inline LayoutLine TestWords(const std::vector<std::pair<std::string, int>>& words, int y0,
                            int y1) {
  LayoutLine l;
  for (const auto& [text, x0] : words) {
    LayoutWord w;
    w.text = text;
    w.box = {x0, y0, x0 + 6 * int(text.size()), y1};
    l.words.push_back(w);
  }
  return l;
}

inline LayoutInput TestPage(std::vector<LayoutLine> lines, int width = 612,
                            int height = 792, Unit unit = Unit::kPoints) {
  LayoutInput in;
  in.page_width = width;
  in.page_height = height;
  in.unit = unit;
  in.lines = std::move(lines);
  return in;
}

}  // namespace pageflow
