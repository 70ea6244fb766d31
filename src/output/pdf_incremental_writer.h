// PdfIncrementalWriter: a PDF written as its original bytes followed by an incremental
// update (ISO 32000-1, 7.5.6): new and replaced objects, each streamed to the sink as it
// comes, then one cross-reference section whose trailer points back at the original's.
// Or a new PDF (StartNew), its objects written the same way.
//
//   PdfIncrementalWriter w(sink, /*first_new_object=*/trailer_size);
//   PF_RETURN_IF_ERROR(w.CopyOriginal("in.pdf"));
//   PF_RETURN_IF_ERROR(w.WriteObject(page_id, 0, "<< /Type /Page ... >>"));
//   PF_RETURN_IF_ERROR(w.Finish("/Root 1 0 R", original_startxref));
//
// Nothing of the original is parsed or held: it is copied in 64 KB pieces. What the
// writer keeps is its running cross-reference table, one 16-byte entry per object
// written (RecordBytes), so memory grows with the objects written, not with the file.
// Streams are written with an indirect /Length (an extra object after the data), so
// their data is never held either. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace pageflow {

class PdfIncrementalWriter {
 public:
  using Sink = std::function<Status(std::string_view)>;
  // Writes a stream's data through `write`, in pieces; an error stops the stream.
  using Producer = std::function<Status(const Sink& write)>;

  // `first_new_object`: the first object number NewObject hands out (the original's
  // trailer /Size, or higher).
  PdfIncrementalWriter(Sink sink, int first_new_object);
  ~PdfIncrementalWriter();
  PdfIncrementalWriter(const PdfIncrementalWriter&) = delete;
  PdfIncrementalWriter& operator=(const PdfIncrementalWriter&) = delete;

  // The original file, byte for byte (first; once). IO_ERROR when it cannot be read.
  Status CopyOriginal(const std::string& path);
  // Or, for a new file, its header (first; once).
  Status StartNew();
  // A fresh object number.
  int NewObject() { return next_object_++; }
  // "ID GEN obj\nBODY\nendobj\n": a new object, or a new version of an original one.
  Status WriteObject(int id, int generation, std::string_view body);
  // A stream object: `dict_entries` (e.g. "/Filter /FlateDecode", without << >> and
  // /Length) and the data `produce` writes; with `deflate`, the data is Flate-compressed
  // on the way (and /Filter /FlateDecode added). Uses a second object for /Length.
  Status WriteStream(int id, std::string_view dict_entries, const Producer& produce,
                     bool deflate);
  // The cross-reference section of every object written and the trailer:
  // `trailer_entries` (/Root, /Info, /ID of the original) plus /Size and /Prev
  // (`previous_xref`: the original's startxref offset; negative for a new file, whose
  // section then also has object 0's free entry).
  Status Finish(std::string_view trailer_entries, int64_t previous_xref);

  // Bytes written so far.
  int64_t offset() const { return offset_; }
  // Bytes the running cross-reference table holds now.
  int64_t RecordBytes() const {
    return static_cast<int64_t>(entries_.capacity() * sizeof(Entry));
  }

 private:
  struct Entry {
    int32_t id;
    int32_t generation;
    int64_t offset;
  };
  class Deflater;
  Status Write(std::string_view s);
  Sink sink_;
  std::unique_ptr<Deflater> deflater_;  // made by the first deflated stream
  int next_object_;
  int64_t offset_ = 0;
  std::vector<Entry> entries_;
};

// The startxref offset stated at the end of the PDF at `path` (the last "startxref"
// in its final 1 KB). CORRUPT when there is none.
StatusOr<int64_t> FindStartXref(const std::string& path);

}  // namespace pageflow
