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

#include "base/memory_budget.h"
#include "base/status.h"
#include "layout/furniture.h"
#include "output/searchable_pdf.h"
#include "output/spilled_array.h"
#include "output/workspace.h"

namespace pageflow {

struct OutputFormats {
  bool jsonl = true;
  bool md = false;
  bool txt = false;
  bool hocr = false;  // DIR/hocr/REL.hocr (output/markup_writers.h)
  bool alto = false;  // DIR/alto/REL.xml, ALTO v4
  bool pdf = false;   // DIR/pdf/REL.pdf, searchable PDF (output/searchable_pdf.h)
  // Not a format of its own (--boxes): the JSONL record's metadata gains "page_boxes",
  // each page's blocks, lines and words with boxes (docs/output-format.md).
  bool boxes = false;
};
// Whether pages must keep their boxes (PageRecord::boxes) for these outputs.
inline bool KeepBoxes(const OutputFormats& f) {
  return f.boxes || f.hocr || f.alto || f.pdf;
}
// "jsonl,md,txt,hocr,alto,pdf" -> formats; INVALID_ARGUMENT for unknown names. Leaves
// `boxes` off.
StatusOr<OutputFormats> ParseFormats(const std::string& list);

struct DocumentMeta {
  std::string id;
  std::string source_path;  // the file pages are read from
  std::string relative;     // path below its INPUT, for mirrors
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
  // then its spool file.
  std::string source_name = {};
  const std::string& name() const {
    return source_name.empty() ? source_path : source_name;
  }
};

struct DocumentSummary {
  int pages_failed = 0;
  int pages_fallback = 0;  // done by the fallback engine after the primary one failed
  bool over_error_rate =
      false;             // not written: (failed + fallback) / pages > max_page_error_rate
  bool no_text = false;  // no page that was read has any text
  // Non-empty: the searchable PDF could not be written, and why (the other outputs
  // were; the record's document_notes say so too).
  std::string pdf_error = {};
};

// The document note for a document without text on any page.
inline constexpr const char* kNoTextNote =
    "no text on any page (blank pages, or a scan the engine could not read)";

// Builds a document's outputs from its pages, in page order, writing as it goes: the
// Dolma record's text page by page and its metadata at the end, the Markdown and the
// plain text likewise. `run`, queue workers (through WriteDocument) and `serve` (its
// results in every format) all assemble documents here, so a document reads the same
// from every face. Memory is flat in the document's length: the text is written as it
// comes and the metadata's per-page lists (text spans, failed pages, notes, furniture,
// fallbacks, page attributes, boxes) wait in unlinked spill files (SpilledJsonArray in
// Sinks::spill_dir) until the record's tail copies them out; what stays in memory is a
// few counters and the bounded margin summary of Observe.
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
    // The searchable PDF of `pdf_source` (the document's file; default
    // meta.source_path), written whole by Finish; its text layers wait in an unlinked
    // file in `spill_dir` until then. `budget` pays for what the writer holds.
    Sink pdf;
    std::string pdf_source;
    MemoryBudget* budget = nullptr;
    // With `jsonl`: each page's boxes (PageRecord::boxes) go into the record's metadata
    // as "page_boxes".
    bool boxes = false;
    // Where the metadata's per-page lists and the PDF's text layers wait (see above).
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
  // After Finish: whether the searchable PDF was written whole. Its failure does not
  // fail Finish: the record's metadata.document_notes says why.
  const Status& pdf_status() const { return pdf_status_; }

 private:
  const DocumentMeta& meta_;
  Sinks sinks_;
  Status started_;
  // The metadata's per-page lists, in spill files (see above).
  SpilledJsonArray spans_;  // [start, end, page] of each page's text in the record
  SpilledJsonArray failed_;
  SpilledJsonArray notes_;
  SpilledJsonArray fallbacks_;
  // Headers, footers and page numbers kept out of the text: {"page", "kind", "text"};
  // at most PageRecord::kMaxFurniture a page.
  SpilledJsonArray furniture_;
  SpilledJsonArray page_attributes_;
  SpilledJsonArray boxes_;         // with Sinks::boxes: {"page", blocks...} a page
  FurnitureTracker margins_seen_;  // filled by Observe
  int64_t prompt_tokens_ = 0, completion_tokens_ = 0;
  std::map<std::string, int> engines_;
  std::unique_ptr<SearchablePdf> pdf_;
  Status pdf_status_;
  int64_t offset_ = 0;  // code points of text written so far
  int pages_ = 0;
  bool any_text_ = false;
  bool first_page_ = true;
  double seconds_ = 0;
};

// Writes nothing and returns UNAVAILABLE (summary->over_error_rate set) when the
// document's page error rate exceeds meta.max_page_error_rate. `budget` pays for what
// the searchable PDF's writer holds (required with formats.pdf).
Status WriteDocument(const Workspace& workspace, const DocumentMeta& meta,
                     const OutputFormats& formats, DocumentSummary* summary,
                     MemoryBudget* budget = nullptr);

// Code points in a UTF-8 string (the unit of pdf_page_numbers offsets).
int64_t CountCodePoints(std::string_view utf8);

}  // namespace pageflow
