// TextLayerEngine: a PDF's own text, near-free. AutoEngine: the text layer where it is
// good (see text_quality.h), otherwise the OCR engine it wraps.
#pragma once

#include <memory>

#include "engine/engine.h"

namespace pageflow {

std::unique_ptr<Engine> CreateTextLayerEngine();
// `ocr` recognizes the pages whose text layer is missing or unreliable.
std::unique_ptr<Engine> CreateAutoEngine(std::unique_ptr<Engine> ocr);

}  // namespace pageflow
