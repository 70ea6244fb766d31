// The logging flags of the long-running commands (run, serve, worker): -q, -v and
// --log-format text|json, declared once and applied to the process's log.
//
//   auto log = std::make_shared<LogFlags>();
//   log->Add(cmd);  ...  app.parse(argc, argv);
//   if (!log->Apply()) return kExitUsage;
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace pageflow {

struct LogFlags {
  bool quiet = false;
  bool verbose = false;
  std::string format = "text";

  void Add(CLI::App* cmd);
  // Sets the log level and format. False, with a message on stderr, on a usage error.
  bool Apply() const;
};

}  // namespace pageflow
