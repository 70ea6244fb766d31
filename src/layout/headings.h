// Headings: lines set larger (or bold) than the page's body text. With font sizes (text
// layers) the body size is the character-weighted median; without (OCR) line height
// stands in for size. Levels rank the page's heading sizes: the largest is level 1.
//
//   HeadingScale scale = HeadingScale::Of(lines);
//   int level = scale.Level(line);  // 0: not a heading
//
// Only short lines (at most 12 words, not ending a sentence with '.') qualify. Without
// fonts the size of a line is its words' median height (a superscript makes the line's
// box taller, not its words).
#pragma once

#include <vector>

#include "layout/page_model.h"

namespace pageflow {

class HeadingScale {
 public:
  // Learns the body size and the heading sizes from all of a page's (normalized) lines.
  static HeadingScale Of(const std::vector<LayoutLine>& lines);

  // 1..6 for a heading line, 0 otherwise.
  int Level(const LayoutLine& line) const;
  float body_size() const { return body_size_; }
  // At least 70% as wide as the page's median line.
  bool IsWide(const LayoutLine& line) const;
  bool uses_fonts() const { return uses_fonts_; }

 private:
  float SizeOf(const LayoutLine& line) const;
  float SameLevel() const;  // sizes within this ratio are one level
  bool IsCandidate(const LayoutLine& line) const;

  bool uses_fonts_ = false;
  float body_size_ = 0.0f;
  float body_width_ = 0.0f;   // median line width
  std::vector<float> sizes_;  // heading sizes, largest first
};

}  // namespace pageflow
