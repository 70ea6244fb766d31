// Options of one `pageflow run`, mapped from flags in cli/ and nowhere else.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine_factory.h"
#include "output/document_writer.h"
#include "output/workspace.h"
#include "raster/render_plan.h"

namespace pageflow {

struct RunOptions {
  std::vector<std::string> inputs;  // files, directories, @lists
  std::string out_dir;
  EngineOptions engine;
  RenderOptions render;
  OutputFormats formats;
  // Pages recognized at once; each worker holds one engine (Tesseract: ~40 MB of models)
  // and at most one page's raster and working set. Default: number of CPU cores.
  int workers = 0;
  // The process's byte budget; 0 = half of min(RAM, cgroup limit).
  int64_t memory_limit_bytes = 0;
  // Pages per work item: a long document is resumed at this granularity, and its
  // finished ranges are written to disk as they complete. Default 16.
  int pages_per_range = 16;
  // Bytes of MuPDF's resource store (fonts, decoded images), charged as fixed cost.
  int64_t pdf_store_bytes = 64ll << 20;
  // The layout stage (--layout auto|none): Markdown with the page's structure, or the
  // engine's lines as they come. Default on.
  bool layout = true;
  // --redo: done markers and finished ranges of earlier runs are ignored; every
  // document is done again (and its record replaced).
  bool redo = false;
  // --pages: only these pages of each document (0-based, sorted, merged; a last page past
  // the end means "to the end"); empty = all. Pages a document does not have are ignored.
  std::vector<PageRange> page_selection;
  // Only the first N pages of each document (of the selected ones); 0 = all.
  int max_pages = 0;
  // A document whose pages failed or fell back (vlm) in a larger fraction than this is
  // reported failed and not written (olmOCR's --max_page_error_rate). 1 = never.
  double max_page_error_rate = 1.0;
  // Progress: a line redrawn in place when stderr is a terminal (and logs are text);
  // otherwise a log line every progress_interval_seconds (0 = none). Default 30 s.
  bool progress = true;
  double progress_interval_seconds = 30;
  std::string stats_path;            // --stats FILE; empty: none
  // INPUT "-" (the standard input) is spooled to DIR/.pageflow/spool/stdin, through a
  // 1 MiB buffer paid by the budget, before its pages are read; a longer stream is a
  // failed document. Default 1 GiB (disk, not memory).
  int64_t max_stdin_bytes = 1ll << 30;
  // Called on the assembler thread once a document's outputs are written (after its done
  // marker), e.g. to copy them to standard output (`--out -`). Must not block for long.
  std::function<void(const DocumentMeta& meta, const Workspace& ws)> on_document_written;

  // Scale-out hooks (src/queue/ workers); left empty by `pageflow run`.
  // Restricts each document to the page ranges this call accepts (document id, range).
  // Rejected ranges are neither processed nor awaited: a document is written as soon as
  // all of its range files are on disk, whichever process wrote them.
  std::function<bool(const std::string& id, PageRange range)> select_range;
  // Called once per selected range when its outcome is durable: OK once the range file
  // is written (and, if that completed the document, the document too), otherwise the
  // error. Whole-document outcomes (already done; cannot be opened) come with range
  // {-1, -1}. Ranges left unfinished by a stop are not reported. Called from pipeline
  // threads: must be thread-safe and must not block for long.
  std::function<void(const std::string& id, PageRange range, const Status& status)> on_range_done;
  // The path below its INPUT a document's md/txt mirror is named by, when the caller
  // knows better than this run's inputs (a queue item remembers the tree it was
  // enqueued from); empty result: the run's own.
  std::function<std::string(const std::string& path)> mirror_relative;
  // Remove "*.tmp-*" leftovers of killed runs when the workspace opens. Off for queue
  // workers, which share the output directory with other live writers.
  bool remove_stale_temporaries = true;
};

// "auto" (the layout stage on) or "none"; false for anything else.
inline bool ParseLayoutMode(std::string_view value, bool* layout) {
  if (value != "auto" && value != "none") return false;
  *layout = value == "auto";
  return true;
}

}  // namespace pageflow
