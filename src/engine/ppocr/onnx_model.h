// OnnxModel: one ONNX Runtime session, loaded on first use, whose memory is charged to
// the budget as a fixed cost while it is loaded. Shared by det/, cls/ and rec/.
//
//   OnnxModel det("/models/det.onnx", "PP-OCR detection", {}, &budget);
//   PF_RETURN_IF_ERROR(det.Load());            // no-op once loaded
//   StatusOr<OnnxOutput> out = det.Run(input, {1, 3, 640, 960});
//
// Not thread-safe: one instance per engine, used by one worker at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/memory_budget.h"
#include "base/status.h"

namespace pageflow {

enum class OrtArena {
  kOff,      // every tensor straight from malloc
  kDefault,  // ORT's per-session BFC arena: grows by doubling, never shrinks
  kCapped,   // one process-wide arena capped at capped_arena_bytes, grown by exactly what is
             // requested, and shrunk back after every run (OrtArenaCfg + shrinkage run option)
};

struct OrtSettings {
  int threads = 1;           // intra-op threads; inter-op is always 1 (sequential)
  OrtArena arena = OrtArena::kCapped;
  int64_t capped_arena_bytes = 1ll << 30;  // kCapped: the arena's hard limit (ORT fails a run above it)
  bool mem_pattern = false;  // pre-plans one block per input shape and keeps it
};

// An inference result owned by ORT: data stays valid while the OnnxOutput lives.
struct OnnxOutput {
  std::vector<int64_t> shape;
  const float* data = nullptr;
  std::shared_ptr<void> owner;  // the Ort::Value
  int64_t elements() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
  }
};

class OnnxModel {
 public:
  OnnxModel(std::string path, std::string what, OrtSettings settings, MemoryBudget* budget);
  ~OnnxModel();
  OnnxModel(const OnnxModel&) = delete;
  OnnxModel& operator=(const OnnxModel&) = delete;

  // Loads the session if needed: waits for budget room for an estimate first, then
  // charges the RSS the load added (fixed). UNAVAILABLE naming the file if ORT cannot
  // load it; RESOURCE_EXHAUSTED if the cost does not fit.
  Status Load();
  // Drops the session and returns its fixed charge.
  void Unload();
  bool loaded() const { return session_ != nullptr; }
  int64_t charged_bytes() const { return fixed_.bytes(); }

  // Runs the model's first input -> first output. `input` (caller-owned, reserved by the
  // caller) must hold the product of `shape` floats. Precondition: loaded().
  StatusOr<OnnxOutput> Run(float* input, const std::vector<int64_t>& shape);

 private:
  struct Session;
  std::string path_;
  std::string what_;
  OrtSettings settings_;
  MemoryBudget* budget_;
  std::unique_ptr<Session> session_;
  Reservation fixed_;  // the loaded session's measured RSS, charged while loaded
};

// Checks that `path` exists and starts like an ONNX protobuf (field 1, ir_version).
// UNAVAILABLE with the path otherwise. Cheap: reads a few bytes.
Status CheckOnnxFile(const std::string& path);

}  // namespace pageflow
