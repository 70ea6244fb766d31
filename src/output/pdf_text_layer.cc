#include "output/pdf_text_layer.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace pageflow {
namespace {

// Tesseract's GlyphLessFont (tessdata/pdf.ttf, Apache-2.0): 2048 units per em, glyph 1
// empty with an advance of 1024 (half an em, kGlyphlessAdvance).
constexpr unsigned char kFont[] = {
#include "output/glyphless_font.inc"
};

constexpr char kToUnicode[] =
    "/CIDInit /ProcSet findresource begin\n"
    "12 dict begin\n"
    "begincmap\n"
    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
    "/CMapName /Adobe-Identity-UCS def\n"
    "/CMapType 2 def\n"
    "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
    "1 beginbfrange\n<0000> <FFFF> <0000>\nendbfrange\n"
    "endcmap\n"
    "CMapName currentdict /CMap defineresource pop\n"
    "end\nend\n";

// Decodes one UTF-8 sequence at s[*i]; advances *i. Invalid input -> U+FFFD.
char32_t NextCodePoint(std::string_view s, size_t* i) {
  const unsigned char c = static_cast<unsigned char>(s[*i]);
  int extra = c < 0x80         ? 0
              : (c >> 5) == 6  ? 1
              : (c >> 4) == 14 ? 2
              : (c >> 3) == 30 ? 3
                               : -1;
  if (extra < 0 || *i + extra >= s.size() + (extra == 0 ? 1 : 0)) {
    ++*i;
    return extra == 0 ? c : 0xFFFD;
  }
  char32_t cp = extra == 0 ? c : c & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) {
    const unsigned char cc = static_cast<unsigned char>(s[*i + k]);
    if ((cc & 0xC0) != 0x80) {
      ++*i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  *i += extra + 1;
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0xFFFD;
  return cp;
}

void AppendUnit(unsigned unit, std::string* out) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04X", unit & 0xFFFF);
  out->append(buf);
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s(buf);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

}  // namespace

std::string_view GlyphlessFontProgram() {
  return std::string_view(reinterpret_cast<const char*>(kFont), sizeof kFont);
}

std::string_view GlyphlessToUnicodeCMap() { return kToUnicode; }

std::string GlyphlessCidToGidMap() {
  std::string map(2 * 65536, '\0');
  for (size_t i = 1; i < map.size(); i += 2) map[i] = 1;
  return map;
}

std::string Utf16Hex(std::string_view utf8, int* units) {
  std::string out = "<";
  *units = 0;
  for (size_t i = 0; i < utf8.size();) {
    const char32_t cp = NextCodePoint(utf8, &i);
    if (cp < 0x20 || cp == 0x7F) continue;  // controls extract as nothing useful
    if (cp >= 0x10000) {
      AppendUnit(0xD800 + ((cp - 0x10000) >> 10), &out);
      AppendUnit(0xDC00 + ((cp - 0x10000) & 0x3FF), &out);
      *units += 2;
    } else {
      AppendUnit(cp, &out);
      ++*units;
    }
  }
  return out + ">";
}

std::string TextLayerContent(const PageBoxes& boxes, std::string_view font_name) {
  std::string out;
  for (const PageBoxes::Block& block : boxes.blocks) {
    for (const PageBoxes::Line& line : block.lines) {
      if (line.words.empty()) continue;
      // Most words sit on the baseline; those that do not hang below it (descenders).
      std::vector<int> bottoms;
      int top = line.box.y1;
      for (const PageBoxes::Word& w : line.words) {
        bottoms.push_back(w.box.y1);
        top = std::min(top, w.box.y0);
      }
      std::nth_element(bottoms.begin(), bottoms.begin() + bottoms.size() / 2,
                       bottoms.end());
      int baseline = bottoms[bottoms.size() / 2];
      if (line.baseline > top && line.baseline <= line.box.y1) baseline = line.baseline;
      const double size = std::max(1, baseline - top);
      const double y = boxes.height - baseline;
      std::string words;
      for (size_t i = 0; i < line.words.size(); ++i) {
        const PageBoxes::Word& w = line.words[i];
        int units = 0;
        const std::string hex = Utf16Hex(w.text, &units);
        // A word ends where the next begins: OCR boxes may overlap (wide CJK glyph
        // boxes), and an extractor that sees text step backwards starts a new line.
        int right = w.box.x1;
        if (i + 1 < line.words.size() && line.words[i + 1].box.x0 > w.box.x0)
          right = std::min(right, line.words[i + 1].box.x0);
        const int width = right - w.box.x0;
        if (units == 0 || width <= 0) continue;
        const double natural = units * size * kGlyphlessAdvance / 1000.0;
        words += Num(100.0 * width / natural) + " Tz 1 0 0 1 " + Num(w.box.x0) + " " +
                 Num(y) + " Tm " + hex + " Tj\n";
      }
      if (words.empty()) continue;
      out += std::string(font_name) + " " + Num(size) + " Tf\n" + words;
    }
  }
  if (out.empty()) return out;
  return "BT\n3 Tr\n" + out + "ET\n";
}

}  // namespace pageflow
