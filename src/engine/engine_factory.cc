#include "engine/engine_factory.h"

#include "engine/ppocr/ppocr_engine.h"
#include "engine/tesseract/tesseract_engine.h"
#include "engine/text_layer/text_layer_engine.h"

namespace pageflow {
namespace {

// The OCR engines (everything but text-layer and auto), in the order help lists them.
constexpr const char* kOcrEngines[] = {"tesseract", "ppocr"};

bool IsOcrEngine(const std::string& kind) {
  for (const char* k : kOcrEngines) {
    if (kind == k) return true;
  }
  return false;
}

StatusOr<std::unique_ptr<Engine>> CreateOcrEngine(const std::string& kind, const EngineOptions& options,
                                                  MemoryBudget& budget) {
  if (kind == "tesseract") return CreateTesseractEngine({options.lang, options.tessdata_dir}, budget);
  if (kind == "ppocr") {
    PpocrOptions ppocr;
    ppocr.models_dir = options.models_dir;
    return CreatePpocrEngine(ppocr, budget);
  }
  return InvalidArgument("unknown OCR engine '" + kind + "' (use " + KnownEnginesList() + ")");
}

}  // namespace

bool IsKnownEngine(const std::string& kind) { return kind == "auto" || kind == "text-layer" || IsOcrEngine(kind); }

std::string KnownEnginesList() {
  std::string list = "auto, text-layer";
  for (const char* k : kOcrEngines) list += std::string(", ") + k;
  return list;
}

StatusOr<std::unique_ptr<Engine>> CreateEngine(const EngineOptions& options, MemoryBudget& budget) {
  if (options.kind == "text-layer") return CreateTextLayerEngine();
  if (options.kind == "auto") {
    if (!IsOcrEngine(options.auto_ocr)) {
      return InvalidArgument("auto cannot fall back to '" + options.auto_ocr + "': not an OCR engine");
    }
    PF_ASSIGN_OR_RETURN(std::unique_ptr<Engine> ocr, CreateOcrEngine(options.auto_ocr, options, budget));
    return CreateAutoEngine(std::move(ocr));
  }
  return CreateOcrEngine(options.kind, options, budget);
}

}  // namespace pageflow
