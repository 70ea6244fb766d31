#include "base/log.h"

#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <string>

namespace pageflow {
namespace {

std::mutex g_mu;
LogLevel g_level = LogLevel::kInfo;  // guarded by g_mu
bool g_status_shown = false;         // guarded by g_mu

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug: ";
    case LogLevel::kInfo: return "";
    case LogLevel::kWarning: return "warning: ";
    case LogLevel::kError: return "error: ";
  }
  return "";
}

}  // namespace

void SetLogLevel(LogLevel level) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_level = level;
}

void Log(LogLevel level, std::string_view message) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (level < g_level) return;
  if (g_status_shown) std::fputs("\r\033[K", stderr);
  g_status_shown = false;
  std::fprintf(stderr, "pageflow: %s%.*s\n", LevelName(level), static_cast<int>(message.size()),
               message.data());
}

void SetStatusLine(std::string_view line) {
  std::lock_guard<std::mutex> lock(g_mu);
  std::fprintf(stderr, "\r\033[K%.*s", static_cast<int>(line.size()), line.data());
  std::fflush(stderr);
  g_status_shown = !line.empty();
}

}  // namespace pageflow
