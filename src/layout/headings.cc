#include "layout/headings.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "layout/geometry.h"

namespace pageflow {
namespace {

// A heading is set at least this much larger than body text. 1.15 separates 12 pt
// headings from 10-11 pt body text; OCR line heights vary more, hence 1.3.
constexpr float kFontRatio = 1.15f;
constexpr float kHeightRatio = 1.3f;
// Sizes within this ratio are one level: font sizes round; line heights also vary with
// ascenders and descenders ("to adulthood" vs "transition").
constexpr float kSameFontLevel = 1.08f;
constexpr float kSameHeightLevel = 1.2f;

bool IsShort(const LayoutLine& line) {
  const size_t words = SplitWords(line.text).size();
  if (words == 0 || words > 12 || line.text.size() > 120) return false;
  // A sentence of more than three words ending in '.' is a bold one-line paragraph.
  if (line.text.back() == '.' && words > 3) return false;
  // A heading starts with a capital, a digit or an opening mark, not in lowercase (the
  // rest of a sentence) nor with a formula's brace or operator.
  const unsigned char first = static_cast<unsigned char>(line.text[0]);
  if (std::islower(first) != 0) return false;
  if (first < 0x80 && std::isalnum(first) == 0 &&
      std::string_view("(\"'[#*").find(char(first)) == std::string_view::npos) {
    return false;
  }
  if (line.text.find("\uFFFD") != std::string::npos) return false;  // unreadable glyphs
  return true;
}

}  // namespace

float HeadingScale::SameLevel() const {
  return uses_fonts_ ? kSameFontLevel : kSameHeightLevel;
}

float HeadingScale::SizeOf(const LayoutLine& line) const {
  if (uses_fonts_) return line.font_size;
  // The words' median height: a superscript makes the line's box taller, not its words.
  std::vector<float> heights;
  for (const LayoutWord& w : line.words) heights.push_back(float(w.box.height()));
  return heights.empty() ? float(line.box.height()) : Median(std::move(heights));
}

bool HeadingScale::IsWide(const LayoutLine& line) const {
  return float(line.box.width()) >= 0.7f * body_width_;
}

bool HeadingScale::IsCandidate(const LayoutLine& line) const {
  if (body_size_ <= 0 || !IsShort(line)) return false;
  const float size = SizeOf(line);
  if (uses_fonts_) {
    return size >= kFontRatio * body_size_ || (line.bold && size >= 0.95f * body_size_);
  }
  return size >= kHeightRatio * body_size_;
}

HeadingScale HeadingScale::Of(const std::vector<LayoutLine>& lines) {
  HeadingScale scale;
  size_t with_font = 0;
  for (const LayoutLine& l : lines) with_font += l.font_size > 0;
  scale.uses_fonts_ = !lines.empty() && with_font * 2 >= lines.size();
  std::vector<float> sizes;
  for (const LayoutLine& l : lines) {
    const float size = scale.SizeOf(l);
    if (size <= 0) continue;
    // Weighted by characters, so body text outweighs many short headings and the
    // sub- and superscripts of formulas (each its own short line in a text layer).
    const size_t n = std::min<size_t>(200, std::max<size_t>(1, Utf8Length(l.text)));
    sizes.insert(sizes.end(), n, size);
  }
  scale.body_size_ = Median(std::move(sizes));
  std::vector<float> widths;
  for (const LayoutLine& l : lines) widths.push_back(float(l.box.width()));
  scale.body_width_ = Median(std::move(widths));
  // A page of bold lines only has no bold headings: bold is the body.
  size_t bold = 0;
  for (const LayoutLine& l : lines) bold += l.bold;
  std::vector<float> heading_sizes;
  for (const LayoutLine& l : lines) {
    if (scale.IsCandidate(l)) heading_sizes.push_back(scale.SizeOf(l));
  }
  if (bold * 2 > lines.size()) {
    heading_sizes.erase(
        std::remove_if(heading_sizes.begin(), heading_sizes.end(),
                       [&scale](float s) { return s < kFontRatio * scale.body_size_; }),
        heading_sizes.end());
  }
  std::sort(heading_sizes.rbegin(), heading_sizes.rend());
  for (float s : heading_sizes) {
    if (scale.sizes_.empty() || scale.sizes_.back() > s * scale.SameLevel()) {
      scale.sizes_.push_back(s);
    }
  }
  return scale;
}

int HeadingScale::Level(const LayoutLine& line) const {
  if (!IsCandidate(line)) return 0;
  const float size = SizeOf(line);
  int level = 0;
  for (size_t i = 0; i < sizes_.size(); ++i) {
    if (size * SameLevel() >= sizes_[i]) {
      level = int(i) + 1;
      break;
    }
  }
  // 0: bold body text on an all-bold page. Bold at body size ranks below every larger
  // size, as its size is the smallest.
  return std::min(level, 6);
}

}  // namespace pageflow
