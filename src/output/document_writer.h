// Writes a finished document from its range files: one Dolma-style JSONL record
// (results/ID.jsonl) and optional Markdown / text mirrors. Ranges are read one at a time,
// so memory does not grow with the document's length. Every file is atomic.
//
//   DocumentSummary s;
//   Status st = WriteDocument(workspace, meta, {.jsonl = true, .md = true}, &s);
#pragma once

#include <cstdio>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "layout/furniture.h"
#include "output/workspace.h"

namespace pageflow {

struct OutputFormats {
  bool jsonl = true;
  bool md = false;
  bool txt = false;
  bool hocr = false;  // DIR/hocr/REL.hocr (output/markup_writers.h)
  bool alto = false;  // DIR/alto/REL.xml, ALTO v4
  // Not a format of its own (--boxes): the JSONL record's metadata gains "page_boxes",
  // each page's blocks, lines and words with boxes (docs/output-format.md).
  bool boxes = false;
};
// Whether pages must keep their boxes (PageRecord::boxes) for these outputs.
inline bool KeepBoxes(const OutputFormats& f) { return f.boxes || f.hocr || f.alto; }
// "jsonl,md,txt,hocr,alto" -> formats; INVALID_ARGUMENT for unknown names. Leaves `boxes`
// off.
StatusOr<OutputFormats> ParseFormats(const std::string& list);

struct DocumentMeta {
  std::string id;
  std::string source_path;  // the file pages are read from
  std::string relative;  // path below its INPUT, for mirrors
  int page_count = 0;
  std::string engine;  // requested engine
  std::string lang;
  std::vector<PageRange> ranges;
  // hOCR/ALTO: pages read from their text layer (boxes in PDF points) are stated in
  // pixels at this resolution (the run's --dpi), as if rendered for OCR.
  int points_dpi = 300;
  // A document whose fraction of pages that failed or fell back to a local engine
  // exceeds this is not written (WriteDocument returns UNAVAILABLE, see below).
  double max_page_error_rate = 1.0;
  // The record's "created": this time if set, else the source file's modification time.
  std::time_t created = 0;
  // What opening the document found wrong (Document::notes()): the record's
  // metadata.document_notes, with "no text on any page" added by the assembler.
  std::vector<std::string> notes = {};
  // SourceStamp of the input when its pages were read; range files must match it.
  std::string source_stamp = {};
  // What the record (metadata.source_file) and the log call the document; empty:
  // source_path. "stdin" for a document read from standard input, whose source_path is
  // then its spool file. Last, so that positional initializers stay valid.
  std::string source_name = {};
  const std::string& name() const {
    return source_name.empty() ? source_path : source_name;
  }
};

struct DocumentSummary {
  int pages_failed = 0;
  int pages_fallback = 0;  // done by the fallback engine after the primary one failed
  bool over_error_rate =
      false;  // not written: (failed + fallback) / pages > max_page_error_rate
  bool no_text = false;  // no page that was read has any text
};

// The document note for a document without text on any page.
inline constexpr const char* kNoTextNote =
    "no text on any page (blank pages, or a scan the engine could not read)";

// Builds a document's outputs from its pages, in page order, writing as it goes: the
// Dolma record's text page by page and its metadata at the end, the Markdown and the
// plain text likewise. `run`, queue workers (through WriteDocument) and `serve` (its
// results in every format) all assemble documents here, so a document reads the same
// from every face. Memory: the per-page lists of the metadata (spans, failures, notes)
// grow with the page count; the text does not accumulate.
//
//   DocumentAssembler a(meta, {.jsonl = [&](std::string_view s) { return out.Write(s);
//   }}); for (each page in order) PF_RETURN_IF_ERROR(a.Add(page));
//   PF_RETURN_IF_ERROR(a.Finish(&summary));
class DocumentAssembler {
 public:
  // Writes a part of an output; an error stops the assembly.
  using Sink = std::function<Status(std::string_view)>;
  struct Sinks {
    Sink jsonl;  // the Dolma record, one line; empty: not wanted
    Sink md;     // Markdown
    Sink txt;    // plain text
    Sink hocr;   // hOCR (XHTML)
    Sink alto;   // ALTO v4 XML
    // With `jsonl`: each page's boxes (PageRecord::boxes) go into the record's metadata
    // as "page_boxes". They are spilled to an unlinked temporary file in `spill_dir`
    // until the record's tail is written, so memory stays flat in the document's length.
    bool boxes = false;
    std::string spill_dir;
  };

  DocumentAssembler(const DocumentMeta& meta, Sinks sinks);
  // Before the pages, optionally: every page, in order, to learn which of their margins
  // (PageRecord::margins) repeat at the same height — running headers and footers, which
  // Add then lists as furniture. Without it every margin stays text. Bounded: the
  // tracker keeps a few lines a page, at most FurnitureTracker::kMaxEntries in all.
  void Observe(const PageRecord& page);
  // The next page (pages come in order). Errors are the sinks'.
  Status Add(const PageRecord& page);
  // Ends every output. UNAVAILABLE (summary->over_error_rate set) when the page error
  // rate exceeds meta.max_page_error_rate; the record's tail is not written then.
  Status Finish(DocumentSummary* summary);

 private:
  const DocumentMeta& meta_;
  Sinks sinks_;
  Status started_;
  nlohmann::json spans_ = nlohmann::json::array();
  nlohmann::json failed_ = nlohmann::json::array();
  nlohmann::json notes_ = nlohmann::json::array();
  nlohmann::json fallbacks_ = nlohmann::json::array();
  // Headers, footers and page numbers kept out of the text: {"page", "kind", "text"};
  // at most PageRecord::kMaxFurniture a page.
  nlohmann::json furniture_ = nlohmann::json::array();
  nlohmann::json page_attributes_ = nlohmann::json::array();
  FurnitureTracker margins_seen_;  // filled by Observe
  int64_t prompt_tokens_ = 0, completion_tokens_ = 0;
  std::map<std::string, int> engines_;
  struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, FileCloser> boxes_spill_;  // "{page boxes},{...}" so far
  int64_t boxes_pages_ = 0;
  int64_t offset_ = 0;  // code points of text written so far
  int pages_ = 0;
  bool any_text_ = false;
  bool first_page_ = true;
  double seconds_ = 0;
};

// Writes nothing and returns UNAVAILABLE (summary->over_error_rate set) when the
// document's page error rate exceeds meta.max_page_error_rate.
Status WriteDocument(const Workspace& workspace, const DocumentMeta& meta,
                     const OutputFormats& formats, DocumentSummary* summary);

// Code points in a UTF-8 string (the unit of pdf_page_numbers offsets).
int64_t CountCodePoints(std::string_view utf8);

}  // namespace pageflow
