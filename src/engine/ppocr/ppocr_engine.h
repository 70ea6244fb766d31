// PpocrEngine: PaddleOCR PP-OCRv4 text detection (DB), a 0/180 direction classifier and
// CTC line recognition, as ONNX models run by ONNX Runtime on the CPU.
//
//   StatusOr<std::unique_ptr<Engine>> e = CreatePpocrEngine(PpocrOptions{}, budget);
//   StatusOr<PageText> text = (*e)->Recognize(page);  // first page loads the models
//
// Memory: nothing is loaded when the engine is created (only the model files are
// checked). On the first page each sub-model is loaded and the RSS it added is charged to
// the budget as a fixed cost, before that page's raster is reserved. Detection runs on
// tiles of at most det_tile_px (pages are first scaled to det_dpi), so a page's working
// set does not grow with its size; PpocrWorkingBytes() is what each page reserves on top
// of its raster. One ORT session per model per engine; one engine per worker thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/memory_budget.h"
#include "engine/engine.h"

namespace pageflow {

struct PpocrOptions {
  // Directory holding ch_PP-OCRv4_det_infer.onnx, ch_PP-OCRv4_rec_infer.onnx,
  // ch_ppocr_mobile_v2.0_cls_infer.onnx and ppocr_keys_v1.txt. Empty: $PAGEFLOW_PPOCR_MODELS,
  // else the directory baked in at build time (third_party/ocr-models/assets).
  std::string models_dir;
  // Detection resolution: PDF renders and images with a known DPI above this are scaled
  // down to it for detection (recognition still reads the full-resolution crops).
  // 150 DPI puts 10 pt text at ~20 px, where DB detection is reliable.
  int det_dpi = 150;
  // Longest side of the detection image; larger pages (after det_dpi) are scaled down to
  // it. Bounds detection time on huge photos of unknown DPI.
  int det_max_page_px = 2400;
  // Longest side of one detection tile (and of the whole detection image when it fits),
  // <= 1024. ORT's working memory grows with its square. Measured (README, "ppocr"):
  // 640 px peaks at 210 MiB RSS per worker vs 316 MiB at 960, same accuracy, 6% slower.
  int det_tile_px = 640;
  int det_tile_overlap_px = 128;  // tiles overlap by at least this; boxes merged across
  float det_threshold = 0.3f;     // DB: probability above which a pixel is text
  float det_box_threshold = 0.6f; // DB: mean probability a box needs to be kept
  float det_unclip_ratio = 1.5f;  // DB: box expansion (area * ratio / perimeter)
  bool use_direction_classifier = true;  // cls: rotate lines read upside down
  // Recognition batch: crops (height 48) sorted by width and batched while the padded
  // widths sum to at most this many pixels. Memory grows linearly with it.
  int rec_batch_columns = 3200;
  float rec_min_score = 0.5f;  // lines recognized with a lower mean score are dropped
  // ORT settings, measured in the README ("ppocr memory"). Arena: 0 off, 1 ORT's default
  // per-session arena, 2 one capped arena shrunk after every run (default: lowest peak).
  int ort_arena = 2;
  bool ort_mem_pattern = false;
  int ort_threads = 1;  // intra-op threads per session; pageflow runs one engine per worker
  // Unload all models (returning their fixed charge) after this many milliseconds without
  // a page; the next page loads them again. 0: keep them loaded for the engine's life.
  // For long-lived processes that sit idle (serve); a batch run keeps them busy anyway.
  int64_t idle_unload_ms = 0;
};

// Checks the model files (existence, an ONNX header, the dictionary) without loading any
// model. UNAVAILABLE naming the file when one is missing or is not an ONNX model.
StatusOr<std::unique_ptr<Engine>> CreatePpocrEngine(const PpocrOptions& options,
                                                    MemoryBudget& budget);

// Bytes a page needs beyond its raster: one detection tile's tensors and ORT activations,
// one recognition batch, and the crops being read. Independent of the page size.
int64_t PpocrWorkingBytes(const PpocrOptions& options);

// True when this build includes the engine (ONNX Runtime found at build time).
bool PpocrAvailable();

}  // namespace pageflow
