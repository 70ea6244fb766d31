#include "base/log.h"

#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>

namespace pageflow {
namespace {

std::mutex g_mu;
LogLevel g_level = LogLevel::kInfo;     // guarded by g_mu
LogFormat g_format = LogFormat::kText;  // guarded by g_mu
bool g_status_shown = false;            // guarded by g_mu

const char* LevelPrefix(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug: ";
    case LogLevel::kInfo: return "";
    case LogLevel::kWarning: return "warning: ";
    case LogLevel::kError: return "error: ";
  }
  return "";
}

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

// A JSON string literal (with quotes); invalid UTF-8 bytes pass through unchanged.
std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string UtcNow() {
  timeval tv{};
  gettimeofday(&tv, nullptr);
  std::tm tm{};
  gmtime_r(&tv.tv_sec, &tm);
  char buf[40];
  const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(tv.tv_usec / 1000));
  return buf;
}

// Caller holds g_mu.
void Emit(LogLevel level, std::string_view event, std::string_view message,
          std::string_view json_fields) {
  if (level < g_level) return;
  if (g_status_shown) std::fputs("\r\033[K", stderr);
  g_status_shown = false;
  if (g_format == LogFormat::kText) {
    std::fprintf(stderr, "pageflow: %s%.*s\n", LevelPrefix(level),
                 static_cast<int>(message.size()), message.data());
    return;
  }
  std::string line =
      "{\"time\":\"" + UtcNow() + "\",\"level\":\"" + LevelName(level) + "\"";
  if (!event.empty()) line += ",\"event\":" + JsonString(event);
  line += ",\"message\":" + JsonString(message);
  if (!json_fields.empty()) {
    line += ',';
    line += json_fields;
  }
  line += "}\n";
  std::fputs(line.c_str(), stderr);
}

}  // namespace

void SetLogLevel(LogLevel level) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_level = level;
}

void SetLogFormat(LogFormat format) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_format = format;
}

LogFormat CurrentLogFormat() {
  std::lock_guard<std::mutex> lock(g_mu);
  return g_format;
}

bool LogEnabled(LogLevel level) {
  std::lock_guard<std::mutex> lock(g_mu);
  return level >= g_level;
}

void Log(LogLevel level, std::string_view message) {
  std::lock_guard<std::mutex> lock(g_mu);
  Emit(level, "", message, "");
}

void LogEvent(LogLevel level, std::string_view event, std::string_view message,
              std::string_view json_fields) {
  std::lock_guard<std::mutex> lock(g_mu);
  Emit(level, event, message, json_fields);
}

void SetStatusLine(std::string_view line) {
  std::lock_guard<std::mutex> lock(g_mu);
  std::fprintf(stderr, "\r\033[K%.*s", static_cast<int>(line.size()), line.data());
  std::fflush(stderr);
  g_status_shown = !line.empty();
}

std::string Plural(long long n, std::string_view word) {
  std::string s = std::to_string(n) + " ";
  s += word;
  if (n != 1) s += 's';
  return s;
}

}  // namespace pageflow
