#include "output/qpdf_support.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <qpdf/InputSource.hh>

namespace pageflow {
namespace {

constexpr size_t kWindowBytes = 64 << 10;

// The input file for qpdf, read through a window of kWindowBytes (see OpenWindowed).
class WindowedFile : public InputSource {
 public:
  explicit WindowedFile(std::string path) : path_(std::move(path)) {
    fd_ = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0)
      throw std::runtime_error("cannot open " + path_ + ": " + std::strerror(errno));
    struct stat st {};
    size_ = fstat(fd_, &st) == 0 ? st.st_size : 0;
  }
  ~WindowedFile() override {
    if (fd_ >= 0) close(fd_);
  }
  WindowedFile(const WindowedFile&) = delete;
  WindowedFile& operator=(const WindowedFile&) = delete;

  std::string const& getName() const override { return path_; }
  qpdf_offset_t tell() override { return pos_; }
  void seek(qpdf_offset_t offset, int whence) override {
    const qpdf_offset_t base = whence == SEEK_CUR ? pos_ : whence == SEEK_END ? size_ : 0;
    if (base + offset < 0) throw std::runtime_error(path_ + ": seek before the start");
    pos_ = base + offset;
  }
  void rewind() override { pos_ = 0; }
  void unreadCh(char) override {
    if (pos_ > 0) --pos_;
  }
  size_t read(char* buffer, size_t length) override {
    last_offset = pos_;
    size_t done = 0;
    while (done < length && pos_ < size_) {
      if (pos_ < window_start_ ||
          pos_ >= window_start_ + static_cast<qpdf_offset_t>(window_len_))
        Fill();
      const size_t at = static_cast<size_t>(pos_ - window_start_);
      const size_t n = std::min(length - done, window_len_ - at);
      if (n == 0) break;
      std::memcpy(buffer + done, window_.data() + at, n);
      done += n;
      pos_ += static_cast<qpdf_offset_t>(n);
    }
    return done;
  }
  qpdf_offset_t findAndSkipNextEOL() override {
    // As FileInputSource: the offset of the next end of line; the position after it
    // and any further \r and \n.
    char c = 0;
    while (read(&c, 1) == 1) {
      if (c != '\r' && c != '\n') continue;
      const qpdf_offset_t eol = pos_ - 1;
      while (read(&c, 1) == 1) {
        if (c != '\r' && c != '\n') {
          unreadCh(c);
          break;
        }
      }
      return eol;
    }
    return pos_;
  }

 private:
  void Fill() {
    // Whose budget: none; a fixed 64 KB window.
    window_.resize(kWindowBytes);
    const ssize_t n = pread(fd_, window_.data(), window_.size(), pos_);
    if (n < 0)
      throw std::runtime_error("cannot read " + path_ + ": " + std::strerror(errno));
    window_start_ = pos_;
    window_len_ = static_cast<size_t>(n);
  }
  std::string path_;
  int fd_ = -1;
  qpdf_offset_t size_ = 0, pos_ = 0, window_start_ = 0;
  size_t window_len_ = 0;
  std::string window_;
};

}  // namespace

void OpenWindowed(QPDF& pdf, const std::string& path) {
  pdf.setSuppressWarnings(true);
  pdf.processInputSource(std::make_shared<WindowedFile>(path));
}

QPDFObjectHandle FindPage(QPDF& pdf, int index) {
  QPDFObjectHandle node = pdf.getRoot().getKey("/Pages");
  for (int depth = 0; depth < 64 && node.isDictionary(); ++depth) {
    QPDFObjectHandle kids = node.getKey("/Kids");
    if (!kids.isArray()) return index == 0 ? node : QPDFObjectHandle::newNull();
    const int n = kids.getArrayNItems();
    QPDFObjectHandle count = node.getKey("/Count");
    if (count.isInteger() && count.getIntValue() == n && index < n) {
      QPDFObjectHandle kid = kids.getArrayItem(index);
      if (kid.isDictionary() && !kid.getKey("/Kids").isArray()) return kid;
    }
    QPDFObjectHandle next = QPDFObjectHandle::newNull();
    for (int k = 0; k < n && next.isNull(); ++k) {
      QPDFObjectHandle kid = kids.getArrayItem(k);
      if (!kid.isDictionary()) continue;
      if (!kid.getKey("/Kids").isArray()) {
        if (index == 0) return kid;
        --index;
        continue;
      }
      QPDFObjectHandle c = kid.getKey("/Count");
      if (!c.isInteger()) return QPDFObjectHandle::newNull();
      if (index < c.getIntValue()) {
        next = kid;
      } else {
        index -= static_cast<int>(c.getIntValue());
      }
    }
    node = next;
  }
  return QPDFObjectHandle::newNull();
}

Status CheckXref(const std::string& path,
                 const std::map<QPDFObjGen, QPDFXRefEntry>& xref) {
  struct Fd {
    int fd;
    ~Fd() {
      if (fd >= 0) close(fd);
    }
  } file{open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0) return Unsupported("cannot open " + path);
  char head[40];
  for (const auto& [og, entry] : xref) {
    if (entry.getType() == 2) {
      auto stream = xref.find(QPDFObjGen(entry.getObjStreamNumber(), 0));
      if (stream == xref.end() || stream->second.getType() != 1)
        return Unsupported("object " + og.unparse(' ') +
                           " is in a missing object stream");
      continue;
    }
    if (entry.getType() != 1) continue;
    const ssize_t n = pread(file.fd, head, sizeof head - 1, entry.getOffset());
    if (n <= 0) return Unsupported("object " + og.unparse(' ') + " is past the end");
    head[n] = '\0';
    int id = -1, generation = -1, used = 0;
    if (std::sscanf(head, "%d %d obj%n", &id, &generation, &used) != 2 || used == 0 ||
        id != og.getObj() || generation != og.getGen()) {
      return Unsupported("object " + og.unparse(' ') + " is not where the table says");
    }
  }
  return Status::Ok();
}

void InvisibleTextFilter::handleToken(QPDFTokenizer::Token const& token) {
  if (token.getType() != QPDFTokenizer::tt_word) {
    pending_.push_back(token);
    return;
  }
  const std::string& op = token.getValue();
  if (op == "Tr") {
    for (const auto& t : pending_) {
      if (t.getType() == QPDFTokenizer::tt_integer ||
          t.getType() == QPDFTokenizer::tt_real)
        mode_ = std::atoi(t.getValue().c_str());
    }
  } else if (op == "q") {
    saved_.push_back(mode_);
  } else if (op == "Q") {
    if (!saved_.empty()) {
      mode_ = saved_.back();
      saved_.pop_back();
    }
  }
  const bool shows = op == "Tj" || op == "TJ" || op == "'" || op == "\"";
  if (shows && mode_ == 3) {
    dropped_ = true;
    pending_.clear();
    // ' and " also move to the next line: keep that for any visible text after.
    if (op != "Tj" && op != "TJ") write("T* ");
    return;
  }
  Flush();
  writeToken(token);
}

}  // namespace pageflow
