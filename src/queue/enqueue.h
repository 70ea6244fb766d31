// Enqueue: turns INPUTs (files, directories, @lists) into work items on a queue — one
// item per page range of pages_per_range pages, the same split `pageflow run` resumes
// at — with absolute paths, since workers on other machines must find the files.
//
//   StatusOr<WorkQueue> q = WorkQueue::Open(url, {});
//   StatusOr<EnqueueSummary> s = EnqueueInputs({"scans/"}, ItemOptions{}, &*q);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "queue/work_item.h"
#include "queue/work_queue.h"

namespace pageflow {

struct EnqueueSummary {
  int64_t documents = 0;
  int64_t items = 0;
  int64_t pages = 0;
  // Documents that could not be opened here: still enqueued, as one whole-document
  // item each, so the failure is seen by a worker and ends in the dead-letter stream.
  int64_t unreadable = 0;
  // Inputs that do not exist or cannot be listed: not enqueued.
  int64_t input_errors = 0;
};

// Items are sent in chunks, so memory does not grow with the number of documents.
// A non-OK status only when the queue cannot be written.
StatusOr<EnqueueSummary> EnqueueInputs(const std::vector<std::string>& inputs, const ItemOptions& options,
                                       WorkQueue* queue);

// The items of one document of `pages` pages (pages < 0: could not be opened).
std::vector<WorkItem> SplitDocument(const std::string& abs_path, const std::string& relative, int pages,
                                    const ItemOptions& options);

}  // namespace pageflow
