#include "engine/vlm/vlm_engine.h"

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/log.h"
#include "engine/text_layer/text_layer_engine.h"
#include "engine/vlm/http_client.h"
#include "engine/vlm/png_codec.h"
#include "engine/vlm/server_supervisor.h"
#include "engine/vlm/vlm_protocol.h"

namespace pageflow {

using Clock = std::chrono::steady_clock;

namespace {

// What one more in-flight slot costs beyond its request: its thread, its keep-alive curl
// handle and buffers, and its worker's open document (while it renders, when there are
// more slots than cores; else all the time). Measured as peak RSS of 16 slots minus 1,
// per extra slot, on gnuplot.pdf at 1288 px with a slow server: 2.9 MiB (4.9 MiB with
// documents kept open during waits; 5.9 MiB also without the arena cap below).
constexpr int64_t kEngineFixedBytes = 4ll << 20;

int64_t AnswerCapBytes(const VlmOptions& o) {
  // A token is at most a few UTF-8 bytes, JSON-escaped up to 12 (\uXXXX\uXXXX); plus the
  // envelope (id, usage, ...).
  return int64_t{o.max_tokens} * 12 + (64 << 10);
}

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             Clock::now().time_since_epoch())
             .count() +
         1;
}

// Sleeps in short steps so that a stop request (the run's, or the page's own
// cancellation) is seen; false if stopping.
bool SleepMs(int64_t ms, const std::atomic<bool>* stop, const PageAccess& page) {
  auto stopping = [&] { return (stop != nullptr && stop->load()) || page.Cancelled(); };
  const Clock::time_point end = Clock::now() + std::chrono::milliseconds(ms);
  while (Clock::now() < end) {
    if (stopping()) return false;
    std::this_thread::sleep_for(
        std::min<Clock::duration>(end - Clock::now(), std::chrono::milliseconds(50)));
  }
  return !stopping();
}

}  // namespace

int64_t VlmWorkingBytes(const VlmOptions& o, int64_t prompt_bytes, int width,
                        int height) {
  const int64_t png = PngBoundBytes(width, height, 1);
  // The body: the JSON around the image (prompt escaped at most 6x), the base64 PNG.
  const int64_t body = 1024 + 6 * prompt_bytes + static_cast<int64_t>(o.model.size()) +
                       Base64Bytes(png) + kRequestSuffixBytes;
  return png + body + AnswerCapBytes(o);
}

class VlmEngineGroup {
 public:
  VlmOptions options;
  std::string prefix;         // request JSON before the image
  bool front_matter = false;  // olmocr preset
  std::string bearer;
  std::string endpoint;
  int64_t prompt_bytes = 0;
  bool release_documents =
      false;  // close a waiting slot's document (more slots than cores)
  std::mutex fallback_mu;
  std::unique_ptr<Engine>
      tesseract;  // guarded by fallback_mu; the --vlm-fallback tesseract engine
  std::unique_ptr<ServerSupervisor> supervisor;

  // Since when (steady clock, us) no request has reached the server; 0 = it answers.
  // Shared so that once the server has been gone for --vlm-unreachable-timeout, every
  // page fails over at once instead of each waiting that long again.
  std::atomic<int64_t> unreachable_since_us{0};
  // When the "does not answer" warning was last logged (us; 0 = not during this outage),
  // and the pages waiting for the server right now.
  std::atomic<int64_t> unreachable_logged_us{0};
  std::atomic<int64_t> pages_waiting{0};
  // The first permanent refusal (a 4xx other than 408/429) is logged, with what the
  // server said; later pages fail the same way without repeating it.
  std::atomic<bool> refusal_logged{false};
  std::atomic<int64_t> requests{0}, retries{0}, connection_errors{0}, pages{0},
      pages_fallback{0}, pages_failed{0}, latency_us{0}, max_latency_us{0},
      prompt_tokens{0}, completion_tokens{0};

  ~VlmEngineGroup() {
    const int64_t n = requests.load();
    const double mean = n > 0 ? latency_us.load() / 1e6 / n : 0;
    char line[384];
    std::snprintf(line, sizeof line,
                  "vlm: %lld pages, %lld requests (%lld retries, %lld connection "
                  "errors), latency mean %.2f s max "
                  "%.2f s; %lld prompt + %lld completion tokens; of the pages %lld fell "
                  "back, %lld failed",
                  static_cast<long long>(pages.load()), static_cast<long long>(n),
                  static_cast<long long>(retries.load()),
                  static_cast<long long>(connection_errors.load()), mean,
                  max_latency_us.load() / 1e6,
                  static_cast<long long>(prompt_tokens.load()),
                  static_cast<long long>(completion_tokens.load()),
                  static_cast<long long>(pages_fallback.load()),
                  static_cast<long long>(pages_failed.load()));
    if (pages.load() > 0) LogInfo(line);
  }

  std::string StatsJson() const {
    const int64_t n = requests.load();
    return nlohmann::json(
               {{"vlm_pages", pages.load()},
                {"vlm_requests", n},
                {"vlm_retries", retries.load()},
                {"vlm_connection_errors", connection_errors.load()},
                {"vlm_latency_mean_seconds", n > 0 ? latency_us.load() / 1e6 / n : 0.0},
                {"vlm_latency_max_seconds", max_latency_us.load() / 1e6},
                {"vlm_prompt_tokens", prompt_tokens.load()},
                {"vlm_completion_tokens", completion_tokens.load()},
                {"vlm_pages_fallback", pages_fallback.load()},
                {"vlm_pages_failed", pages_failed.load()},
                {"vlm_server_restarts", supervisor ? supervisor->restarts() : 0}})
        .dump();
  }

  double Temperature(int attempt) const {
    const auto& t = options.temperatures;
    return t.empty() ? 0.0 : t[std::min<size_t>(attempt, t.size() - 1)];
  }
  int64_t BackoffMs(int attempt) const {
    int64_t ms = options.backoff_ms;
    for (int i = 1; i < attempt && ms < options.max_backoff_ms; ++i) ms *= 2;
    return std::min<int64_t>(ms, options.max_backoff_ms);
  }
};

namespace {

// One page's request: body and answer buffer, paid by `reservation`.
struct PreparedPage {
  Reservation reservation;
  std::string body;      // prefix + base64 PNG + suffix
  size_t suffix_at = 0;  // where the suffix (max_tokens, temperature) starts
  std::string answer;
};

// A 4xx answer other than 408 (timeout) and 429 (busy) will not change on retry.
bool IsPermanent(int status) {
  return status >= 400 && status < 500 && status != 408 && status != 429;
}

// What the server said: the OpenAI-style {"error": {"message"}} (vLLM: {"message"}), else
// the start of the body.
std::string ServerMessage(const std::string& body) {
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object()) {
    if (j.contains("error") && j["error"].is_object() && j["error"].contains("message") &&
        j["error"]["message"].is_string()) {
      return j["error"]["message"].get<std::string>();
    }
    if (j.contains("error") && j["error"].is_string())
      return j["error"].get<std::string>();
    if (j.contains("message") && j["message"].is_string())
      return j["message"].get<std::string>();
  }
  return body.substr(0, 200);
}

// Counts a page among those waiting for an unreachable server while it lives.
class WaitingPage {
 public:
  explicit WaitingPage(VlmEngineGroup* g) : g_(g) { ++g_->pages_waiting; }
  ~WaitingPage() { --g_->pages_waiting; }
  WaitingPage(const WaitingPage&) = delete;
  WaitingPage& operator=(const WaitingPage&) = delete;

 private:
  VlmEngineGroup* g_;
};

class VlmEngine final : public Engine {
 public:
  VlmEngine(std::shared_ptr<VlmEngineGroup> group, Reservation fixed)
      : group_(std::move(group)),
        fixed_(std::move(fixed)),
        http_(HttpClientOptions{group_->options.connect_timeout_s,
                                group_->options.request_timeout_s, group_->options.stop}),
        text_layer_(CreateCheckedTextLayerEngine()) {}

  std::string_view name() const override { return "vlm"; }

  // PNG, request body and answer buffer on top of the raster (VlmWorkingBytes), at the
  // target size. Holds the group, so the request outlives this engine.
  std::optional<RenderRequest> PageRenderRequest() const override {
    std::shared_ptr<const VlmEngineGroup> g = group_;
    RenderRequest request;
    request.target_long_side = g->options.target_dim;
    request.working_bytes = [g](int w, int h) {
      return VlmWorkingBytes(g->options, g->prompt_bytes, w, h);
    };
    return request;
  }
  std::string StatsJson() const override { return group_->StatsJson(); }

  StatusOr<PageText> Recognize(PageAccess& page) override {
    VlmEngineGroup& g = *group_;
    const VlmOptions& o = g.options;
    ++g.pages;
    PageText out;
    std::string error;
    int rotation = 0;
    int prepared_rotation = -1;
    PreparedPage prepared;
    int64_t connect_delay_ms = o.backoff_ms;
    while (out.attempts <= o.retries) {
      if (prepared_rotation != rotation) {
        prepared = PreparedPage();  // release the previous body before rendering again
        StatusOr<PreparedPage> p = Prepare(page, rotation);
        if (!p.ok()) {
          if (p.status().code() == StatusCode::kCancelled) return p.status();
          error = p.status().message();
          break;
        }
        prepared = std::move(*p);
        prepared_rotation = rotation;
        // Waiting on the server needs only the body. With more slots than cores, the
        // worker's open document (parsed objects, fonts: ~2.3 MiB on gnuplot.pdf) is
        // closed meanwhile and reopened for its next page, which costs ~9 ms of CPU per
        // page there; with few slots, keeping it is cheap and faster.
        if (g.release_documents) page.ReleaseSource();
      }
      prepared.body.resize(prepared.suffix_at);
      prepared.body += RequestSuffix(o.max_tokens, g.Temperature(out.attempts));

      const Clock::time_point t0 = Clock::now();
      const std::function<bool()> cancelled = [&page] { return page.Cancelled(); };
      StatusOr<HttpResponse> r =
          http_.Post(g.endpoint, prepared.body, g.bearer, AnswerCapBytes(o),
                     &prepared.answer, cancelled);
      const int64_t us =
          std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0)
              .count();
      ++g.requests;
      g.latency_us += us;
      for (int64_t m = g.max_latency_us.load();
           us > m && !g.max_latency_us.compare_exchange_weak(m, us);) {
      }
      if (!r.ok() && r.status().code() == StatusCode::kCancelled) return r.status();
      if (!r.ok() && IsConnectionError(r.status())) {
        // The server is down or restarting: wait for it without using up attempts.
        ++g.connection_errors;
        const int64_t now_us = NowUs();
        int64_t since = 0;
        g.unreachable_since_us.compare_exchange_strong(since, now_us);
        since = g.unreachable_since_us.load();
        if (since != 0 && now_us - since > int64_t{o.unreachable_timeout_s} * 1000000) {
          error = "server unreachable for " + std::to_string((now_us - since) / 1000000) +
                  " s (" + r.status().message() + ")";
          break;
        }
        WaitingPage waiting(&g);
        LogUnreachable(now_us, since, r.status().message());
        if (!SleepMs(connect_delay_ms, o.stop, page)) return Cancelled("stopping");
        connect_delay_ms = std::min<int64_t>(connect_delay_ms * 2, o.max_backoff_ms);
        continue;
      }
      if (const int64_t was = g.unreachable_since_us.exchange(0);
          was != 0 && g.unreachable_logged_us.exchange(0) != 0) {
        LogInfo("vlm: server " + o.url + " answers again after " +
                std::to_string((NowUs() - was) / 1000000) + " s");
      }
      connect_delay_ms = o.backoff_ms;
      if (out.attempts > 0) ++g.retries;
      ++out.attempts;
      if (!r.ok()) {
        error = r.status().message();
        if (!SleepMs(g.BackoffMs(out.attempts), o.stop, page))
          return Cancelled("stopping");
        continue;
      }
      if (r->status != 200) {
        error =
            "HTTP " + std::to_string(r->status) + ": " + ServerMessage(prepared.answer);
        if (IsPermanent(r->status)) {
          // Unknown model, bad request, bad key: asking again gets the same answer.
          error = "the server refused the request (" + error + "); not retried";
          if (!g.refusal_logged.exchange(true))
            LogError("vlm: " + page.Label() + ": " + error);
          break;
        }
        if (!SleepMs(g.BackoffMs(out.attempts), o.stop, page))
          return Cancelled("stopping");
        continue;
      }
      VlmAnswer usage;
      StatusOr<VlmAnswer> a = ParseChatAnswer(prepared.answer, g.front_matter, &usage);
      out.prompt_tokens += usage.prompt_tokens;
      out.completion_tokens += usage.completion_tokens;
      g.prompt_tokens += usage.prompt_tokens;
      g.completion_tokens += usage.completion_tokens;
      if (!a.ok()) {
        error = a.status().message();  // a new temperature may do better; no need to wait
        continue;
      }
      if (a->has_front_matter && !a->is_rotation_valid && a->rotation_correction != 0 &&
          out.attempts <= o.retries) {
        rotation = (rotation + a->rotation_correction) % 360;
        error = "the model reports the page rotated";
        continue;
      }
      Accept(*a, rotation, &out);
      return out;
    }
    return Fallback(page, std::move(out), error);
  }

 private:
  StatusOr<PreparedPage> Prepare(PageAccess& page, int rotation) {
    const VlmEngineGroup& g = *group_;
    const VlmOptions& o = g.options;
    PF_ASSIGN_OR_RETURN(Raster raster, page.Render(*PageRenderRequest()));
    PreparedPage p;
    // The raster's reservation pays for the raster, the PNG, the body and the answer
    // buffer (VlmWorkingBytes); it is shrunk to body + answer once the PNG is gone.
    p.reservation = std::move(raster.reservation());
    std::string png;
    png.reserve(PngBoundBytes(raster.width(), raster.height(),
                              raster.channels()));  // paid by p.reservation
    PF_RETURN_IF_ERROR(EncodePng(raster, rotation, &png));
    raster = Raster();  // pixels freed; the reservation lives on in p
    // The body is the base64 copy of the PNG with the JSON around it: paid by
    // p.reservation.
    p.body.reserve(g.prefix.size() + Base64Bytes(static_cast<int64_t>(png.size())) +
                   kRequestSuffixBytes);
    p.body = g.prefix;
    AppendBase64(png, &p.body);
    p.suffix_at = p.body.size();
    png = std::string();
    p.answer.reserve(AnswerCapBytes(o));  // paid by p.reservation
    p.reservation.ShrinkTo(static_cast<int64_t>(p.body.capacity() + p.answer.capacity()) +
                           (16 << 10));
    return p;
  }

  // Once when the server stops answering, then every unreachable_log_interval_s.
  void LogUnreachable(int64_t now_us, int64_t since_us, const std::string& why) {
    VlmEngineGroup& g = *group_;
    const int64_t interval_us = int64_t{g.options.unreachable_log_interval_s} * 1000000;
    int64_t last = g.unreachable_logged_us.load();
    if (last != 0 && now_us - last < interval_us) return;
    if (!g.unreachable_logged_us.compare_exchange_strong(last, now_us))
      return;  // another page logs
    const int64_t waiting = g.pages_waiting.load();
    LogWarning("vlm: server " + g.options.url + " does not answer (" + why + ") for " +
               std::to_string((now_us - since_us) / 1000000) + " s; " +
               std::to_string(waiting) + (waiting == 1 ? " page" : " pages") +
               " waiting; each page falls back after --vlm-unreachable-timeout " +
               std::to_string(g.options.unreachable_timeout_s) + " s");
  }

  void Accept(const VlmAnswer& a, int rotation, PageText* out) {
    out->engine = "vlm";
    out->text = a.text;  // kept as the model wrote it (Markdown); lines are for counts
    out->markdown = true;
    bool block = true;
    size_t start = 0;
    while (start <= a.text.size()) {
      size_t end = a.text.find('\n', start);
      if (end == std::string::npos) end = a.text.size();
      std::string line = a.text.substr(start, end - start);
      if (line.empty()) {
        block = true;
      } else {
        TextLine tl;
        tl.text = std::move(line);
        tl.block_start = block;
        tl.confidence = 1.0f;  // the model gives none; boxes stay empty
        out->lines.push_back(std::move(tl));
        block = false;
      }
      start = end + 1;
    }
    out->mean_confidence = out->lines.empty() ? 0.0f : 1.0f;
    nlohmann::json attrs = {{"prompt_tokens", out->prompt_tokens},
                            {"completion_tokens", out->completion_tokens},
                            {"attempts", out->attempts}};
    if (a.has_front_matter) {
      attrs["primary_language"] = a.primary_language;
      attrs["is_table"] = a.is_table;
      attrs["is_diagram"] = a.is_diagram;
      attrs["is_rotation_valid"] = a.is_rotation_valid;
    }
    if (rotation != 0) attrs["rotation"] = rotation;
    out->attributes_json = attrs.dump();
  }

  StatusOr<PageText> Fallback(PageAccess& page, PageText vlm, const std::string& error) {
    VlmEngineGroup& g = *group_;
    const std::string reason =
        "vlm failed after " + std::to_string(vlm.attempts) + " attempts: " + error;
    nlohmann::json attrs = {{"prompt_tokens", vlm.prompt_tokens},
                            {"completion_tokens", vlm.completion_tokens},
                            {"attempts", vlm.attempts}};
    StatusOr<PageText> text = Unavailable(reason);
    if (g.options.fallback == "text-layer") {
      // Through the quality check `auto` uses: a garbage layer is not written as text.
      text = text_layer_->Recognize(page);
    } else if (g.options.fallback == "tesseract") {
      std::lock_guard<std::mutex> lock(g.fallback_mu);
      text = g.tesseract->Recognize(page);
    } else {
      ++g.pages_failed;
      return Unavailable(reason);
    }
    if (!text.ok()) {
      ++g.pages_failed;
      return Unavailable(reason + "; fallback " + g.options.fallback + ": " +
                         text.status().message());
    }
    ++g.pages_fallback;
    text->fallback = reason;
    text->prompt_tokens = vlm.prompt_tokens;
    text->completion_tokens = vlm.completion_tokens;
    text->attempts = vlm.attempts;
    text->attributes_json = attrs.dump();
    return text;
  }

  std::shared_ptr<VlmEngineGroup> group_;
  Reservation fixed_;
  HttpClient http_;
  std::unique_ptr<Engine> text_layer_;
};

}  // namespace

StatusOr<std::shared_ptr<VlmEngineGroup>> CreateVlmEngineGroup(
    const VlmOptions& options, const TesseractOptions& fallback_tesseract,
    MemoryBudget& budget) {
  auto g = std::make_shared<VlmEngineGroup>();
  g->options = options;
  VlmOptions& o = g->options;
  if (o.url.empty()) return InvalidArgument("--vlm-url is empty");
  while (!o.url.empty() && o.url.back() == '/') o.url.pop_back();
  if (o.model.empty()) return InvalidArgument("--vlm-model is empty");
  if (o.target_dim < 64) return InvalidArgument("--vlm-target-dim must be at least 64");
  if (o.fallback != "text-layer" && o.fallback != "tesseract" && o.fallback != "none") {
    return InvalidArgument("--vlm-fallback must be text-layer, tesseract or none");
  }
  if (o.api_key.empty()) {
    if (const char* key = std::getenv("PAGEFLOW_VLM_API_KEY")) o.api_key = key;
  }
  PF_ASSIGN_OR_RETURN(std::string prompt, LoadPrompt(o.prompt));
  g->prompt_bytes = static_cast<int64_t>(prompt.size());
  g->prefix = RequestPrefix(o.model, prompt);
  g->front_matter = PromptWantsFrontMatter(o.prompt);
  g->bearer = o.api_key;
  g->endpoint = o.url + "/v1/chat/completions";
  g->release_documents = o.max_inflight > static_cast<int>(std::max(
                                              1u, std::thread::hardware_concurrency()));
  if (o.fallback == "tesseract") {
    PF_ASSIGN_OR_RETURN(g->tesseract, CreateTesseractEngine(fallback_tesseract, budget));
  }
  if (!o.serve.command.empty()) {
    PF_ASSIGN_OR_RETURN(g->supervisor, ServerSupervisor::Start(o.serve, o.url));
  }
  // A vlm run has many worker threads that mostly wait. glibc gives each thread its own
  // heap arena (up to 8 per core), and each arena keeps its high-water mark of freed
  // rasters and documents: 16 slots peaked at 102 MiB RSS on gnuplot.pdf, 69 MiB with two
  // arenas, at the same speed (bench/vlm). Set before the workers start.
  mallopt(M_ARENA_MAX,
          static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
  return g;
}

StatusOr<std::unique_ptr<Engine>> CreateVlmEngine(std::shared_ptr<VlmEngineGroup> group,
                                                  MemoryBudget& budget) {
  PF_ASSIGN_OR_RETURN(
      Reservation fixed,
      budget.ChargeFixed(kEngineFixedBytes, "vlm engine (HTTP connection)"));
  return std::unique_ptr<Engine>(new VlmEngine(std::move(group), std::move(fixed)));
}

}  // namespace pageflow
