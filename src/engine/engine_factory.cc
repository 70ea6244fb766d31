#include "engine/engine_factory.h"

#include "engine/ppocr/ppocr_engine.h"
#include "engine/tesseract/tesseract_engine.h"
#include "engine/text_layer/text_layer_engine.h"
#include "engine/vlm/vlm_engine.h"

namespace pageflow {
namespace {

// The OCR engines (everything but text-layer and auto), in the order help lists them.
constexpr const char* kOcrEngines[] = {"tesseract", "ppocr", "vlm"};

bool IsOcrEngine(const std::string& kind) {
  for (const char* k : kOcrEngines) {
    if (kind == k) return true;
  }
  return false;
}

StatusOr<std::unique_ptr<Engine>> CreateOcrEngine(const std::string& kind, const EngineOptions& options,
                                                  MemoryBudget& budget,
                                                  const std::shared_ptr<VlmEngineGroup>& vlm = nullptr) {
  if (kind == "tesseract") return CreateTesseractEngine({options.lang, options.tessdata_dir}, budget);
  if (kind == "ppocr") {
    PpocrOptions ppocr;
    ppocr.models_dir = options.models_dir;
    return CreatePpocrEngine(ppocr, budget);
  }
  if (kind == "vlm") {
    if (vlm) return CreateVlmEngine(vlm, budget);
    PF_ASSIGN_OR_RETURN(std::shared_ptr<VlmEngineGroup> group,
                        CreateVlmEngineGroup(options.vlm, {options.lang, options.tessdata_dir}, budget));
    return CreateVlmEngine(std::move(group), budget);
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

namespace {

StatusOr<std::unique_ptr<Engine>> CreateEngineShared(const EngineOptions& options, MemoryBudget& budget,
                                                     const std::shared_ptr<VlmEngineGroup>& vlm) {
  if (options.kind == "text-layer") return CreateTextLayerEngine();
  if (options.kind == "auto") {
    if (!IsOcrEngine(options.auto_ocr)) {
      return InvalidArgument("auto cannot fall back to '" + options.auto_ocr + "': not an OCR engine");
    }
    PF_ASSIGN_OR_RETURN(std::unique_ptr<Engine> ocr, CreateOcrEngine(options.auto_ocr, options, budget, vlm));
    return CreateAutoEngine(std::move(ocr));
  }
  return CreateOcrEngine(options.kind, options, budget, vlm);
}

}  // namespace

StatusOr<std::unique_ptr<Engine>> CreateEngine(const EngineOptions& options, MemoryBudget& budget) {
  return CreateEngineShared(options, budget, nullptr);
}

StatusOr<EngineFactory> CreateSharedEngineFactory(const EngineOptions& options, MemoryBudget& budget) {
  std::shared_ptr<VlmEngineGroup> vlm;
  if (options.kind == "vlm" || (options.kind == "auto" && options.auto_ocr == "vlm")) {
    PF_ASSIGN_OR_RETURN(vlm, CreateVlmEngineGroup(options.vlm, {options.lang, options.tessdata_dir}, budget));
  }
  return EngineFactory([vlm](const EngineOptions& o, MemoryBudget& b) { return CreateEngineShared(o, b, vlm); });
}

}  // namespace pageflow
