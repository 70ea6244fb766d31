// pageflow's command line: one file per subcommand (flag parsing only; the work is in
// the libraries). Exit codes are in command.h.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "base/process_stats.h"
#include "cli/command.h"

namespace {

// Whether this command can reach Tesseract (the only user of OpenMP): not `run` or
// `eval` with `--engine text-layer` or `vlm`. Their start-up then skips the re-exec,
// which loads every shared library a second time (about 0.1 s, a fifth of a
// 178-page text-layer run).
bool MayUseTesseract(int argc, char** argv) {
  if (argc < 2) return false;
  const std::string_view command = argv[1];
  if (command != "run" && command != "eval") return true;
  for (int i = 2; i < argc; ++i) {
    std::string_view arg = argv[i], engine;
    if (arg == "--engine" && i + 1 < argc) {
      engine = argv[i + 1];
    } else if (arg.substr(0, 9) == "--engine=") {
      engine = arg.substr(9);
    } else {
      continue;
    }
    return engine != "text-layer" && engine != "vlm";
  }
  return true;  // auto by default
}

// libgomp reads OMP_THREAD_LIMIT when it loads, before main; re-exec once with it set.
void EnsureSingleThreadedOpenMp(int argc, char** argv) {
  if (std::getenv("OMP_THREAD_LIMIT") != nullptr || !MayUseTesseract(argc, argv)) return;
  setenv("OMP_THREAD_LIMIT", "1", 1);
  execv("/proc/self/exe", argv);
  // If re-exec is impossible, continue: slower, but correct.
}

}  // namespace

int main(int argc, char** argv) {
  EnsureSingleThreadedOpenMp(argc, argv);
  using namespace pageflow;
  ConfigureHeap();

  CLI::App app{
      "pageflow: documents (PDF, PNG, JPEG, TIFF) to text under a hard memory limit"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "pageflow 0.1.0");

  const std::vector<Command> commands = {
      AddRunCommand(app),    AddEvalCommand(app),        AddEnqueueCommand(app),
      AddWorkerCommand(app), AddQueueStatusCommand(app), AddServeCommand(app),
      AddPlanCommand(app),
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  for (const Command& c : commands) {
    if (*c.app) return c.execute();
  }
  return kExitUsage;
}
