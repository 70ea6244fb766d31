#include "pipeline/stdin_spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace pageflow {
namespace {

// An open file descriptor, closed on destruction unless Close() took it.
class File {
 public:
  explicit File(int fd) : fd_(fd) {}
  ~File() {
    if (fd_ >= 0) close(fd_);
  }
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  int get() const { return fd_; }
  bool Close() {  // false if close reports an error (a late write failure)
    const int fd = fd_;
    fd_ = -1;
    return close(fd) == 0;
  }

 private:
  int fd_;
};

Status Copy(int in, int out, int64_t max_bytes, char* buffer) {
  int64_t copied = 0;
  for (;;) {
    const ssize_t n = read(in, buffer, kSpoolBufferBytes);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError(std::string("cannot read: ") + std::strerror(errno));
    if (n == 0) break;
    if (copied + n > max_bytes) {
      return ResourceExhausted("more than " + FormatBytes(max_bytes) +
                               " (--max-stdin); give a larger limit or a file name");
    }
    for (ssize_t off = 0; off < n;) {
      const ssize_t w = write(out, buffer + off, static_cast<size_t>(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return IoError(std::string("cannot spool: ") + std::strerror(errno));
      off += w;
    }
    copied += n;
  }
  if (copied == 0) return Corrupt("empty input");
  return Status::Ok();
}

}  // namespace

Status SpoolStream(int fd, const std::string& path, int64_t max_bytes,
                   MemoryBudget* budget) {
  // The run's budget pays for the copy buffer while the stream is copied, as serve's
  // page service pays for its uploads' receive buffers; the document itself is on disk.
  PF_ASSIGN_OR_RETURN(Reservation reservation,
                      budget->Reserve(kSpoolBufferBytes, "stdin spool buffer"));
  auto buffer = std::make_unique<char[]>(kSpoolBufferBytes);
  File out(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (out.get() < 0) {
    return IoError("cannot create spool file " + path + ": " + std::strerror(errno));
  }
  Status st = Copy(fd, out.get(), max_bytes, buffer.get());
  if (st.ok() && !out.Close()) {
    st = IoError(std::string("cannot spool: ") + std::strerror(errno));
  }
  if (!st.ok()) unlink(path.c_str());
  return st;
}

}  // namespace pageflow
