#include "output/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace fs = std::filesystem;

namespace pageflow {
namespace {

std::atomic<uint64_t> g_counter{0};

// This machine's name as it appears in temporary names ('-' kept, other oddities '_').
const std::string& HostTag() {
  static const std::string tag = [] {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return std::string("localhost");
    std::string s(buf);
    for (char& c : s) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.')) c = '_';
    }
    return s;
  }();
  return tag;
}

// Whether temporary `name` ("X.tmp-HOST-PID-N") is a leftover: older than any write
// takes, or made on this machine by a process that is gone. Young temporaries of other
// machines sharing the folder (or of older names without a host) are left alone.
bool IsLeftover(const std::string& name, fs::file_time_type mtime) {
  if (fs::file_time_type::clock::now() - mtime >= kTemporaryMaxAge) return true;
  const std::string rest = name.substr(name.rfind(".tmp-") + 5);  // HOST-PID-N
  const size_t last = rest.rfind('-');
  if (last == std::string::npos || last == 0) return false;
  const size_t prev = rest.rfind('-', last - 1);
  if (prev == std::string::npos || rest.substr(0, prev) != HostTag()) return false;
  const std::string pid_text = rest.substr(prev + 1, last - prev - 1);
  char* end = nullptr;
  const long pid = std::strtol(pid_text.c_str(), &end, 10);
  if (end == pid_text.c_str() || *end != '\0' || pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

}  // namespace

StatusOr<AtomicFile> AtomicFile::Create(const std::string& path) {
  std::error_code ec;
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  if (ec) return IoError("cannot create directory " + parent.string() + ": " + ec.message());
  const std::string tmp =
      path + ".tmp-" + HostTag() + "-" + std::to_string(getpid()) + "-" + std::to_string(g_counter++);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("cannot create " + tmp + ": " + std::strerror(errno));
  return AtomicFile(path, tmp, fd);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)), tmp_(std::move(other.tmp_)), fd_(other.fd_) {
  other.fd_ = -1;
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(tmp_.c_str());
  }
}

Status AtomicFile::Write(std::string_view data) {
  if (fd_ < 0) return Internal("write to a closed AtomicFile");
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot write " + tmp_ + ": " + std::strerror(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status AtomicFile::Commit() {
  if (fd_ < 0) return Internal("commit of a closed AtomicFile");
  const int fd = fd_;
  fd_ = -1;
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const std::string err = std::strerror(errno);
    ::unlink(tmp_.c_str());
    return IoError("cannot flush " + tmp_ + ": " + err);
  }
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
    const std::string err = std::strerror(errno);
    ::unlink(tmp_.c_str());
    return IoError("cannot rename " + tmp_ + " to " + path_ + ": " + err);
  }
  return Status::Ok();
}

Status WriteFileAtomically(const std::string& path, std::string_view data) {
  PF_ASSIGN_OR_RETURN(AtomicFile file, AtomicFile::Create(path));
  PF_RETURN_IF_ERROR(file.Write(data));
  return file.Commit();
}

StatusOr<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int RemoveStaleTemporaries(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return 0;
  int removed = 0;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.find(".tmp-") == std::string::npos || !it->is_regular_file(ec)) continue;
    const fs::file_time_type mtime = it->last_write_time(ec);
    if (ec) {
      ec.clear();
      continue;
    }
    if (IsLeftover(name, mtime) && fs::remove(it->path(), ec)) ++removed;
  }
  return removed;
}

}  // namespace pageflow
