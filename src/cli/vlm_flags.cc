#include "cli/vlm_flags.h"

#include <iostream>
#include <sstream>

#include "base/log.h"

namespace pageflow {

void AddVlmFlags(CLI::App* cmd, VlmFlags* f, RunOptions* run) {
  VlmOptions& v = run->engine.vlm;
  const char* g = "VLM engine (--engine vlm)";
  cmd->add_option("--vlm-url", v.url, "Base URL of the OpenAI-compatible server; requests go to URL/v1/chat/completions")
      ->default_val(v.url)->group(g);
  cmd->add_option("--vlm-model", v.model, "Model name the server serves (the request's \"model\")")
      ->default_val(v.model)->group(g);
  cmd->add_option("--vlm-api-key", v.api_key, "Bearer token [default: $PAGEFLOW_VLM_API_KEY, else none]")->group(g);
  cmd->add_option("--vlm-prompt", v.prompt,
                  "olmocr (olmOCR's prompt; its YAML front matter is parsed: language, rotation, table, diagram), "
                  "markdown (plain 'convert to Markdown', e.g. DeepSeek-OCR, Qwen-VL), or a prompt template FILE")
      ->default_val(v.prompt)->group(g);
  cmd->add_option("--vlm-target-dim", v.target_dim,
                  "Longest side of the page image sent, in pixels (olmOCR: 1288); memory per page in flight grows "
                  "with its square")
      ->default_val(v.target_dim)->check(CLI::Range(64, 10000))->group(g);
  cmd->add_option("--vlm-max-inflight", v.max_inflight,
                  "Requests in flight at once: the run's workers, each charged 4 MiB (thread, connection, its "
                  "document while rendering) and, while it waits on HTTP, its request body and answer buffer; also "
                  "bounded by --memory-limit")
      ->default_val(v.max_inflight)->check(CLI::Range(1, 1024))->group(g);
  cmd->add_option("--vlm-retries", v.retries,
                  "Attempts after the first for a page (invalid or truncated answer, HTTP error, timeout)")
      ->default_val(v.retries)->check(CLI::Range(0, 100))->group(g);
  cmd->add_option("--vlm-temperatures", f->temperatures,
                  "Temperature by attempt, comma-separated; the last repeats [default: olmOCR's 0.1,0.1,0.2,0.3,0.5,0.8,0.9,1.0]")
      ->group(g);
  cmd->add_option("--vlm-max-tokens", v.max_tokens, "max_tokens per request; also caps the answer buffer")
      ->default_val(v.max_tokens)->check(CLI::Range(16, 1000000))->group(g);
  cmd->add_option("--vlm-connect-timeout", v.connect_timeout_s, "Seconds to connect")
      ->default_val(v.connect_timeout_s)->check(CLI::Range(1, 3600))->group(g);
  cmd->add_option("--vlm-timeout", v.request_timeout_s, "Seconds for one request, end to end")
      ->default_val(v.request_timeout_s)->check(CLI::Range(1, 86400))->group(g);
  cmd->add_option("--vlm-backoff-ms", v.backoff_ms, "First retry delay in ms; doubles per retry up to 30 s")
      ->default_val(v.backoff_ms)->check(CLI::Range(0, 600000))->group(g);
  cmd->add_option("--vlm-unreachable-timeout", v.unreachable_timeout_s,
                  "Connection errors back off without using attempts until no request has reached the server for "
                  "this many seconds; then pages fall back at once until it answers again")
      ->default_val(v.unreachable_timeout_s)->check(CLI::Range(0, 86400))->group(g);
  cmd->add_option("--vlm-fallback", v.fallback,
                  "Engine for pages the VLM still fails on: text-layer (PDF text), tesseract (one shared instance), "
                  "none (the page fails); fallback pages are listed in metadata.fallback_pages")
      ->default_val(v.fallback)->check(CLI::IsMember({"text-layer", "tesseract", "none"}))->group(g);
  cmd->add_option("--max-page-error-rate", run->max_page_error_rate,
                  "A document whose failed + fallback pages exceed this fraction is reported failed and not written "
                  "(olmOCR uses 0.004)")
      ->default_val(run->max_page_error_rate)->check(CLI::Range(0.0, 1.0))->group(g);
  VlmServeOptions& s = v.serve;
  cmd->add_option("--vlm-serve", s.command,
                  "Start the inference server with this shell command (e.g. \"vllm serve allenai/olmOCR-2-7B-1025-FP8 "
                  "--port 8000\"), wait for GET /v1/models, restart it if it dies, stop it at the end")
      ->group(g);
  cmd->add_option("--gpu-memory-utilization", s.gpu_memory_utilization,
                  "With --vlm-serve: fraction of GPU memory the server may take for weights + KV cache (vLLM "
                  "--gpu-memory-utilization, e.g. 0.8); lower it to share the GPU")
      ->check(CLI::Range(0.0, 1.0))->group(g);
  cmd->add_option("--max-model-len", s.max_model_len,
                  "With --vlm-serve: longest context in tokens (vLLM --max-model-len); smaller means a smaller KV "
                  "cache, but a page image plus its answer must fit (olmOCR: 16384)")
      ->check(CLI::NonNegativeNumber)->group(g);
  cmd->add_flag("--enforce-eager", s.enforce_eager,
                "With --vlm-serve: no CUDA graphs (vLLM --enforce-eager): less GPU memory, somewhat slower")
      ->group(g);
  cmd->add_option("--vlm-serve-timeout", s.ready_timeout_s, "Seconds to wait for the started server to be ready")
      ->default_val(s.ready_timeout_s)->check(CLI::Range(1, 86400))->group(g);
}

bool ApplyVlmFlags(const VlmFlags& f, CLI::App* cmd, RunOptions* run) {
  VlmOptions& v = run->engine.vlm;
  if (!f.temperatures.empty()) {
    v.temperatures.clear();
    std::stringstream in(f.temperatures);
    std::string item;
    while (std::getline(in, item, ',')) {
      try {
        size_t used = 0;
        const double t = std::stod(item, &used);
        if (used != item.size() || t < 0 || t > 2) throw std::invalid_argument(item);
        v.temperatures.push_back(t);
      } catch (...) {
        std::cerr << "pageflow: --vlm-temperatures: '" << item << "' is not a temperature in [0, 2]\n";
        return false;
      }
    }
  }
  const bool vlm = run->engine.kind == "vlm" || (run->engine.kind == "auto" && run->engine.auto_ocr == "vlm");
  if (vlm) {
    // The workers are the in-flight slots: a worker waiting on HTTP costs a thread and
    // its request's reservation, nothing more.
    if (cmd->count("--workers") > 0 && run->workers != v.max_inflight) {
      LogWarning("--engine vlm: using --vlm-max-inflight " + std::to_string(v.max_inflight) +
                 " workers, not --workers " + std::to_string(run->workers));
    }
    run->workers = v.max_inflight;
  }
  return true;
}

}  // namespace pageflow
