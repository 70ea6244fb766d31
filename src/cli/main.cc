// pageflow's command line: flag parsing only; the work is in the libraries.
// Exit codes: 0 all pages done, 1 some pages/documents failed (the rest written),
// 2 usage error, 3 fatal.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "base/log.h"
#include "base/memory_budget.h"
#include "engine/engine_factory.h"
#include "eval/corpus_eval.h"
#include "output/atomic_file.h"
#include "output/document_writer.h"
#include "pipeline/pipeline.h"

namespace {

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop = true; }

// libgomp reads OMP_THREAD_LIMIT when it loads, before main; re-exec once with it set.
void EnsureSingleThreadedOpenMp(char** argv) {
  if (std::getenv("OMP_THREAD_LIMIT") != nullptr) return;
  setenv("OMP_THREAD_LIMIT", "1", 1);
  execv("/proc/self/exe", argv);
  // If re-exec is impossible, continue: slower, but correct.
}

constexpr int kExitUsage = 2;
constexpr int kExitFatal = 3;

// Parses a byte-size flag ("2G"); an empty value keeps *out. False (and a message) on error.
bool ParseSizeFlag(const char* flag, const std::string& text, int64_t* out) {
  if (text.empty()) return true;
  pageflow::StatusOr<int64_t> bytes = pageflow::ParseByteSize(text);
  if (!bytes.ok()) {
    std::cerr << "pageflow: " << flag << ": " << bytes.status().message() << "\n";
    return false;
  }
  *out = *bytes;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  EnsureSingleThreadedOpenMp(argv);
  using namespace pageflow;

  CLI::App app{"pageflow: documents (PDF, PNG, JPEG, TIFF) to text under a hard memory limit"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "pageflow 0.1.0");

  RunOptions run;
  std::string memory_limit, formats = "jsonl";
  bool no_progress = false;
  CLI::App* run_cmd = app.add_subcommand("run", "Convert documents to text (batch)");
  run_cmd->add_option("inputs", run.inputs, "Files, directories (recursed) or @list.txt (one path per line)")
      ->required();
  run_cmd->add_option("--out", run.out_dir,
                      "Output directory: results/*.jsonl, md/, txt/; also the workspace a re-run resumes from")
      ->required();
  run_cmd->add_option("--engine", run.engine.kind,
                      "auto (text layer where good, else tesseract), text-layer, tesseract")
      ->default_val("auto");
  run_cmd->add_option("--lang", run.engine.lang, "Tesseract languages, e.g. eng+deu")->default_val("eng");
  run_cmd->add_option("--workers", run.workers,
                      "Pages recognized at once; each holds one engine (Tesseract eng: ~17 MB measured at load) "
                      "[default: CPU cores]");
  run_cmd->add_option("--memory-limit", memory_limit,
                      "Byte budget for the whole process, e.g. 2G, 600M [default: half of min(RAM, cgroup limit)]");
  run_cmd->add_option("--dpi", run.render.dpi, "Resolution PDF pages are rendered at for OCR")
      ->default_val(300)->check(CLI::Range(50, 1200));
  run_cmd->add_option("--max-dim", run.render.max_dim,
                      "Longest side of a page raster in pixels; larger pages are downscaled")
      ->default_val(10000)->check(CLI::Range(500, 100000));
  run_cmd->add_option("--format", formats, "Comma-separated outputs: jsonl, md, txt")->default_val("jsonl");
  run_cmd->add_option("--pages-per-range", run.pages_per_range,
                      "Pages per work item; long documents resume at this granularity")
      ->default_val(16)->check(CLI::Range(1, 100000));
  run_cmd->add_option("--max-pages", run.max_pages, "Only the first N pages of each document (0 = all)")
      ->default_val(0)->check(CLI::NonNegativeNumber);
  std::string pdf_store;
  run_cmd->add_option("--pdf-store", pdf_store,
                      "Bytes MuPDF may cache (fonts, decoded images); charged to the budget [default: 64M]");
  run_cmd->add_option("--tessdata", run.engine.tessdata_dir, "Tesseract language data directory");
  run_cmd->add_option("--stats", run.stats_path, "Write run statistics (JSON) to FILE");
  run_cmd->add_flag("--no-progress", no_progress, "Do not draw the progress line");

  EvalOptions eval;
  std::string eval_json, eval_memory_limit;
  CLI::App* eval_cmd = app.add_subcommand("eval", "Measure accuracy (CER, WER, bag-of-words F1) on a corpus");
  eval_cmd->add_option("--corpus", eval.corpus_dir, "Corpus directory with manifest.tsv and NAME.gt.txt files")
      ->required();
  eval_cmd->add_option("--engine", eval.run.engine.kind, "Engine to evaluate (as for run)")->default_val("auto");
  eval_cmd->add_option("--lang", eval.lang, "Tesseract languages for every item [default: each item's manifest language]");
  eval_cmd->add_option("--baseline", eval.baseline, "Also run this baseline on the same inputs: tesseract-cli");
  eval_cmd->add_option("--subset", eval.subsets, "Only these subsets (e.g. sroie_receipts or A_images/funsd_forms)");
  eval_cmd->add_option("--max-pages", eval.run.max_pages, "Only the first N pages of each PDF (0 = all)")
      ->default_val(0);
  eval_cmd->add_option("--dpi", eval.run.render.dpi, "PDF render resolution (pageflow and baseline)")->default_val(300);
  eval_cmd->add_option("--workers", eval.run.workers, "As for run [default: CPU cores]");
  eval_cmd->add_option("--memory-limit", eval_memory_limit, "As for run");
  eval_cmd->add_option("--json", eval_json, "Also write the full report as JSON to FILE");
  eval_cmd->add_option("--work-dir", eval.work_dir, "Scratch directory [default: a temporary directory]");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }

  if (*run_cmd) {
    if (!IsKnownEngine(run.engine.kind)) {
      std::cerr << "pageflow: unknown --engine '" << run.engine.kind
                << "' (use auto, text-layer or tesseract)\n";
      return kExitUsage;
    }
    if (!ParseSizeFlag("--memory-limit", memory_limit, &run.memory_limit_bytes) ||
        !ParseSizeFlag("--pdf-store", pdf_store, &run.pdf_store_bytes)) {
      return kExitUsage;
    }
    StatusOr<OutputFormats> f = ParseFormats(formats);
    if (!f.ok()) {
      std::cerr << "pageflow: --format: " << f.status().message() << "\n";
      return kExitUsage;
    }
    run.formats = *f;
    if (run.workers <= 0) run.workers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    run.progress = !no_progress;

    std::signal(SIGINT, OnSignal);
    std::signal(SIGTERM, OnSignal);
    StatusOr<RunSummary> summary = RunPipeline(run, &g_stop);
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
                  static_cast<long long>(summary->pages_failed), summary->wall_seconds,
                  summary->pages_per_second, FormatBytes(summary->peak_rss_bytes).c_str(),
                  FormatBytes(summary->memory_limit_bytes).c_str());
    LogInfo(line);
    if (summary->interrupted) LogWarning("interrupted: re-run the same command to resume");
    if (run.formats.jsonl) LogInfo("results in " + run.out_dir + "/results/");
    if (run.formats.md) LogInfo("Markdown in " + run.out_dir + "/md/");
    if (run.formats.txt) LogInfo("text in " + run.out_dir + "/txt/");
    return summary->ExitCode();
  }
  if (*eval_cmd) {
    if (!IsKnownEngine(eval.run.engine.kind)) {
      std::cerr << "pageflow: unknown --engine '" << eval.run.engine.kind << "'\n";
      return kExitUsage;
    }
    if (!ParseSizeFlag("--memory-limit", eval_memory_limit, &eval.run.memory_limit_bytes)) {
      return kExitUsage;
    }
    if (eval.run.workers <= 0) eval.run.workers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    std::string scratch;
    if (eval.work_dir.empty()) {
      char tmpl[] = "/tmp/pageflow-eval-XXXXXX";
      if (mkdtemp(tmpl) == nullptr) {
        LogError("cannot create a scratch directory in /tmp");
        return kExitFatal;
      }
      eval.work_dir = scratch = tmpl;
    }
    StatusOr<EvalReport> report = RunEval(eval);
    if (!scratch.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(scratch, ec);
    }
    if (!report.ok()) {
      LogError(report.status().message());
      return report.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFatal;
    }
    std::cout << FormatEvalTable(*report);
    if (!eval_json.empty()) {
      if (Status st = WriteFileAtomically(eval_json, EvalReportJson(*report)); !st.ok()) {
        LogError(st.message());
        return kExitFatal;
      }
    }
    return 0;
  }
  return kExitUsage;
}
