#include "queue/enqueue.h"

#include <filesystem>

#include "base/log.h"
#include "input/document.h"
#include "input/input_walker.h"
#include "output/workspace.h"
#include "pipeline/page_selection.h"

namespace pageflow {

namespace fs = std::filesystem;

std::vector<WorkItem> SplitDocument(const std::string& abs_path, const std::string& relative, int pages,
                                    const ItemOptions& options) {
  WorkItem base;
  base.path = abs_path;
  base.relative = relative;
  base.id = DocumentId(abs_path);
  base.options = options;
  std::vector<WorkItem> items;
  if (pages < 0) {
    items.push_back(base);  // whole document, pages unknown
    return items;
  }
  // The same ranges as the worker's run makes of the document
  // (pipeline/page_selection.h), so that each item is one of them. The selection was
  // checked when the flag was parsed.
  StatusOr<std::vector<PageRange>> parsed = ParsePageSelection(options.pages);
  const std::vector<PageRange> selection =
      parsed.ok() ? *parsed : std::vector<PageRange>{};
  const std::vector<PageRange> ranges =
      WorkRanges(pages, selection, options.max_pages, options.pages_per_range);
  if (ranges.empty()) {
    base.last = -1;
    items.push_back(base);
    return items;
  }
  for (const PageRange& r : ranges) {
    WorkItem item = base;
    item.first = r.first;
    item.last = r.last;
    item.pages = r.size();
    items.push_back(std::move(item));
  }
  return items;
}

StatusOr<EnqueueSummary> EnqueueInputs(const std::vector<std::string>& inputs, const ItemOptions& options,
                                       WorkQueue* queue) {
  constexpr size_t kChunkItems = 256;
  EnqueueSummary summary;
  std::vector<WorkItem> chunk;
  InputWalker walker(inputs);
  while (std::optional<InputItem> in = walker.Next()) {
    if (!in->error.ok()) {
      LogError(in->path + ": " + in->error.message());
      ++summary.input_errors;
      continue;
    }
    std::error_code ec;
    const std::string abs = fs::absolute(in->path, ec).lexically_normal().string();
    int pages = -1;
    if (StatusOr<std::unique_ptr<Document>> doc = OpenDocument(abs); doc.ok()) {
      pages = (*doc)->page_count();
    } else {
      LogWarning(abs + ": " + doc.status().message() + " (enqueued whole; a worker will report it)");
      ++summary.unreadable;
    }
    ++summary.documents;
    for (WorkItem& item : SplitDocument(abs, in->relative, pages, options)) {
      summary.pages += item.pages;
      ++summary.items;
      chunk.push_back(std::move(item));
    }
    if (chunk.size() >= kChunkItems) {
      PF_RETURN_IF_ERROR(queue->Add(chunk));
      chunk.clear();
    }
  }
  if (!chunk.empty()) PF_RETURN_IF_ERROR(queue->Add(chunk));
  return summary;
}

}  // namespace pageflow
