// Writes a finished document from its range files: one Dolma-style JSONL record
// (results/ID.jsonl) and optional Markdown / text mirrors. Ranges are read one at a time,
// so memory does not grow with the document's length. Every file is atomic.
//
//   DocumentSummary s;
//   Status st = WriteDocument(workspace, meta, {.jsonl = true, .md = true}, &s);
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "output/workspace.h"

namespace pageflow {

struct OutputFormats {
  bool jsonl = true;
  bool md = false;
  bool txt = false;
};
// "jsonl,md,txt" -> formats; INVALID_ARGUMENT for unknown names.
StatusOr<OutputFormats> ParseFormats(const std::string& list);

struct DocumentMeta {
  std::string id;
  std::string source_path;
  std::string relative;        // path below its INPUT, for mirrors
  int page_count = 0;
  std::string engine;          // requested engine
  std::string lang;
  std::vector<PageRange> ranges;
  // A document whose fraction of pages that failed or fell back to a local engine
  // exceeds this is not written (WriteDocument returns UNAVAILABLE, see below).
  double max_page_error_rate = 1.0;
};

struct DocumentSummary {
  int pages_failed = 0;
  int pages_fallback = 0;  // done by the fallback engine after the primary one failed
  bool over_error_rate = false;  // not written: (failed + fallback) / pages > max_page_error_rate
};

// Writes nothing and returns UNAVAILABLE (summary->over_error_rate set) when the
// document's page error rate exceeds meta.max_page_error_rate.
Status WriteDocument(const Workspace& workspace, const DocumentMeta& meta,
                     const OutputFormats& formats, DocumentSummary* summary);

// Code points in a UTF-8 string (the unit of pdf_page_numbers offsets).
int64_t CountCodePoints(std::string_view utf8);

}  // namespace pageflow
