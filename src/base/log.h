// One line per event on stderr: "pageflow: warning: page 3 of a.pdf: ...". Thread-safe;
// lines never interleave with the progress line (which is cleared first).
#pragma once

#include <string_view>

namespace pageflow {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

void SetLogLevel(LogLevel level);
void Log(LogLevel level, std::string_view message);
inline void LogInfo(std::string_view m) { Log(LogLevel::kInfo, m); }
inline void LogWarning(std::string_view m) { Log(LogLevel::kWarning, m); }
inline void LogError(std::string_view m) { Log(LogLevel::kError, m); }

// Draws `line` as the terminal's transient status line (stderr must be a TTY); the
// next Log call clears it first. Empty line clears.
void SetStatusLine(std::string_view line);

}  // namespace pageflow
