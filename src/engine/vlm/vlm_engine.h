// VlmEngine: a page becomes one chat-completions request to a document VLM served by an
// OpenAI-compatible server (vLLM, SGLang, LMDeploy, llama.cpp). The page is rendered at
// --vlm-target-dim, PNG-encoded and base64'd straight into the request body; the raster,
// PNG, body and answer buffer are all reserved from the budget before the page is
// rendered, and while the request waits on the server only the body and the answer
// buffer stay reserved. Pipeline workers are the in-flight slots (one request each).
//
//   auto group = CreateVlmEngineGroup(options.vlm, {lang, tessdata}, budget);  // once per run
//   auto engine = CreateVlmEngine(*group, budget);                              // once per worker
#pragma once

#include <memory>

#include "base/memory_budget.h"
#include "engine/engine.h"
#include "engine/tesseract/tesseract_engine.h"
#include "engine/vlm/vlm_options.h"

namespace pageflow {

// What the engines of one run share: options, the prompt, the fallback Tesseract (one,
// used under a lock: the fallback is the rare path), the supervised server, and metrics
// (logged when the last engine is destroyed).
class VlmEngineGroup;

// Validates the options, loads the prompt, starts and waits for the server with
// --vlm-serve, and loads the Tesseract fallback (charged to the budget).
// INVALID_ARGUMENT for bad options; UNAVAILABLE when the server or fallback cannot start.
StatusOr<std::shared_ptr<VlmEngineGroup>> CreateVlmEngineGroup(const VlmOptions& options,
                                                               const TesseractOptions& fallback_tesseract,
                                                               MemoryBudget& budget);
// One engine (one keep-alive connection); charges its small fixed cost to the budget.
StatusOr<std::unique_ptr<Engine>> CreateVlmEngine(std::shared_ptr<VlmEngineGroup> group, MemoryBudget& budget);

// Bytes a page of w x h (gray) needs beyond its raster: PNG, request body, answer buffer.
int64_t VlmWorkingBytes(const VlmOptions& options, int64_t prompt_bytes, int width, int height);

}  // namespace pageflow
