#include "cli/run_flags.h"

#include <iostream>

#include "cli/command.h"
#include "engine/engine_factory.h"
#include "engine/tesseract/tesseract_languages.h"
#include "pipeline/page_selection.h"

namespace pageflow {

void SharedRunFlags::AddEngineFlags(CLI::App* cmd) {
  cmd_ = cmd;
  cmd->add_option("--engine", run_->engine.kind,
                  "auto (text layer where good, else --ocr-engine), text-layer, tesseract, ppocr, "
                  "vlm (a document VLM server)")
      ->default_val("auto");
  cmd->add_option("--ocr-engine", run_->engine.auto_ocr, "The OCR engine auto uses: tesseract, ppocr or vlm")
      ->default_val("tesseract");
  cmd->add_flag("--force-ocr", force_ocr_,
                "OCR every page, even where the PDF's own text layer is good (--engine auto "
                "becomes its --ocr-engine); with --format pdf the OCR layer replaces any "
                "invisible text the page had (ocrmypdf's --force-ocr)");
  cmd->add_option("--models-dir", run_->engine.models_dir,
                  "ppocr model directory [default: $PAGEFLOW_PPOCR_MODELS, else the one fetched by scripts/setup]");
  cmd->add_option("--lang", run_->engine.lang,
                  "Tesseract languages, e.g. eng+deu; auto: detect each page's script "
                  "and read it with the installed languages for it (`tesseract "
                  "--list-langs` lists them)")
      ->default_val("eng");
  cmd->add_option("--workers", run_->workers,
                  "Pages recognized at once; each holds one engine (its memory: `pageflow plan`) "
                  "[default: CPU cores]");
  cmd->add_option("--memory-limit", memory_limit_,
                  "Byte budget for the whole process, e.g. 2G, 600M [default: half of "
                  "min(RAM, cgroup limit)]");
  cmd->add_option("--dpi", run_->render.dpi,
                  "Resolution PDF pages are rendered at for OCR")
      ->default_val(300)
      ->check(CLI::Range(50, 1200));
  cmd->add_option("--max-dim", run_->render.max_dim,
                  "Longest side of a page raster in pixels; larger pages are downscaled")
      ->default_val(10000)
      ->check(CLI::Range(500, 100000));
  AddVlmFlags(cmd, &vlm_, run_);
}

void SharedRunFlags::AddMaxPagesFlag(CLI::App* cmd) {
  cmd->add_option("--max-pages", run_->max_pages,
                  "Only the first N pages of each document (0 = all)")
      ->default_val(0)
      ->check(CLI::NonNegativeNumber);
}

void SharedRunFlags::AddPagesFlag(CLI::App* cmd) {
  cmd->add_option(
      "--pages", pages_,
      "Only these pages of each document, e.g. 16-25,30 or 40- (from 1; pages a "
      "document does not have are ignored)");
}

void SharedRunFlags::AddLayoutFlag(CLI::App* cmd) {
  cmd->add_option("--layout", layout_,
                  "auto: Markdown in reading order with headings, paragraphs, lists and "
                  "tables, running headers/footers/page numbers left out of the text (listed "
                  "in the record); none: the engine's lines as they come")
      ->default_val("auto")
      ->check(CLI::IsMember({"auto", "none"}));
}

void SharedRunFlags::AddStoreFlags(CLI::App* cmd) {
  cmd->add_option("--pdf-store", pdf_store_,
                  "Bytes MuPDF may cache (fonts, decoded images); charged to the budget "
                  "[default: 64M]");
  cmd->add_option("--tessdata", run_->engine.tessdata_dir,
                  "Tesseract language data directory");
}

bool SharedRunFlags::Apply() {
  if (!IsKnownEngine(run_->engine.kind)) {
    std::cerr << "pageflow: unknown --engine '" << run_->engine.kind << "' (use "
              << KnownEnginesList() << ")\n";
    return false;
  }
  if (force_ocr_ && run_->engine.kind == "text-layer") {
    std::cerr << "pageflow: --force-ocr cannot be used with --engine text-layer\n";
    return false;
  }
  if (force_ocr_ && run_->engine.kind == "auto") run_->engine.kind = run_->engine.auto_ocr;
  if (!ParseSizeFlag("--memory-limit", memory_limit_, &run_->memory_limit_bytes) ||
      !ParsePdfStoreFlag(pdf_store_, &run_->pdf_store_bytes)) {
    return false;
  }
  if (!ApplyVlmFlags(vlm_, cmd_, run_)) return false;
  if (run_->engine.kind != "text-layer" && run_->engine.kind != "ppocr") {
    // Checked here so that a typo is a usage error before anything loads.
    if (Status st = CheckLanguages(run_->engine.lang, run_->engine.tessdata_dir);
        !st.ok()) {
      std::cerr << "pageflow: " << st.message() << "\n";
      return false;
    }
  }
  if (!ParseLayoutMode(layout_, &run_->layout)) {
    std::cerr << "pageflow: unknown --layout '" << layout_ << "' (use auto or none)\n";
    return false;
  }
  StatusOr<std::vector<PageRange>> pages = ParsePageSelection(pages_);
  if (!pages.ok()) {
    std::cerr << "pageflow: --pages: " << pages.status().message() << "\n";
    return false;
  }
  run_->page_selection = std::move(*pages);
  if (run_->workers <= 0) run_->workers = DefaultWorkers();
  return true;
}

}  // namespace pageflow
