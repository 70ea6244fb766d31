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
// A temporary that no process of this machine owns is left alone this long: another
// machine sharing the folder may still be writing it (a temporary lives for seconds).
inline constexpr std::chrono::hours kForeignTemporaryMaxAge{1};

// Removes "*.tmp-*" leftovers of killed processes below dir and returns how many: those
// whose process (named in the temporary) is gone from this machine, and any older than
// kForeignTemporaryMaxAge. Temporaries of live processes stay, so runs and workers
// sharing an output folder can all sweep it.
int RemoveStaleTemporaries(const std::string& dir);

}  // namespace pageflow
