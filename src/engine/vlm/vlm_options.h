// Options of the `vlm` engine: which OpenAI-compatible server to call, how pages are
// sent, how failures are retried and what happens to pages that still fail. Mapped from
// flags in cli/vlm_flags.cc and nowhere else.
//
//   VlmOptions o;  o.url = "http://127.0.0.1:8000";  o.model = "allenai/olmOCR-2-7B-1025-FP8";
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace pageflow {

struct VlmServeOptions {
  // Shell command starting the inference server (e.g. "vllm serve MODEL --port 8000");
  // empty: pageflow does not start one. The flags below are appended when set.
  std::string command;
  double gpu_memory_utilization = 0;  // --gpu-memory-utilization F (0..1 of GPU memory); 0 = unset
  int max_model_len = 0;              // --max-model-len N (tokens; bounds the KV cache); 0 = unset
  bool enforce_eager = false;         // --enforce-eager (no CUDA graphs: less GPU memory, slower)
  int ready_timeout_s = 900;          // wait this long for GET /v1/models after a (re)start
};

struct VlmOptions {
  std::string url = "http://127.0.0.1:8000";  // base: POST {url}/v1/chat/completions
  std::string model = "allenai/olmOCR-2-7B-1025-FP8";
  std::string api_key;                 // Bearer token; empty: $PAGEFLOW_VLM_API_KEY, else none
  // "olmocr" (YAML front matter parsed), "markdown", or a path to a prompt template file.
  std::string prompt = "olmocr";
  // Longest side of the page image sent, in pixels (olmOCR's 1288). The per-page memory
  // is about 1 byte per pixel for the raster (freed after encoding) plus the PNG and its
  // base64 copy in the request body (each at most ~1.34 bytes per pixel for gray).
  int target_dim = 1288;
  // Requests in flight at once (= pipeline workers in a vlm run). Each holds one request
  // body and answer buffer under a budget reservation while it waits on the server.
  int max_inflight = 8;
  int retries = 4;                     // attempts after the first for a page (answer invalid, HTTP error, timeout)
  // Sampling temperature by attempt (the last repeats); olmOCR's ladder.
  std::vector<double> temperatures = {0.1, 0.1, 0.2, 0.3, 0.5, 0.8, 0.9, 1.0};
  int max_tokens = 8000;               // max_tokens per request; also caps the answer buffer
  int connect_timeout_s = 10;
  int request_timeout_s = 600;         // one request, end to end
  int backoff_ms = 1000;               // first retry delay; doubles per retry up to max_backoff_ms
  int max_backoff_ms = 30000;
  // Connection errors (server down, restarting) back off without using attempts until
  // the server has been unreachable this long for the page; then the page fails over.
  int unreachable_timeout_s = 600;  // counted from the last time any request reached the server
  // While the server does not answer, a warning (with the pages waiting) is logged when
  // it starts and then every this many seconds.
  int unreachable_log_interval_s = 30;
  std::string fallback = "text-layer"; // text-layer, tesseract, none: for pages that still fail
  VlmServeOptions serve;
  // Not a flag: set by the pipeline. Once true, waits and requests in progress are
  // abandoned (the page returns CANCELLED and stays unfinished for a re-run).
  const std::atomic<bool>* stop = nullptr;
};

}  // namespace pageflow
