// The queue's work-item JSON (what a worker claims from Redis) and the queue URL: a
// damaged item must be an error, never a throw, and a valid one must survive a round
// trip.
#include "fuzz_target.h"
#include "pipeline/run_options.h"
#include "queue/work_item.h"

PAGEFLOW_FUZZ_TARGET(work_item, data) {
  using namespace pageflow;
  const std::string text(data);
  (void)ParseQueueUrl(text);
  StatusOr<WorkItem> item = WorkItem::FromJson(text);
  if (!item.ok()) return;
  (void)item->Key();
  (void)OptionsKey(item->options);
  RunOptions run;
  (void)ApplyItemOptions(item->options, &run);
  const std::string json = item->ToJson();
  StatusOr<WorkItem> back = WorkItem::FromJson(json);
  fuzz::Check(back.ok(), "a work item's own JSON does not parse");
  fuzz::Check(back->ToJson() == json, "a work item changes in a round trip");
}
