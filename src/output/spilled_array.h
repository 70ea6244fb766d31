// SpilledJsonArray: a JSON array built an element at a time in an unlinked temporary
// file and copied out through a sink in fixed pieces. The per-page lists of a document's
// record (text spans, failed pages, notes, furniture, boxes) are kept this way, so what
// the assembler holds stays flat in the document's length: a 100,000-page document
// costs disk, not memory.
//
//   SpilledJsonArray failed(ws.spill_dir());
//   PF_RETURN_IF_ERROR(failed.Append({{"page", 7}, {"error", "cannot render"}}));
//   PF_RETURN_IF_ERROR(failed.CopyTo(sink));  // "[{"error":"cannot render","page":7}]"
//
// Not thread-safe.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/status.h"

namespace pageflow {

// An anonymous read/write file in `dir` ("" = the working directory): removed from the
// directory at once, gone with its last handle.
StatusOr<std::FILE*> OpenSpillFile(const std::string& dir);

class SpilledJsonArray {
 public:
  using Sink = std::function<Status(std::string_view)>;

  // The file is made in `dir` at the first Append: an empty array costs no file.
  explicit SpilledJsonArray(std::string dir) : dir_(std::move(dir)) {}

  // Adds an element (invalid UTF-8 in its strings replaced by U+FFFD). IO_ERROR when the
  // file cannot be made or written.
  Status Append(const nlohmann::json& element);
  int64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Writes "[e1,e2,...]" through `sink`, 64 KiB at a time. Once only; nothing may be
  // appended after.
  Status CopyTo(const Sink& sink);

 private:
  struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::string dir_;
  std::unique_ptr<std::FILE, FileCloser> file_;
  int64_t size_ = 0;
};

}  // namespace pageflow
