// AtomicFile: a file that appears whole or not at all. Writes go to a temporary file
// beside the target ("NAME.tmp-HOST-PID-N"); Commit() flushes, fsyncs and renames it over the
// target. Destroying an uncommitted AtomicFile removes the temporary.
//
//   StatusOr<AtomicFile> f = AtomicFile::Create("out/results/x.jsonl");
//   PF_RETURN_IF_ERROR(f->Write(line));
//   PF_RETURN_IF_ERROR(f->Commit());
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/status.h"

namespace pageflow {

class AtomicFile {
 public:
  // Creates missing parent directories. IO_ERROR if the temporary cannot be created.
  static StatusOr<AtomicFile> Create(const std::string& path);
  ~AtomicFile();
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  Status Write(std::string_view data);
  Status Commit();

 private:
  AtomicFile(std::string path, std::string tmp, int fd) : path_(std::move(path)), tmp_(std::move(tmp)), fd_(fd) {}
  std::string path_;
  std::string tmp_;
  int fd_ = -1;  // owned; -1 after Commit or move
};

// Writes `data` to `path` atomically.
Status WriteFileAtomically(const std::string& path, std::string_view data);
// Reads a whole (small) file.
StatusOr<std::string> ReadSmallFile(const std::string& path);
// A write takes seconds; a temporary this old is a leftover whoever made it.
inline constexpr std::chrono::hours kTemporaryMaxAge{1};

// Removes "*.tmp-*" leftovers of killed processes below dir and returns how many: those
// made on this machine by a process that is gone, and any older than kTemporaryMaxAge.
// Temporaries being written stay, so runs and workers sharing an output folder (from
// one machine or several) can all sweep it.
int RemoveStaleTemporaries(const std::string& dir);

}  // namespace pageflow
