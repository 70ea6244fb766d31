// Headings: lines set larger (or bold) than the page's body text. With font sizes (text
// layers) the body size is the character-weighted median; without (OCR) line height
// stands in for size. Levels rank the page's heading sizes: the largest is level 1.
//
//   HeadingScale scale = HeadingScale::Of(lines);
//   int level = scale.Level(line);  // 0: not a heading
//
// Only short lines (at most 12 words, not ending a sentence with '.') qualify; without
// fonts a line as wide as 70% of the median line must also be 1.8x as tall (superscripts
// make body lines taller).
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
