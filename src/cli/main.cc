// pageflow's command line: one file per subcommand (flag parsing only; the work is in
// the libraries). Exit codes are in command.h.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <vector>

#include "cli/command.h"

namespace {

// libgomp reads OMP_THREAD_LIMIT when it loads, before main; re-exec once with it set.
void EnsureSingleThreadedOpenMp(char** argv) {
  if (std::getenv("OMP_THREAD_LIMIT") != nullptr) return;
  setenv("OMP_THREAD_LIMIT", "1", 1);
  execv("/proc/self/exe", argv);
  // If re-exec is impossible, continue: slower, but correct.
}

}  // namespace

int main(int argc, char** argv) {
  EnsureSingleThreadedOpenMp(argv);
  using namespace pageflow;

  CLI::App app{"pageflow: documents (PDF, PNG, JPEG, TIFF) to text under a hard memory limit"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "pageflow 0.1.0");

  const std::vector<Command> commands = {
      AddRunCommand(app),
      AddEvalCommand(app),
      AddEnqueueCommand(app),
      AddWorkerCommand(app),
      AddQueueStatusCommand(app),
      AddServeCommand(app),
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
