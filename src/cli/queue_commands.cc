// `pageflow enqueue`, `pageflow worker`, `pageflow queue-status`: scale-out on a Redis
// Stream (src/queue/, docs/scale-out.md).
#include <iostream>
#include <memory>

#include "base/log.h"
#include "cli/command.h"
#include "cli/log_flags.h"
#include "cli/vlm_flags.h"
#include "engine/engine_factory.h"
#include "pipeline/page_selection.h"
#include "queue/enqueue.h"
#include "queue/redis_client.h"
#include "queue/work_queue.h"
#include "queue/worker.h"

namespace pageflow {
namespace {

// Parses the URL or prints why not.
bool ParseQueueFlag(const std::string& text, QueueUrl* out) {
  StatusOr<QueueUrl> url = ParseQueueUrl(text);
  if (!url.ok()) {
    std::cerr << "pageflow: --queue: " << url.status().message() << "\n";
    return false;
  }
  *out = *url;
  return true;
}

// "30s", "500ms", "2m" or plain seconds -> milliseconds; -1 on error.
int ParseDurationMs(const std::string& text) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (...) {
    return -1;
  }
  const std::string unit = text.substr(used);
  double ms = -1;
  if (unit.empty() || unit == "s") ms = v * 1000;
  if (unit == "ms") ms = v;
  if (unit == "m") ms = v * 60000;
  return ms >= 1 && ms < 1e9 ? static_cast<int>(ms) : -1;
}

struct EnqueueFlags {
  std::string queue;
  std::vector<std::string> inputs;
  ItemOptions item;
};

int ExecuteEnqueue(EnqueueFlags& f) {
  QueueUrl url;
  if (!ParseQueueFlag(f.queue, &url)) return kExitUsage;
  if (!IsKnownEngine(f.item.engine)) {
    std::cerr << "pageflow: unknown --engine '" << f.item.engine << "' (use " << KnownEnginesList() << ")\n";
    return kExitUsage;
  }
  if (StatusOr<OutputFormats> formats = ParseFormats(f.item.formats); !formats.ok()) {
    std::cerr << "pageflow: --format: " << formats.status().message() << "\n";
    return kExitUsage;
  }
  StatusOr<std::vector<PageRange>> pages = ParsePageSelection(f.item.pages);
  if (!pages.ok()) {
    std::cerr << "pageflow: --pages: " << pages.status().message() << "\n";
    return kExitUsage;
  }
  f.item.pages = PageSelectionText(*pages);  // canonical: equal selections share a run
  StatusOr<WorkQueue> queue = WorkQueue::Open(url, RedisClientOptions{});
  if (!queue.ok()) {
    LogError(queue.status().message());
    return kExitFatal;
  }
  StatusOr<EnqueueSummary> s = EnqueueInputs(f.inputs, f.item, &*queue);
  if (!s.ok()) {
    LogError(s.status().message());
    return kExitFatal;
  }
  LogInfo("enqueued " + Plural(s->documents, "document") + " as " +
          Plural(s->items, "item") + " (" + Plural(s->pages, "page") + ") on " +
          url.name +
          (s->unreadable > 0
               ? "; " + std::to_string(s->unreadable) + " could not be opened here"
               : "") +
          (s->input_errors > 0 ? "; " + Plural(s->input_errors, "input") + " not found"
                               : ""));
  return s->input_errors > 0 ? kExitPartial : kExitOk;
}

struct WorkerFlags {
  std::string queue, memory_limit, pdf_store, lease = "60s";
  WorkerOptions worker;
  VlmFlags vlm;
  RunOptions vlm_run;  // holds the vlm flags (shared with `run`)
  LogFlags log;
  CLI::App* cmd = nullptr;
};

int ExecuteWorker(WorkerFlags& f) {
  WorkerOptions& w = f.worker;
  if (!f.log.Apply() || !ParseQueueFlag(f.queue, &w.url)) return kExitUsage;
  if (!ParseSizeFlag("--memory-limit", f.memory_limit, &w.memory_limit_bytes) ||
      !ParsePdfStoreFlag(f.pdf_store, &w.pdf_store_bytes)) {
    return kExitUsage;
  }
  w.lease_ms = ParseDurationMs(f.lease);
  if (w.lease_ms < 0) {
    std::cerr << "pageflow: --lease: '" << f.lease << "' is not a duration (e.g. 60s, 500ms, 2m)\n";
    return kExitUsage;
  }
  if (w.workers <= 0) w.workers = DefaultWorkers();
  f.vlm_run.engine.kind = "";  // the items choose the engine; workers stay --workers
  if (!ApplyVlmFlags(f.vlm, f.cmd, &f.vlm_run)) return kExitUsage;
  w.vlm = f.vlm_run.engine.vlm;
  w.vlm_configured = f.cmd->count("--vlm-url") > 0;
  InstallStopSignals();
  StatusOr<WorkerSummary> s = RunWorker(w, &g_stop_requested);
  if (!s.ok()) {
    LogError(s.status().message());
    return kExitFatal;
  }
  LogInfo("worker done: " + Plural(s->items_done, "item") + " (" +
          Plural(s->pages, "page") + "), " + std::to_string(s->items_retried) +
          " retried, " + std::to_string(s->items_dead) + " dead-lettered, " +
          std::to_string(s->items_released) + " released");
  return kExitOk;
}

struct StatusFlags {
  std::string queue;
  bool json = false;
};

int ExecuteQueueStatus(StatusFlags& f) {
  QueueUrl url;
  if (!ParseQueueFlag(f.queue, &url)) return kExitUsage;
  {
    // Opening a queue creates it: ask first, so that a mistyped name is not created.
    RedisClientOptions o;
    o.host = url.host;
    o.port = url.port;
    StatusOr<RedisClient> client = RedisClient::Connect(o);
    StatusOr<RedisReply> exists = client.ok() ? client->Command({"EXISTS", url.name})
                                              : StatusOr<RedisReply>(client.status());
    if (!exists.ok()) {
      LogError(exists.status().message());
      return kExitFatal;
    }
    if ((*exists)->type == REDIS_REPLY_INTEGER && (*exists)->integer == 0) {
      LogError("queue '" + url.name + "' does not exist on " + url.host + ":" +
               std::to_string(url.port) +
               " (nothing was enqueued there; check the name)");
      return kExitPartial;
    }
  }
  StatusOr<WorkQueue> queue = WorkQueue::Open(url, RedisClientOptions{});
  StatusOr<QueueStatus> s = queue.ok() ? queue->GetStatus() : StatusOr<QueueStatus>(queue.status());
  if (!s.ok()) {
    LogError(s.status().message());
    return kExitFatal;
  }
  std::cout << (f.json ? s->ToJson() : s->ToText());
  return kExitOk;
}

}  // namespace

Command AddEnqueueCommand(CLI::App& app) {
  auto f = std::make_shared<EnqueueFlags>();
  CLI::App* cmd = app.add_subcommand("enqueue", "Add documents to a Redis work queue for `pageflow worker`s");
  cmd->add_option("--queue", f->queue, "redis://HOST:PORT/NAME")->required();
  cmd->add_option("inputs", f->inputs,
                  "Files, directories or @list.txt; stored as absolute paths, which every worker must be able to read")
      ->required();
  cmd->add_option("--engine", f->item.engine, "Engine for these documents: " + KnownEnginesList())->default_val("auto");
  cmd->add_option("--lang", f->item.lang, "Tesseract languages, e.g. eng+deu")->default_val("eng");
  cmd->add_option("--dpi", f->item.dpi, "PDF render resolution for OCR")->default_val(300)->check(CLI::Range(50, 1200));
  cmd->add_option("--max-dim", f->item.max_dim, "Longest side of a page raster in pixels")
      ->default_val(10000)
      ->check(CLI::Range(500, 100000));
  cmd->add_option("--format", f->item.formats,
                  "Comma-separated outputs: jsonl, md, txt, hocr, alto, pdf")
      ->default_val("jsonl");
  cmd->add_flag("--boxes", f->item.boxes,
                "Blocks, lines and words with boxes and confidences in the JSONL record "
                "(as run --boxes)");
  cmd->add_option("--pages-per-range", f->item.pages_per_range, "Pages per work item (long documents are split)")
      ->default_val(16)
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--layout", f->item.layout,
                  "auto: Markdown with headings, paragraphs, lists, tables, running headers "
                  "left out; none: the engine's lines as they come")
      ->default_val("auto")
      ->check(CLI::IsMember({"auto", "none"}));
  cmd->add_option("--max-pages", f->item.max_pages, "Only the first N pages of each document (0 = all)")
      ->default_val(0)
      ->check(CLI::NonNegativeNumber);
  cmd->add_option(
      "--pages", f->item.pages,
      "Only these pages of each document, e.g. 16-25,30 or 40- (as run --pages; "
      "carried in each work item)");
  return {cmd, [f] { return ExecuteEnqueue(*f); }};
}

Command AddWorkerCommand(CLI::App& app) {
  auto f = std::make_shared<WorkerFlags>();
  WorkerOptions& w = f->worker;
  CLI::App* cmd = app.add_subcommand("worker", "Process items of a Redis work queue until stopped (SIGTERM/Ctrl-C)");
  cmd->add_option("--queue", f->queue, "redis://HOST:PORT/NAME")->required();
  cmd->add_option("--out", w.out_dir, "Output directory shared by all workers (results/*.jsonl, md/, txt/)")
      ->required();
  cmd->add_option("--workers", w.workers, "Pages recognized at once in this process [default: CPU cores]");
  cmd->add_option("--memory-limit", f->memory_limit, "Byte budget for this process, e.g. 2G [default: as run]");
  cmd->add_option("--pdf-store", f->pdf_store, "Bytes MuPDF may cache; charged to the budget [default: 64M]");
  cmd->add_option("--tessdata", w.tessdata_dir, "Tesseract language data directory");
  cmd->add_option("--consumer", w.consumer, "This worker's name in the consumer group [default: HOST-PID]");
  cmd->add_option("--batch", w.batch_items, "Items claimed at once [default: 2 x workers]")->check(CLI::NonNegativeNumber);
  cmd->add_option("--lease", f->lease,
                  "Items held this long without a heartbeat are reclaimed by other workers (e.g. 60s, 500ms)")
      ->default_val("60s");
  cmd->add_option("--max-deliveries", w.max_deliveries,
                  "Deliveries of an item (failures, crashes, expired leases) before it is dead-lettered")
      ->default_val(3)
      ->check(CLI::Range(1, 1000));
  cmd->add_flag("--exit-when-empty", w.exit_when_drained, "Exit once no item waits and none is in progress");
  f->cmd = cmd;
  AddVlmFlags(cmd, &f->vlm, &f->vlm_run);
  f->log.Add(cmd);
  return {cmd, [f] { return ExecuteWorker(*f); }};
}

Command AddQueueStatusCommand(CLI::App& app) {
  auto f = std::make_shared<StatusFlags>();
  CLI::App* cmd = app.add_subcommand("queue-status", "Show a work queue: waiting, in progress, done, dead-lettered");
  cmd->add_option("--queue", f->queue, "redis://HOST:PORT/NAME")->required();
  cmd->add_flag("--json", f->json, "Print JSON");
  return {cmd, [f] { return ExecuteQueueStatus(*f); }};
}

}  // namespace pageflow
