// TextLayerEngine: a PDF's own text, near-free. AutoEngine: the text layer where it is
// good (see text_quality.h), otherwise the OCR engine it wraps.
#pragma once

#include <memory>

#include "engine/engine.h"

namespace pageflow {

std::unique_ptr<Engine> CreateTextLayerEngine();
// The text layer only where it passes the quality check `auto` uses (text_quality.h);
// other pages fail with the check's reason (the vlm engine's text-layer fallback).
std::unique_ptr<Engine> CreateCheckedTextLayerEngine();
// `ocr` recognizes the pages whose text layer is missing or unreliable.
std::unique_ptr<Engine> CreateAutoEngine(std::unique_ptr<Engine> ocr);

}  // namespace pageflow
