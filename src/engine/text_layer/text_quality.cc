#include "engine/text_layer/text_quality.h"

#include <cstdio>
#include <string>

namespace pageflow {
namespace {

// Decodes one UTF-8 code point at s[i], advancing i; invalid bytes yield U+FFFD.
int NextCodePoint(const std::string& s, size_t& i) {
  const auto c = static_cast<unsigned char>(s[i]);
  int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return 0xFFFD;
  }
  int cp = len == 1 ? c : c & (0xFF >> (len + 1));
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += len;
  return cp;
}

bool IsVowel(int c) {
  switch (c | 0x20) {
    case 'a': case 'e': case 'i': case 'o': case 'u': case 'y': return true;
    default: return false;
  }
}

// Thresholds chosen on the dev corpus: real English/German/code pages have 30-40% vowels
// among ASCII letters; the glyph-shifted layer in unreliable_text_layer/ has about 10%.
constexpr int kMinChars = 16;
constexpr double kMaxBadFraction = 0.05;
constexpr int kMinLettersForVowelTest = 200;
constexpr double kMinVowelFraction = 0.22;

}  // namespace

TextQuality AssessTextLayer(const TextLayerPage& page) {
  TextQuality q;
  int bad = 0, ascii_letters = 0, vowels = 0;
  for (const TextLine& line : page.lines) {
    for (size_t i = 0; i < line.text.size();) {
      const int c = NextCodePoint(line.text, i);
      if (c == ' ' || c == '\t') continue;
      ++q.chars;
      if (c == 0xFFFD || (c >= 0xE000 && c <= 0xF8FF) || c < 0x20) ++bad;
      if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
        ++ascii_letters;
        if (IsVowel(c)) ++vowels;
      }
    }
  }
  q.unmapped = bad;
  char buf[160];
  // A short layer is trusted on a page of vector text (a title page), not on one that
  // also paints pictures: that is a scan with a few stray words, or none at all.
  if (q.chars == 0 || (q.chars < kMinChars && page.has_images)) {
    std::snprintf(buf, sizeof buf, "text layer has only %d characters", q.chars);
    q.reason = buf;
    return q;
  }
  if (bad > kMaxBadFraction * q.chars) {
    std::snprintf(buf, sizeof buf, "%.0f%% of the text layer's characters are unmapped glyphs",
                  100.0 * bad / q.chars);
    q.reason = buf;
    return q;
  }
  if (ascii_letters >= kMinLettersForVowelTest &&
      vowels < kMinVowelFraction * ascii_letters) {
    std::snprintf(buf, sizeof buf,
                  "text layer looks garbled (%.0f%% vowels among Latin letters; shifted glyphs?)",
                  100.0 * vowels / ascii_letters);
    q.reason = buf;
    return q;
  }
  q.usable = true;
  return q;
}

std::string UnmappedNote(const TextQuality& quality) {
  if (quality.unmapped == 0) return "";
  return "text layer: " + std::to_string(quality.unmapped) + " of " +
         std::to_string(quality.chars) +
         " characters are unmapped glyphs (U+FFFD, private use, control)";
}

}  // namespace pageflow
