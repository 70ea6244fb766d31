// `pageflow run INPUT... --out DIR`: the batch pipeline.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "base/log.h"
#include "cli/command.h"
#include "cli/log_flags.h"
#include "cli/run_flags.h"
#include "input/input_walker.h"
#include "pipeline/pipeline.h"

namespace pageflow {
namespace {

struct RunFlags {
  RunOptions run;
  SharedRunFlags shared{&run};
  std::string formats = "jsonl";
  bool no_progress = false;
  bool boxes = false;
  std::string max_stdin = "1G";
  LogFlags log;
};

constexpr char kStdout[] = "-";

// A missing INPUT or @list is a usage error, found before anything starts (a path

// A missing INPUT or @list is a usage error, found before anything starts (a path
// inside a directory or a list that cannot be read is a failed document instead).
bool CheckInputs(const std::vector<std::string>& inputs) {
  if (std::count(inputs.begin(), inputs.end(), kStdinInput) > 1) {
    std::cerr << "pageflow: '-' (standard input) can be given once\n";
    return false;
  }
  for (const std::string& input : inputs) {
    if (input == kStdinInput) continue;
    if (!input.empty() && input[0] == '@') {
      std::ifstream list(input.substr(1));
      if (!list) {
        std::cerr << "pageflow: cannot read input list '" << input.substr(1)
                  << "': " << std::strerror(errno) << "\n";
        return false;
      }
      continue;
    }
    std::error_code ec;
    if (!std::filesystem::exists(input, ec)) {
      std::cerr << "pageflow: input '" << input << "' does not exist\n";
      return false;
    }
  }
  return true;
}

// "2 documents written (1 with failed pages), 1 document failed, 3 already done; 40
// pages (2 failed) in 12.3s = 3.25 pages/s; peak RSS 412M of limit 2.0G"
std::string SummaryLine(const RunSummary& s) {
  std::string line = Plural(s.documents, "document") + " written";
  if (s.documents_with_failed_pages > 0) {
    line += " (" + std::to_string(s.documents_with_failed_pages) + " with failed pages)";
  }
  if (s.documents_failed > 0)
    line += ", " + Plural(s.documents_failed, "document") + " failed";
  if (s.documents_skipped > 0) {
    line += ", " + std::to_string(s.documents_skipped) + " already done";
  }
  line += "; " + Plural(s.pages, "page");
  if (s.pages_failed > 0) line += " (" + std::to_string(s.pages_failed) + " failed)";
  char tail[160];
  std::snprintf(tail, sizeof tail, " in %.1fs = %.2f pages/s; peak RSS %s of limit %s",
                s.wall_seconds, s.pages_per_second, FormatBytes(s.peak_rss_bytes).c_str(),
                FormatBytes(s.memory_limit_bytes).c_str());
  return line + tail;
}

// `--out -`: the run's workspace is a temporary folder, removed at exit, and each
// document's output (the one format asked for) is copied to standard output as soon as
// it is written, so that pageflow fits in a pipeline. Logs stay on stderr.
class StdoutSink {
 public:
  ~StdoutSink() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  // Makes the temporary workspace; false, with a message, if it cannot.
  bool Open(RunOptions* run) {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
                        "/pageflow-out-XXXXXX";
    if (mkdtemp(templ.data()) == nullptr) {
      std::cerr << "pageflow: --out -: cannot create a temporary folder " << templ << ": "
                << std::strerror(errno) << "\n";
      return false;
    }
    dir_ = templ;
    run->out_dir = dir_;
    const OutputFormats formats = run->formats;
    run->on_document_written = [formats](const DocumentMeta& meta, const Workspace& ws) {
      StatusOr<std::string> path = ws.ResultPath(meta.id);
      if (formats.md) path = ws.MirrorPath(meta.relative, "md");
      if (formats.txt) path = ws.MirrorPath(meta.relative, "txt");
      if (path.ok()) path = Copy(*path);
      if (!path.ok())
        LogError(meta.name() + ": cannot write to stdout: " + path.status().message());
    };
    return true;
  }

 private:
  static StatusOr<std::string> Copy(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return IoError("cannot read " + path);
    char buffer[64 << 10];  // small and transient: not charged to the budget
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
      std::cout.write(buffer, in.gcount());
    }
    std::cout.flush();
    if (!std::cout) return IoError(std::strerror(errno));
    return path;
  }
  std::string dir_;
};

int ExecuteRun(RunFlags& f) {
  RunOptions& run = f.run;
  if (!f.log.Apply() || !f.shared.Apply()) return kExitUsage;
  StatusOr<OutputFormats> formats = ParseFormats(f.formats);
  if (!formats.ok()) {
    std::cerr << "pageflow: --format: " << formats.status().message() << "\n";
    return kExitUsage;
  }
  run.formats = *formats;
  run.formats.boxes = f.boxes;
  if (!CheckInputs(run.inputs) ||
      !ParseSizeFlag("--max-stdin", f.max_stdin, &run.max_stdin_bytes)) {
    return kExitUsage;
  }
  run.progress = !f.no_progress && !f.log.quiet;
  StdoutSink stdout_sink;
  const bool to_stdout = run.out_dir == kStdout;
  if (to_stdout) {
    const OutputFormats& o = run.formats;
    if (o.jsonl + o.md + o.txt != 1 || o.hocr || o.alto) {
      std::cerr << "pageflow: --out - writes one format to stdout: --format jsonl, md or "
                   "txt\n";
      return kExitUsage;
    }
    if (!stdout_sink.Open(&run)) return kExitFatal;
  }

  InstallStopSignals();
  StatusOr<RunSummary> summary = RunPipeline(run, &g_stop_requested);
  if (!summary.ok()) {
    LogError(summary.status().message());
    return kExitFatal;
  }
  LogInfo(SummaryLine(*summary));
  if (summary->interrupted) LogWarning("interrupted: re-run the same command to resume");
  if (to_stdout) return summary->ExitCode();
  if (run.formats.jsonl) LogInfo("results in " + run.out_dir + "/results/");
  if (run.formats.md) LogInfo("Markdown in " + run.out_dir + "/md/");
  if (run.formats.txt) LogInfo("text in " + run.out_dir + "/txt/");
  if (run.formats.hocr) LogInfo("hOCR in " + run.out_dir + "/hocr/");
  if (run.formats.alto) LogInfo("ALTO in " + run.out_dir + "/alto/");
  if (run.formats.pdf) LogInfo("searchable PDFs in " + run.out_dir + "/pdf/");
  return summary->ExitCode();
}

}  // namespace

Command AddRunCommand(CLI::App& app) {
  auto f = std::make_shared<RunFlags>();
  RunOptions& run = f->run;
  CLI::App* cmd = app.add_subcommand("run", "Convert documents to text (batch)");
  cmd->add_option("inputs", run.inputs,
                  "Files, directories (recursed), @list.txt (one path per line), or - "
                  "for one document read from standard input (PDF, PNG, JPEG or TIFF, "
                  "told by its content)")
      ->required();
  cmd->add_option(
         "--out", run.out_dir,
         "Output directory: results/*.jsonl, md/, txt/; also the workspace a re-run "
         "resumes from. - writes each document's record (or its --format md or "
         "txt) to standard output instead, logs staying on stderr")
      ->required();
  cmd->add_option("--max-stdin", f->max_stdin,
                  "Largest document read from standard input (spooled to disk under the "
                  "output directory; refused beyond)")
      ->default_val("1G");
  f->shared.AddEngineFlags(cmd);
  cmd->add_option(
         "--format", f->formats,
         "Comma-separated outputs: jsonl, md, txt, hocr (DIR/hocr/), alto (ALTO v4 "
         "XML in DIR/alto/), pdf (searchable PDFs in DIR/pdf/)")
      ->default_val("jsonl");
  cmd->add_option("--pages-per-range", run.pages_per_range,
                  "Pages per work item; long documents resume at this granularity")
      ->default_val(16)
      ->check(CLI::Range(1, 100000));
  cmd->add_flag(
      "--boxes", f->boxes,
      "Add each page's blocks, lines and words with boxes and confidences to the "
      "JSONL record (metadata.page_boxes; points for PDF text layers, pixels for "
      "OCR); see docs/output-format.md");
  f->shared.AddMaxPagesFlag(cmd);
  f->shared.AddPagesFlag(cmd);
  cmd->add_flag(
      "--redo", run.redo,
      "Do every document again, even those an earlier run finished (without it, a "
      "document is redone only if its input changed: size or modification time)");
  f->shared.AddLayoutFlag(cmd);
  f->shared.AddStoreFlags(cmd);
  cmd->add_option("--stats", run.stats_path, "Write run statistics (JSON) to FILE");
  cmd->add_flag("--no-progress", f->no_progress,
                "No progress: neither the line on a terminal nor the periodic log lines");
  cmd->add_option("--progress-interval", run.progress_interval_seconds,
                  "When stderr is not a terminal (or with --log-format json): a progress "
                  "line every SECONDS (0 = none)")
      ->default_val(30)
      ->check(CLI::NonNegativeNumber);
  f->log.Add(cmd);
  return {cmd, [f] { return ExecuteRun(*f); }};
}

}  // namespace pageflow
