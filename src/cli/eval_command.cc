// `pageflow eval --corpus DIR`: accuracy (CER, WER, bag-of-words F1) and structure
// checks (NAME.tests.jsonl) on a corpus.
#include <stdlib.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "base/log.h"
#include "cli/command.h"
#include "cli/vlm_flags.h"
#include "engine/engine_factory.h"
#include "eval/corpus_eval.h"
#include "output/atomic_file.h"

namespace pageflow {
namespace {

struct EvalFlags {
  EvalOptions eval;
  std::string json_path, memory_limit, layout = "auto";
  VlmFlags vlm;
  CLI::App* app = nullptr;
};

int ExecuteEval(EvalFlags& f) {
  EvalOptions& eval = f.eval;
  if (!IsKnownEngine(eval.run.engine.kind)) {
    std::cerr << "pageflow: unknown --engine '" << eval.run.engine.kind << "' (use " << KnownEnginesList() << ")\n";
    return kExitUsage;
  }
  if (!ParseSizeFlag("--memory-limit", f.memory_limit, &eval.run.memory_limit_bytes)) return kExitUsage;
  if (!ApplyVlmFlags(f.vlm, f.app, &eval.run)) return kExitUsage;
  ParseLayoutMode(f.layout, &eval.run.layout);  // checked by the flag
  if (eval.run.workers <= 0) eval.run.workers = DefaultWorkers();
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
  if (!f.json_path.empty()) {
    if (Status st = WriteFileAtomically(f.json_path, EvalReportJson(*report)); !st.ok()) {
      LogError(st.message());
      return kExitFatal;
    }
  }
  return kExitOk;
}

}  // namespace

Command AddEvalCommand(CLI::App& app) {
  auto f = std::make_shared<EvalFlags>();
  EvalOptions& eval = f->eval;
  CLI::App* cmd = app.add_subcommand(
      "eval",
      "Measure accuracy (CER, WER, bag-of-words F1) and structure checks on a corpus");
  cmd->add_option(
         "--corpus", eval.corpus_dir,
         "Corpus directory with manifest.tsv, NAME.gt.txt and NAME.tests.jsonl files")
      ->required();
  cmd->add_option("--engine", eval.run.engine.kind, "Engine to evaluate (as for run)")->default_val("auto");
  cmd->add_option("--ocr-engine", eval.run.engine.auto_ocr, "The OCR engine auto uses: tesseract, ppocr or vlm")
      ->default_val("tesseract");
  cmd->add_option("--models-dir", eval.run.engine.models_dir, "ppocr model directory (as for run)");
  cmd->add_option("--lang", eval.lang, "Tesseract languages for every item [default: each item's manifest language]");
  cmd->add_option("--baseline", eval.baseline,
                  "Also run this baseline on the same inputs: tesseract-cli, pdftotext "
                  "or pdftotext-layout (PDFs only)");
  cmd->add_option("--subset", eval.subsets, "Only these subsets (e.g. sroie_receipts or A_images/funsd_forms)");
  cmd->add_option("--max-pages", eval.run.max_pages, "Only the first N pages of each PDF (0 = all)")->default_val(0);
  cmd->add_option("--dpi", eval.run.render.dpi, "PDF render resolution (pageflow and baseline)")->default_val(300);
  cmd->add_option("--workers", eval.run.workers, "As for run [default: CPU cores]");
  cmd->add_option("--memory-limit", f->memory_limit, "As for run");
  cmd->add_option("--layout", f->layout,
                  "As for run; with auto, text is scored as the plain text of the Markdown")
      ->default_val("auto")
      ->check(CLI::IsMember({"auto", "none"}));
  cmd->add_option("--json", f->json_path, "Also write the full report as JSON to FILE");
  cmd->add_option("--work-dir", eval.work_dir, "Scratch directory [default: a temporary directory]");
  AddVlmFlags(cmd, &f->vlm, &eval.run);
  f->app = cmd;
  return {cmd, [f] { return ExecuteEval(*f); }};
}

}  // namespace pageflow
