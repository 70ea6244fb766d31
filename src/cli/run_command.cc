// `pageflow run INPUT... --out DIR`: the batch pipeline.
#include <cstdio>
#include <iostream>
#include <memory>

#include "base/log.h"
#include "cli/command.h"
#include "cli/vlm_flags.h"
#include "engine/engine_factory.h"
#include "pipeline/pipeline.h"

namespace pageflow {
namespace {

struct RunFlags {
  RunOptions run;
  std::string memory_limit, pdf_store, formats = "jsonl";
  bool no_progress = false;
  VlmFlags vlm;
  CLI::App* app = nullptr;
};

int ExecuteRun(RunFlags& f) {
  RunOptions& run = f.run;
  if (!IsKnownEngine(run.engine.kind)) {
    std::cerr << "pageflow: unknown --engine '" << run.engine.kind << "' (use " << KnownEnginesList() << ")\n";
    return kExitUsage;
  }
  if (!ParseSizeFlag("--memory-limit", f.memory_limit, &run.memory_limit_bytes) ||
      !ParseSizeFlag("--pdf-store", f.pdf_store, &run.pdf_store_bytes)) {
    return kExitUsage;
  }
  StatusOr<OutputFormats> formats = ParseFormats(f.formats);
  if (!formats.ok()) {
    std::cerr << "pageflow: --format: " << formats.status().message() << "\n";
    return kExitUsage;
  }
  run.formats = *formats;
  if (!ApplyVlmFlags(f.vlm, f.app, &run)) return kExitUsage;
  if (run.workers <= 0) run.workers = DefaultWorkers();
  run.progress = !f.no_progress;

  InstallStopSignals();
  StatusOr<RunSummary> summary = RunPipeline(run, &g_stop_requested);
  if (!summary.ok()) {
    LogError(summary.status().message());
    return kExitFatal;
  }
  char line[256];
  std::snprintf(line, sizeof line,
                "%lld documents (%lld failed, %lld already done), %lld pages (%lld failed) in %.1fs "
                "= %.2f pages/s; peak RSS %s of limit %s",
                static_cast<long long>(summary->documents), static_cast<long long>(summary->documents_failed),
                static_cast<long long>(summary->documents_skipped), static_cast<long long>(summary->pages),
                static_cast<long long>(summary->pages_failed), summary->wall_seconds, summary->pages_per_second,
                FormatBytes(summary->peak_rss_bytes).c_str(), FormatBytes(summary->memory_limit_bytes).c_str());
  LogInfo(line);
  if (summary->interrupted) LogWarning("interrupted: re-run the same command to resume");
  if (run.formats.jsonl) LogInfo("results in " + run.out_dir + "/results/");
  if (run.formats.md) LogInfo("Markdown in " + run.out_dir + "/md/");
  if (run.formats.txt) LogInfo("text in " + run.out_dir + "/txt/");
  return summary->ExitCode();
}

}  // namespace

Command AddRunCommand(CLI::App& app) {
  auto f = std::make_shared<RunFlags>();
  RunOptions& run = f->run;
  CLI::App* cmd = app.add_subcommand("run", "Convert documents to text (batch)");
  cmd->add_option("inputs", run.inputs, "Files, directories (recursed) or @list.txt (one path per line)")
      ->required();
  cmd->add_option("--out", run.out_dir,
                  "Output directory: results/*.jsonl, md/, txt/; also the workspace a re-run resumes from")
      ->required();
  f->app = cmd;
  cmd->add_option("--engine", run.engine.kind,
                  "auto (text layer where good, else --ocr-engine), text-layer, tesseract, ppocr, "
                  "vlm (a document VLM server)")
      ->default_val("auto");
  cmd->add_option("--ocr-engine", run.engine.auto_ocr, "The OCR engine auto uses: tesseract or ppocr")
      ->default_val("tesseract");
  cmd->add_option("--models-dir", run.engine.models_dir,
                  "ppocr model directory [default: $PAGEFLOW_PPOCR_MODELS, else the one fetched by scripts/setup]");
  cmd->add_option("--lang", run.engine.lang, "Tesseract languages, e.g. eng+deu")->default_val("eng");
  cmd->add_option("--workers", run.workers,
                  "Pages recognized at once; each holds one engine (Tesseract eng: ~17 MB measured at load) "
                  "[default: CPU cores]");
  cmd->add_option("--memory-limit", f->memory_limit,
                  "Byte budget for the whole process, e.g. 2G, 600M [default: half of min(RAM, cgroup limit)]");
  cmd->add_option("--dpi", run.render.dpi, "Resolution PDF pages are rendered at for OCR")
      ->default_val(300)
      ->check(CLI::Range(50, 1200));
  cmd->add_option("--max-dim", run.render.max_dim, "Longest side of a page raster in pixels; larger pages are downscaled")
      ->default_val(10000)
      ->check(CLI::Range(500, 100000));
  cmd->add_option("--format", f->formats, "Comma-separated outputs: jsonl, md, txt")->default_val("jsonl");
  cmd->add_option("--pages-per-range", run.pages_per_range,
                  "Pages per work item; long documents resume at this granularity")
      ->default_val(16)
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--max-pages", run.max_pages, "Only the first N pages of each document (0 = all)")
      ->default_val(0)
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--pdf-store", f->pdf_store,
                  "Bytes MuPDF may cache (fonts, decoded images); charged to the budget [default: 64M]");
  cmd->add_option("--tessdata", run.engine.tessdata_dir, "Tesseract language data directory");
  cmd->add_option("--stats", run.stats_path, "Write run statistics (JSON) to FILE");
  cmd->add_flag("--no-progress", f->no_progress, "Do not draw the progress line");
  AddVlmFlags(cmd, &f->vlm, &run);
  return {cmd, [f] { return ExecuteRun(*f); }};
}

}  // namespace pageflow
