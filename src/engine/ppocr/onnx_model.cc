#include "engine/ppocr/onnx_model.h"

#include <onnxruntime_cxx_api.h>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <sys/stat.h>

#include "base/log.h"
#include "base/process_stats.h"

namespace pageflow {
namespace {

// One ORT environment per process (ORT requires at most one); created on first load.
Ort::Env& OrtEnvironment() {
  static Ort::Env* env = new Ort::Env(ORT_LOGGING_LEVEL_ERROR, "pageflow");  // never freed: ORT
  return *env;                                                             // must outlive sessions
}

// The shared capped arena, registered with the environment once (kCapped sessions use it).
void RegisterCappedArena(int64_t max_bytes) {
  static std::once_flag once;
  std::call_once(once, [max_bytes] {
    const char* keys[] = {"max_mem", "arena_extend_strategy", "initial_chunk_size_bytes",
                          "initial_growth_chunk_size_bytes"};
    // kSameAsRequested (1): grow by exactly what a tensor needs, no doubling.
    const size_t values[] = {static_cast<size_t>(max_bytes), 1, 1 << 20, 1 << 20};
    OrtArenaCfg* cfg = nullptr;
    Ort::ThrowOnError(Ort::GetApi().CreateArenaCfgV2(keys, values, 4, &cfg));
    Ort::MemoryInfo info = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
    Ort::Status st(Ort::GetApi().CreateAndRegisterAllocator(OrtEnvironment(), info, cfg));
    Ort::GetApi().ReleaseArenaCfg(cfg);
    if (!st.IsOK()) throw Ort::Exception(st.GetErrorMessage(), st.GetErrorCode());
  });
}

// Loads are serialized so each load's RSS growth is measured on its own (other workers
// may still be running inference; the clamp in Load bounds what that noise can do).
std::mutex g_load_mu;

int64_t FileBytes(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

}  // namespace

struct OnnxModel::Session {
  std::unique_ptr<Ort::Session> session;
  std::string input_name, output_name;
};

OnnxModel::OnnxModel(std::string path, std::string what, OrtSettings settings, MemoryBudget* budget)
    : path_(std::move(path)), what_(std::move(what)), settings_(settings), budget_(budget) {}

OnnxModel::~OnnxModel() { Unload(); }

Status CheckOnnxFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Unavailable("model file " + path + " is missing or unreadable");
  char head[2] = {0, 0};
  in.read(head, 2);
  // An ONNX ModelProto starts with ir_version: field 1, varint (tag 0x08), a small value.
  if (in.gcount() < 2 || head[0] != 0x08 || head[1] < 1 || head[1] > 20) {
    return Unavailable("model file " + path + " is not an ONNX model (corrupt or wrong file)");
  }
  return Status::Ok();
}

Status OnnxModel::Load() {
  if (session_) return Status::Ok();
  PF_RETURN_IF_ERROR(CheckOnnxFile(path_));
  // Weights plus ORT's graph copies and pre-packed kernels: measured 2-4x the file.
  const int64_t file_bytes = FileBytes(path_);
  const int64_t estimate = 4 * file_bytes + (16ll << 20);
  // Wait for room before loading so a load never pushes real usage past the budget;
  // the room is handed back and the measured cost charged as fixed just after.
  PF_ASSIGN_OR_RETURN(Reservation room, budget_->Reserve(estimate, what_ + " model (loading)"));
  std::lock_guard<std::mutex> lock(g_load_mu);
  const int64_t before = CurrentRssBytes();
  auto s = std::make_unique<Session>();
  try {
    Ort::SessionOptions options;
    options.SetIntraOpNumThreads(std::max(1, settings_.threads));
    options.SetInterOpNumThreads(1);
    options.SetExecutionMode(ExecutionMode::ORT_SEQUENTIAL);
    options.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_ENABLE_ALL);
    if (settings_.arena == OrtArena::kOff) options.DisableCpuMemArena();
    if (settings_.arena == OrtArena::kCapped) {
      RegisterCappedArena(settings_.capped_arena_bytes);
      options.AddConfigEntry("session.use_env_allocators", "1");
    }
    if (!settings_.mem_pattern) options.DisableMemPattern();
    // Per-session thread pools would otherwise spin waiting for work between runs.
    options.AddConfigEntry("session.intra_op.allow_spinning", "0");
    s->session = std::make_unique<Ort::Session>(OrtEnvironment(), path_.c_str(), options);
    Ort::AllocatorWithDefaultOptions allocator;
    s->input_name = s->session->GetInputNameAllocated(0, allocator).get();
    s->output_name = s->session->GetOutputNameAllocated(0, allocator).get();
  } catch (const Ort::Exception& e) {
    return Unavailable("cannot load " + what_ + " model " + path_ + ": " + e.what());
  } catch (const std::exception& e) {
    return Unavailable("cannot load " + what_ + " model " + path_ + ": " + e.what());
  }
  // The RSS the load added, but at least the file and at most the estimate, so that
  // another worker's inference running meanwhile cannot distort the charge much.
  const int64_t cost = std::clamp(CurrentRssBytes() - before, file_bytes, estimate);
  room.Release();
  StatusOr<Reservation> fixed = budget_->ChargeFixed(cost, what_ + " model");
  if (!fixed.ok()) return fixed.status();
  fixed_ = std::move(*fixed);
  session_ = std::move(s);
  LogInfo(what_ + " model loaded: " + FormatBytes(cost) + " charged");
  return Status::Ok();
}

void OnnxModel::Unload() {
  session_.reset();
  fixed_.Release();
}

StatusOr<OnnxOutput> OnnxModel::Run(float* input, const std::vector<int64_t>& shape) {
  assert(session_ != nullptr);
  try {
    int64_t count = 1;
    for (int64_t d : shape) count *= d;
    Ort::MemoryInfo info = Ort::MemoryInfo::CreateCpu(OrtDeviceAllocator, OrtMemTypeCPU);
    Ort::Value in = Ort::Value::CreateTensor<float>(info, input, static_cast<size_t>(count),
                                                    shape.data(), shape.size());
    const char* in_names[] = {session_->input_name.c_str()};
    const char* out_names[] = {session_->output_name.c_str()};
    Ort::RunOptions run;
    // Hand the arena's free chunks back after the run, so its size follows the page.
    if (settings_.arena == OrtArena::kCapped) run.AddConfigEntry("memory.enable_memory_arena_shrinkage", "cpu:0");
    std::vector<Ort::Value> outs = session_->session->Run(run, in_names, &in, 1, out_names, 1);
    auto value = std::make_shared<Ort::Value>(std::move(outs[0]));
    OnnxOutput out;
    out.shape = value->GetTensorTypeAndShapeInfo().GetShape();
    out.data = value->GetTensorData<float>();
    out.owner = value;
    return out;
  } catch (const Ort::Exception& e) {
    return Internal(what_ + " inference failed: " + std::string(e.what()));
  }
}

}  // namespace pageflow
