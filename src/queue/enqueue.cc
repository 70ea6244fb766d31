#include "queue/enqueue.h"

#include <filesystem>

#include "base/log.h"
#include "input/document.h"
#include "input/input_walker.h"
#include "output/workspace.h"

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
  const int todo = options.max_pages > 0 ? std::min(pages, options.max_pages) : pages;
  if (todo == 0) {
    base.last = -1;
    items.push_back(base);
    return items;
  }
  for (int first = 0; first < todo; first += options.pages_per_range) {
    WorkItem item = base;
    item.first = first;
    item.last = std::min(todo, first + options.pages_per_range) - 1;
    item.pages = item.last - item.first + 1;
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
