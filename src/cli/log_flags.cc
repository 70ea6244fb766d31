#include "cli/log_flags.h"

#include <iostream>

#include "base/log.h"

namespace pageflow {

void LogFlags::Add(CLI::App* cmd) {
  cmd->add_flag("-q,--quiet", quiet,
                "Log warnings and errors only (no progress, no summary)");
  cmd->add_flag("-v,--verbose", verbose,
                "Also log each page as it is done (debug lines)");
  cmd->add_option("--log-format", format,
                  "text (\"pageflow: warning: ...\") or json (one object per line: time, "
                  "level, message; progress lines add their figures)")
      ->default_val("text")
      ->check(CLI::IsMember({"text", "json"}));
}

bool LogFlags::Apply() const {
  if (quiet && verbose) {
    std::cerr << "pageflow: -q and -v cannot be used together\n";
    return false;
  }
  SetLogFormat(format == "json" ? LogFormat::kJson : LogFormat::kText);
  if (quiet) SetLogLevel(LogLevel::kWarning);
  if (verbose) SetLogLevel(LogLevel::kDebug);
  return true;
}

}  // namespace pageflow
