// What travels through the queue: where the queue is (a redis:// URL) and the work
// items themselves — a document, or a page range of a long one, with the options that
// affect its output. The message format is described in docs/scale-out.md.
//
//   StatusOr<QueueUrl> url = ParseQueueUrl("redis://127.0.0.1:6379/scans");
//   WorkItem item{.path = "/data/a.pdf", .id = DocumentId("/data/a.pdf"), .first = 0, .last = 15};
//   StatusOr<WorkItem> back = WorkItem::FromJson(item.ToJson());
#pragma once

#include <string>

#include "base/status.h"
#include "pipeline/run_options.h"

namespace pageflow {

// redis://HOST[:PORT]/NAME — NAME is the stream; the queue's other keys are NAME:*.
struct QueueUrl {
  std::string host;
  int port = 6379;
  std::string name;
};
// INVALID_ARGUMENT naming what is wrong (scheme, port, missing NAME).
StatusOr<QueueUrl> ParseQueueUrl(const std::string& url);

// The options that change a document's output; every item carries them, so a worker
// produces the same file whatever its own flags.
struct ItemOptions {
  std::string engine = "auto";
  std::string auto_ocr = "tesseract";
  std::string lang = "eng";
  int dpi = 300;
  int max_dim = 10000;
  std::string formats = "jsonl";  // as --format
  int pages_per_range = 16;       // the split the item's range belongs to
  int max_pages = 0;
  std::string layout = "auto";    // as --layout: auto or none
  bool boxes = false;             // as --boxes (in the item's JSON only when true)
  // As --pages ("16-25,30"; empty = all pages); in the item's JSON only when set.
  std::string pages;
};

struct WorkItem {
  std::string path;      // absolute: every worker must be able to read it
  std::string relative;  // path below the enqueued INPUT: names the md/txt mirrors
  std::string id;        // DocumentId(path)
  int first = 0;         // 0-based first page of the range
  int last = -1;         // 0-based last page; -1 = the whole document
  int pages = 0;         // pages in the range (0 if the document could not be opened)
  ItemOptions options;

  bool whole_document() const { return last < 0; }
  // "ID:FIRST-LAST" (1-based pages, or "ID:all"): unique per item, used to count done.
  std::string Key() const;
  std::string ToJson() const;
  static StatusOr<WorkItem> FromJson(const std::string& json);
};

// RunOptions for a batch of items that share `options`; inputs/out_dir/hooks are set
// by the caller.
Status ApplyItemOptions(const ItemOptions& options, RunOptions* run);
// Canonical string of the options (items with equal keys can share one pipeline run).
std::string OptionsKey(const ItemOptions& options);

}  // namespace pageflow
