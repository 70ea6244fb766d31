// Reads a document the way a pipeline worker does, under a small budget: opens it, and
// for its first pages reads the geometry, the text layer (PDF) and a raster at a low
// resolution through DocumentPageAccess (reservations, MuPDF's allowance). Shared by the
// PDF and image targets.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "input/document.h"

namespace pageflow::fuzz {

// Budget the targets read under: room for a page and MuPDF's allowance, small enough
// that a hostile file's claims are refused or downscaled rather than honoured.
inline constexpr int64_t kFuzzBudgetBytes = 160ll << 20;
// Pages read per input (the rest of a long document adds time, not coverage).
inline constexpr int kFuzzPages = 3;

// Reads the pages of `doc` as described above. Checks that every reservation is given
// back and that a raster is the size planned.
void ReadPages(Document* doc);

}  // namespace pageflow::fuzz
