// Spooling a document read from a stream (`pageflow run -`) to a file, so that workers
// can open it like any other input. It is handled like serve's uploads: the bytes go to
// disk as they arrive, through one buffer paid by the run's budget, and a stream longer
// than the limit is refused.
//
//   Status st = SpoolStream(STDIN_FILENO, ws.spill_dir() + "/spool/stdin", 1 << 30,
//   &budget);
#pragma once

#include <cstdint>
#include <string>

#include "base/memory_budget.h"
#include "base/status.h"

namespace pageflow {

// The copy buffer's size: reserved from the budget while the stream is copied.
inline constexpr int64_t kSpoolBufferBytes = 1 << 20;

// Copies `fd` to its end into `path` (created 0600, replaced if present). OK when the
// stream ended within max_bytes; otherwise `path` is removed and the status says why:
// RESOURCE_EXHAUSTED past max_bytes (the rest of the stream is left unread), CORRUPT for
// an empty stream, IO_ERROR when reading or writing fails, CANCELLED when the budget is
// closed while the buffer waits for room.
Status SpoolStream(int fd, const std::string& path, int64_t max_bytes,
                   MemoryBudget* budget);

}  // namespace pageflow
