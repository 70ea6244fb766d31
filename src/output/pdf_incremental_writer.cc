#include "output/pdf_incremental_writer.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace pageflow {
namespace {

// Bytes read from the original, or deflated, at a time.
constexpr size_t kChunk = 64 << 10;

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

}  // namespace

// Deflates what it is given into a sink, in kChunk pieces. One for all the streams of a
// writer: zlib's state (about 270 KB) is set up once and reset for each stream.
class PdfIncrementalWriter::Deflater {
 public:
  Deflater() { ok_ = deflateInit(&z_, Z_DEFAULT_COMPRESSION) == Z_OK; }
  ~Deflater() {
    if (ok_) deflateEnd(&z_);
  }
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;
  Status Begin(const Sink* next) {
    next_ = next;
    if (!ok_ || deflateReset(&z_) != Z_OK) return Internal("zlib cannot start a stream");
    return Status::Ok();
  }
  Status Write(std::string_view in) { return Run(in, Z_NO_FLUSH); }
  Status Finish() { return Run({}, Z_FINISH); }

 private:
  Status Run(std::string_view in, int flush) {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    // Whose budget: none; a fixed 64 KB window.
    out_.resize(kChunk);
    int rc = Z_OK;
    do {
      z_.next_out = reinterpret_cast<Bytef*>(out_.data());
      z_.avail_out = static_cast<uInt>(out_.size());
      rc = deflate(&z_, flush);
      if (rc == Z_STREAM_ERROR) return Internal("zlib deflate failed");
      const size_t n = out_.size() - z_.avail_out;
      if (n > 0) PF_RETURN_IF_ERROR((*next_)(std::string_view(out_.data(), n)));
    } while (z_.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
    return Status::Ok();
  }
  const Sink* next_ = nullptr;
  z_stream z_{};
  bool ok_ = false;
  std::string out_;
};

PdfIncrementalWriter::PdfIncrementalWriter(Sink sink, int first_new_object)
    : sink_(std::move(sink)), next_object_(first_new_object) {}

PdfIncrementalWriter::~PdfIncrementalWriter() = default;

Status PdfIncrementalWriter::Write(std::string_view s) {
  PF_RETURN_IF_ERROR(sink_(s));
  offset_ += static_cast<int64_t>(s.size());
  return Status::Ok();
}

Status PdfIncrementalWriter::CopyOriginal(const std::string& path) {
  File in(std::fopen(path.c_str(), "rb"));
  if (!in) return IoError("cannot open " + path + ": " + std::strerror(errno));
  // Whose budget: none; a fixed 64 KB window.
  std::string chunk(kChunk, '\0');
  size_t n = 0;
  char last = '\n';
  while ((n = std::fread(chunk.data(), 1, chunk.size(), in.get())) > 0) {
    PF_RETURN_IF_ERROR(Write(std::string_view(chunk.data(), n)));
    last = chunk[n - 1];
  }
  if (std::ferror(in.get())) return IoError("cannot read " + path);
  // The update starts on a line of its own (after "%%EOF").
  if (last != '\n' && last != '\r') PF_RETURN_IF_ERROR(Write("\n"));
  return Status::Ok();
}

Status PdfIncrementalWriter::StartNew() {
  // A binary comment so that tools take the file as binary.
  return Write("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n");
}

Status PdfIncrementalWriter::WriteObject(int id, int generation, std::string_view body) {
  entries_.push_back({id, generation, offset_});
  PF_RETURN_IF_ERROR(
      Write(std::to_string(id) + " " + std::to_string(generation) + " obj\n"));
  PF_RETURN_IF_ERROR(Write(body));
  return Write("\nendobj\n");
}

Status PdfIncrementalWriter::WriteStream(int id, std::string_view dict_entries,
                                         const Producer& produce, bool deflate) {
  const int length_id = NewObject();
  entries_.push_back({id, 0, offset_});
  std::string head = std::to_string(id) + " 0 obj\n<< " + std::string(dict_entries);
  if (deflate) head += " /Filter /FlateDecode";
  head += " /Length " + std::to_string(length_id) + " 0 R >>\nstream\n";
  PF_RETURN_IF_ERROR(Write(head));
  const int64_t start = offset_;
  const Sink raw = [this](std::string_view s) { return Write(s); };
  if (deflate) {
    if (!deflater_) deflater_ = std::make_unique<Deflater>();
    Deflater& z = *deflater_;
    PF_RETURN_IF_ERROR(z.Begin(&raw));
    PF_RETURN_IF_ERROR(produce([&z](std::string_view s) { return z.Write(s); }));
    PF_RETURN_IF_ERROR(z.Finish());
  } else {
    PF_RETURN_IF_ERROR(produce(raw));
  }
  const int64_t length = offset_ - start;
  PF_RETURN_IF_ERROR(Write("\nendstream\nendobj\n"));
  return WriteObject(length_id, 0, std::to_string(length));
}

Status PdfIncrementalWriter::Finish(std::string_view trailer_entries,
                                    int64_t previous_xref) {
  // A later version of an object replaces an earlier one of the same number.
  std::stable_sort(entries_.begin(), entries_.end(),
                   [](const Entry& a, const Entry& b) { return a.id < b.id; });
  std::vector<Entry> kept;
  for (const Entry& e : entries_) {
    if (!kept.empty() && kept.back().id == e.id) {
      kept.back() = e;
    } else {
      kept.push_back(e);
    }
  }
  entries_ = std::move(kept);
  const int64_t xref = offset_;
  PF_RETURN_IF_ERROR(
      Write(previous_xref < 0 ? "xref\n0 1\n0000000000 65535 f\r\n" : "xref\n"));
  // Subsections of consecutive object numbers; each entry exactly 20 bytes.
  for (size_t i = 0; i < entries_.size();) {
    size_t j = i + 1;
    while (j < entries_.size() && entries_[j].id == entries_[j - 1].id + 1) ++j;
    std::string section =
        std::to_string(entries_[i].id) + " " + std::to_string(j - i) + "\n";
    for (size_t k = i; k < j; ++k) {
      char line[24];
      std::snprintf(line, sizeof line, "%010lld %05d n\r\n",
                    static_cast<long long>(entries_[k].offset), entries_[k].generation);
      section += line;
    }
    PF_RETURN_IF_ERROR(Write(section));
    i = j;
  }
  int size = next_object_;
  if (!entries_.empty()) size = std::max(size, entries_.back().id + 1);
  const std::string prev =
      previous_xref < 0 ? "" : " /Prev " + std::to_string(previous_xref);
  return Write("trailer\n<< " + std::string(trailer_entries) + " /Size " +
               std::to_string(size) + prev + " >>\nstartxref\n" + std::to_string(xref) +
               "\n%%EOF\n");
}

StatusOr<int64_t> FindStartXref(const std::string& path) {
  File in(std::fopen(path.c_str(), "rb"));
  if (!in) return IoError("cannot open " + path + ": " + std::strerror(errno));
  if (std::fseek(in.get(), 0, SEEK_END) != 0) return IoError("cannot seek in " + path);
  const long size = std::ftell(in.get());
  const long tail = std::min<long>(size, 1024);
  std::string end(static_cast<size_t>(tail), '\0');
  if (std::fseek(in.get(), size - tail, SEEK_SET) != 0 ||
      std::fread(end.data(), 1, end.size(), in.get()) != end.size()) {
    return IoError("cannot read the end of " + path);
  }
  const size_t at = end.rfind("startxref");
  if (at == std::string::npos) return Corrupt(path + " has no startxref");
  size_t i = at + 9;
  while (i < end.size() && std::strchr(" \t\r\n\f", end[i]) != nullptr) ++i;
  int64_t value = 0;
  size_t digits = 0;
  for (; i < end.size() && end[i] >= '0' && end[i] <= '9' && digits < 15; ++i, ++digits)
    value = value * 10 + (end[i] - '0');
  if (digits == 0 || value >= size)
    return Corrupt(path + ": startxref does not point into the file");
  return value;
}

}  // namespace pageflow
