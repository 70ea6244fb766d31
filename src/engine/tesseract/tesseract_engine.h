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
  std::string lang = "eng";  // "+"-joined traineddata names
  std::string tessdata_dir;  // empty: compiled-in default
};

// Loads the models (fixed cost measured and charged to `budget` for the engine's life).
StatusOr<std::unique_ptr<Engine>> CreateTesseractEngine(const TesseractOptions& options,
                                                        MemoryBudget& budget);

// Working memory Tesseract needs for a w x h gray page beyond the raster: its own copy
// of the image, thresholded and reduced copies, and connected-component bookkeeping.
int64_t TesseractWorkingBytes(int width, int height);

}  // namespace pageflow
