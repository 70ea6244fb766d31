// The flags `run` and `plan` share (engine, render and budget), declared once and mapped
// onto RunOptions here, so that a plan is made for exactly what run would be given.
//
//   auto flags = std::make_shared<SharedRunFlags>(&options);  // outlives parsing
//   flags->AddEngineFlags(cmd);  ...  app.parse(argc, argv);
//   if (!flags->Apply()) return kExitUsage;
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "cli/vlm_flags.h"
#include "pipeline/run_options.h"

namespace pageflow {

class SharedRunFlags {
 public:
  // `run` must outlive this object and the parse.
  explicit SharedRunFlags(RunOptions* run) : run_(run) {}
  SharedRunFlags(const SharedRunFlags&) = delete;
  SharedRunFlags& operator=(const SharedRunFlags&) = delete;

  // --engine, --ocr-engine, --models-dir, --lang, --workers, --memory-limit, --dpi,
  // --max-dim, and the vlm engine's flags
  void AddEngineFlags(CLI::App* cmd);
  // --max-pages
  void AddMaxPagesFlag(CLI::App* cmd);
  // --pages (run only: a plan is for whole documents)
  void AddPagesFlag(CLI::App* cmd);
  // --layout auto|none
  void AddLayoutFlag(CLI::App* cmd);
  // --pdf-store, --tessdata
  void AddStoreFlags(CLI::App* cmd);

  // After parsing: checks --engine, parses --memory-limit and --pdf-store, maps the vlm
  // flags (a vlm run has --vlm-max-inflight workers), and defaults --workers to the CPU
  // cores. False, with a message on stderr, on a usage error.
  bool Apply();

 private:
  RunOptions* run_;
  CLI::App* cmd_ = nullptr;
  std::string memory_limit_, pdf_store_;
  bool force_ocr_ = false;
  std::string layout_ = "auto";
  std::string pages_;
  VlmFlags vlm_;
};

}  // namespace pageflow
