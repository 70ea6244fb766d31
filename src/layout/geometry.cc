#include "layout/geometry.h"

#include <algorithm>

namespace pageflow {

Box Union(const Box& a, const Box& b) {
  if (a.width() <= 0 && a.height() <= 0) return b;
  if (b.width() <= 0 && b.height() <= 0) return a;
  return {std::min(a.x0, b.x0), std::min(a.y0, b.y0), std::max(a.x1, b.x1),
          std::max(a.y1, b.y1)};
}

int VerticalOverlap(const Box& a, const Box& b) {
  return std::min(a.y1, b.y1) - std::max(a.y0, b.y0);
}

int HorizontalOverlap(const Box& a, const Box& b) {
  return std::min(a.x1, b.x1) - std::max(a.x0, b.x0);
}

bool Contains(const Box& outer, int x, int y) {
  return x >= outer.x0 && x < outer.x1 && y >= outer.y0 && y < outer.y1;
}

float Median(std::vector<float> values) {
  if (values.empty()) return 0.0f;
  const size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<long>(mid), values.end());
  return values[mid];
}

size_t Utf8Length(std::string_view text) {
  size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string_view Trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  const size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

std::vector<std::string_view> SplitWords(std::string_view text) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    const size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

void NormalizeLine(LayoutLine* line) {
  if (line->words.empty()) {
    const std::vector<std::string_view> tokens = SplitWords(line->text);
    size_t chars = 0;
    for (std::string_view t : tokens) chars += Utf8Length(t) + 1;
    const double per_char = chars > 1 ? double(line->box.width()) / double(chars - 1) : 0;
    double x = line->box.x0;
    for (std::string_view t : tokens) {
      LayoutWord w;
      w.text = std::string(t);
      const double width = per_char * double(Utf8Length(t));
      w.box = {int(x), line->box.y0, std::max(int(x) + 1, int(x + width)), line->box.y1};
      w.confidence = line->confidence;
      w.font_size = line->font_size;
      w.bold = line->bold;
      line->words.push_back(std::move(w));
      x += width + per_char;
    }
  }
  if (Trim(line->text).empty() && !line->words.empty()) {
    line->text.clear();
    for (const LayoutWord& w : line->words) {
      if (!line->text.empty()) line->text += ' ';
      line->text += w.text;
    }
  }
  line->text = std::string(Trim(line->text));
  if (line->box.width() <= 0 && !line->words.empty()) {
    for (const LayoutWord& w : line->words) line->box = Union(line->box, w.box);
  }
  if (line->font_size <= 0) {
    std::vector<float> sizes;
    for (const LayoutWord& w : line->words) {
      if (w.font_size > 0) sizes.push_back(w.font_size);
    }
    line->font_size = Median(std::move(sizes));
  }
  if (!line->bold && !line->words.empty()) {
    line->bold = std::all_of(line->words.begin(), line->words.end(),
                             [](const LayoutWord& w) { return w.bold; });
  }
  if (line->baseline < 0) line->baseline = line->box.y1;
}

void AppendLine(LayoutLine* a, LayoutLine b) {
  const double na = double(Utf8Length(a->text)), nb = double(Utf8Length(b.text));
  if (na + nb > 0) {
    a->confidence = float((a->confidence * na + b.confidence * nb) / (na + nb));
  }
  if (!b.text.empty()) {
    if (!a->text.empty()) a->text += ' ';
    a->text += b.text;
  }
  for (LayoutWord& w : b.words) a->words.push_back(std::move(w));
  a->box = Union(a->box, b.box);
  a->bold = a->bold && b.bold;
}

float MeanConfidence(const std::vector<LayoutLine>& lines) {
  double sum = 0, chars = 0;
  for (const LayoutLine& l : lines) {
    const double n = double(std::max<size_t>(1, Utf8Length(l.text)));
    sum += l.confidence * n;
    chars += n;
  }
  return chars > 0 ? float(sum / chars) : 1.0f;
}

}  // namespace pageflow
