// Built when ONNX Runtime was not found: the engine exists by name but cannot run.
#include "engine/ppocr/ppocr_engine.h"

namespace pageflow {

StatusOr<std::unique_ptr<Engine>> CreatePpocrEngine(const PpocrOptions&, MemoryBudget&) {
  return Unavailable(
      "the ppocr engine is unavailable: this pageflow was built without ONNX Runtime "
      "(run scripts/setup, which fetches it into third_party/, then rebuild)");
}

int64_t PpocrWorkingBytes(const PpocrOptions&) { return 0; }

bool PpocrAvailable() { return false; }

}  // namespace pageflow
