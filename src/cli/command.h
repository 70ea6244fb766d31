// Shared pieces of pageflow's subcommands. Each subcommand lives in its own file as a
// pair: Add*Command declares its flags on the app; the returned Command runs it once
// parsing succeeded. Flag parsing only: the work is in the libraries.
//
//   Command run = AddRunCommand(app);
//   app.parse(argc, argv);
//   if (*run.app) return run.execute();
#pragma once

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace pageflow {

// Exit codes (DESIGN §4): 0 all pages done, 1 some pages or documents failed (the rest
// written), 2 usage error, 3 fatal. `plan` uses them for what a run would do: 0 fits,
// 1 some page would be downscaled or refused (or workers would wait on memory), 3 the
// fixed costs alone exceed the limit.
constexpr int kExitOk = 0;
constexpr int kExitPartial = 1;
constexpr int kExitUsage = 2;
constexpr int kExitFatal = 3;

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> execute;
};

// Set by SIGINT/SIGTERM once InstallStopSignals ran: long commands finish what is in
// flight and return.
extern std::atomic<bool> g_stop_requested;
void InstallStopSignals();

// Parses a byte-size flag ("2G"); an empty value keeps *out. False (and a message on
// stderr) on error.
bool ParseSizeFlag(const char* flag, const std::string& text, int64_t* out);

// --pdf-store: a byte size of at least kMinPdfStoreBytes (0 is refused: MuPDF would take
// it as "unlimited"). False (and a message on stderr) on error.
inline constexpr int64_t kMinPdfStoreBytes = 1 << 20;
bool ParsePdfStoreFlag(const std::string& text, int64_t* out);

// --workers default: the number of CPU cores.
int DefaultWorkers();

Command AddRunCommand(CLI::App& app);
Command AddEvalCommand(CLI::App& app);
Command AddEnqueueCommand(CLI::App& app);
Command AddWorkerCommand(CLI::App& app);
Command AddQueueStatusCommand(CLI::App& app);
Command AddServeCommand(CLI::App& app);
Command AddPlanCommand(CLI::App& app);

}  // namespace pageflow
