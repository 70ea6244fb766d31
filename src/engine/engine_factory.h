// Makes the engine a worker will use. Fixed costs (models) are measured at load and
// charged to the budget for the engine's lifetime; if they do not fit, the error says
// what --memory-limit would.
//
//   StatusOr<std::unique_ptr<Engine>> e = CreateEngine({.kind = "auto"}, budget);
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/memory_budget.h"
#include "engine/engine.h"
#include "engine/vlm/vlm_options.h"

namespace pageflow {

struct EngineOptions {
  std::string kind = "auto";   // one of KnownEngines()
  std::string auto_ocr = "tesseract";  // the OCR engine `auto` uses where the text layer is not good
  std::string lang = "eng";    // Tesseract languages, e.g. "eng+deu"
  std::string tessdata_dir;    // empty: Tesseract's compiled-in default
  std::string models_dir;      // ppocr models; empty: $PAGEFLOW_PPOCR_MODELS or the built-in path
  VlmOptions vlm;              // the vlm engine (and its fallback uses lang/tessdata_dir)
};

// INVALID_ARGUMENT for an unknown kind; UNAVAILABLE when a model cannot load;
// RESOURCE_EXHAUSTED when its fixed cost does not fit the budget.
StatusOr<std::unique_ptr<Engine>> CreateEngine(const EngineOptions& options, MemoryBudget& budget);
// Makes one engine; CreateEngine is one, tests substitute their own.
using EngineFactory = std::function<StatusOr<std::unique_ptr<Engine>>(const EngineOptions&, MemoryBudget&)>;
// A factory for the engines of one run (one per worker) that share what they can: the
// vlm engines share one fallback, metrics and the supervised server, created and
// charged now. Same errors as CreateEngine.
StatusOr<EngineFactory> CreateSharedEngineFactory(const EngineOptions& options, MemoryBudget& budget);
bool IsKnownEngine(const std::string& kind);
// The engine kinds, for messages and help: "auto, text-layer, tesseract, ppocr".
std::string KnownEnginesList();

}  // namespace pageflow
