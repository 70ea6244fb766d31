// TesseractEngine: Debian's libtesseract (LSTM, tessdata_fast models), one TessBaseAPI
// per instance. OMP_THREAD_LIMIT must be 1 before the library loads (the CLI re-execs
// itself to make sure): with OpenMP on it is 3.4x slower on 2 cores for the same text.
#pragma once

#include <memory>
#include <string>

#include "base/memory_budget.h"
#include "engine/engine.h"

namespace pageflow {

struct TesseractOptions {
  // "+"-joined traineddata names, or "auto": each page's script is detected (OSD) and
  // read with the installed languages of that script; the worker then holds the OSD
  // model and one language set at a time, each charged as a fixed cost while loaded.
  // Without auto, a page of low confidence in a script these languages do not read gets
  // a note naming the language to add.
  std::string lang = "eng";
  std::string tessdata_dir;  // empty: $TESSDATA_PREFIX, else Debian's folder
};

// Loads the models (fixed cost measured and charged to `budget` for the engine's life).
// UNAVAILABLE when a language is not installed, naming the installed ones.
StatusOr<std::unique_ptr<Engine>> CreateTesseractEngine(const TesseractOptions& options,
                                                        MemoryBudget& budget);

// Working memory Tesseract needs for a w x h gray page beyond the raster: its own copy
// of the image, thresholded and reduced copies, and connected-component bookkeeping.
int64_t TesseractWorkingBytes(int width, int height);

}  // namespace pageflow
