#include "input/glyph_names.h"

#include <cctype>
#include <cstring>
#include <string>

extern "C" {
#include <mupdf/fitz.h>
}

namespace pageflow {
namespace {

constexpr int kUnknown = 0xFFFD;

bool Printable(int c) {
  return c > 0x20 && c != 0x7F && !(c >= 0x80 && c < 0xA0) && c != kUnknown &&
         !(c >= 0xE000 && c <= 0xF8FF) && c <= 0x10FFFF;
}

// The Adobe Glyph List and uniXXXX / uXXXX / aNNN names (MuPDF's reading), strict about
// what comes back.
int Agl(const std::string& name) {
  if (name.empty() || name.size() >= 64) return kUnknown;
  const int c = fz_unicode_from_glyph_name(name.c_str());
  return Printable(c) ? c : kUnknown;
}

// Suffixes that name a variant or a size of a glyph, not another character: TeX's
// extension-font sizes (cmex: "summationdisplay", "bracketleftBigg"), type designers'
// alternates ("betatwo", "gammaalt", "zerooldstyle").
constexpr const char* kVariantSuffixes[] = {
    "display", "text", "Bigg",  "bigg",  "Big",      "big",      "alt",      "var",
    "one",     "two",  "three", "small", "oldstyle", "superior", "inferior", "swash"};

// Mathematical Pi (Linotype's symbol fonts, common in journal PDFs) numbers its glyphs
// "H" + a decimal with no Unicode meaning; pdftotext reads the number as a code point
// ("H11001" as U+2AF9). These are read from pages whose text makes them certain ("Tel.
// +81-86...", "1 x 10^5 spores", "5'-3'", "beta-aspartyl", "12.5 micromolar"); the Greek
// run between the two letters seen (H9252 beta, H9262 mu) is the alphabet's order.
struct PiName {
  int number;
  int unicode;
};
constexpr PiName kMathPi[] = {
    {9251, 0x03B1}, {9252, 0x03B2}, {9253, 0x03B3}, {9254, 0x03B4},  {9255, 0x03B5},
    {9256, 0x03B6}, {9257, 0x03B7}, {9258, 0x03B8}, {9259, 0x03B9},  {9260, 0x03BA},
    {9261, 0x03BB}, {9262, 0x03BC}, {11001, '+'},   {11003, 0x00D7}, {11032, 0x2032},
};

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

int UnicodeFromGlyphName(const char* name) {
  if (name == nullptr || name[0] == '\0' || name[0] == '.') return kUnknown;
  std::string n(name);
  // "a.sc", "one.oldstyle": the part before the first period names the character.
  if (const size_t dot = n.find('.'); dot != std::string::npos && dot > 0) n.resize(dot);
  bool digits_only = true;
  for (char c : n)
    digits_only = digits_only && std::isdigit(static_cast<unsigned char>(c));
  if (digits_only) return kUnknown;  // a font without names: "120" is a glyph index
  if (int c = Agl(n); c != kUnknown) return c;
  for (const char* suffix : kVariantSuffixes) {
    const size_t len = std::strlen(suffix);
    if (n.size() > len + 1 && n.compare(n.size() - len, len, suffix) == 0) {
      if (int c = Agl(n.substr(0, n.size() - len)); c != kUnknown) return c;
    }
  }
  // "xA9", "gC3": one letter and two hex digits, the glyph's code in a Latin-1 font.
  if (n.size() == 3 && std::isalpha(static_cast<unsigned char>(n[0])) &&
      HexDigit(n[1]) >= 0 && HexDigit(n[2]) >= 0) {
    const int c = HexDigit(n[1]) * 16 + HexDigit(n[2]);
    if (Printable(c)) return c;
  }
  if (n.size() >= 5 && n[0] == 'H') {
    int number = 0;
    bool ok = true;
    for (size_t i = 1; i < n.size() && ok; ++i) {
      ok = std::isdigit(static_cast<unsigned char>(n[i])) != 0;
      number = number * 10 + (n[i] - '0');
    }
    if (ok) {
      for (const PiName& p : kMathPi) {
        if (p.number == number) return p.unicode;
      }
    }
  }
  return kUnknown;
}

}  // namespace pageflow
