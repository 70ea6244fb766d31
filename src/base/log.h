// One line per event on stderr: "pageflow: warning: page 3 of a.pdf: ...", or with
// LogFormat::kJson one JSON object per line:
//   {"time":"2026-12-01T23:40:00.123Z","level":"warning","message":"page 3 of a.pdf:
//   ..."}
// Thread-safe; lines never interleave with the progress line (which is cleared first).
#pragma once

#include <string>
#include <string_view>

namespace pageflow {

enum class LogLevel { kDebug, kInfo, kWarning, kError };
enum class LogFormat { kText, kJson };

void SetLogLevel(LogLevel level);
void SetLogFormat(LogFormat format);
LogFormat CurrentLogFormat();
bool LogEnabled(LogLevel level);
void Log(LogLevel level, std::string_view message);
// As Log; in JSON format `json_fields` (object members without braces, e.g.
// "\"pages_done\":3") and "event":`event` are added to the object.
void LogEvent(LogLevel level, std::string_view event, std::string_view message,
              std::string_view json_fields);
inline void LogDebug(std::string_view m) { Log(LogLevel::kDebug, m); }
inline void LogInfo(std::string_view m) { Log(LogLevel::kInfo, m); }
inline void LogWarning(std::string_view m) { Log(LogLevel::kWarning, m); }
inline void LogError(std::string_view m) { Log(LogLevel::kError, m); }

// Draws `line` as the terminal's transient status line (stderr must be a TTY); the
// next Log call clears it first. Empty line clears.
void SetStatusLine(std::string_view line);

// "1 document", "2 documents".
std::string Plural(long long n, std::string_view word);

}  // namespace pageflow
