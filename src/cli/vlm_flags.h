// The vlm engine's flags on `pageflow run` (kept apart from run_command.cc: there are many).
//
//   VlmFlags vlm;  AddVlmFlags(cmd, &vlm, &run.engine.vlm, &run.max_page_error_rate);
//   if (!ApplyVlmFlags(vlm, &run)) return kExitUsage;
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "pipeline/run_options.h"

namespace pageflow {

struct VlmFlags {
  std::string temperatures;  // "0.1,0.1,0.2"; empty: keep the default ladder
};

void AddVlmFlags(CLI::App* cmd, VlmFlags* flags, RunOptions* run);
// Checks and maps the flags onto *run; a vlm run uses --vlm-max-inflight workers.
// False (and a message on stderr) on a usage error.
bool ApplyVlmFlags(const VlmFlags& flags, CLI::App* cmd, RunOptions* run);

}  // namespace pageflow
