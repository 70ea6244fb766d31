// Decides whether a PDF's own text layer can be trusted. Rejects layers that are
// missing, or nearly empty on a page with pictures (scans), full of unmapped glyphs (U+FFFD, private-use
// code points, control characters), or Latin text whose letters are shifted or
// scrambled (fonts with a broken ToUnicode map: "Zm Nodm Bnqotr" for "An Open Corpus").
#pragma once

#include <string>

#include "input/document.h"

namespace pageflow {

struct TextQuality {
  bool usable = false;
  std::string reason;  // why not, for the output metadata
  int chars = 0;       // non-space characters
  // Characters left without a Unicode value: U+FFFD (a glyph neither the font's
  // ToUnicode map, its encoding nor its glyph names resolve), private-use code points,
  // control characters. A usable layer may have a few (a logo, a TeX dingbat).
  int unmapped = 0;
};

// The page note for a usable layer with unmapped characters ("" when there are none).
std::string UnmappedNote(const TextQuality& quality);

TextQuality AssessTextLayer(const TextLayerPage& page);

}  // namespace pageflow
