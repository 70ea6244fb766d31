#include "engine/engine_factory.h"

#include "engine/tesseract/tesseract_engine.h"
#include "engine/text_layer/text_layer_engine.h"

namespace pageflow {

bool IsKnownEngine(const std::string& kind) {
  return kind == "auto" || kind == "text-layer" || kind == "tesseract";
}

StatusOr<std::unique_ptr<Engine>> CreateEngine(const EngineOptions& options, MemoryBudget& budget) {
  if (options.kind == "text-layer") return CreateTextLayerEngine();
  if (options.kind == "tesseract" || options.kind == "auto") {
    PF_ASSIGN_OR_RETURN(std::unique_ptr<Engine> ocr,
                        CreateTesseractEngine({options.lang, options.tessdata_dir}, budget));
    if (options.kind == "tesseract") return ocr;
    return CreateAutoEngine(std::move(ocr));
  }
  return InvalidArgument("unknown engine '" + options.kind + "' (use auto, text-layer or tesseract)");
}

}  // namespace pageflow
