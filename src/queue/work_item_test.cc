#include "queue/work_item.h"

#include <gtest/gtest.h>

#include "queue/enqueue.h"
#include "testing/test_util.h"

namespace pageflow {
namespace {

TEST(QueueUrlTest, ParsesHostPortAndName) {
  StatusOr<QueueUrl> u = ParseQueueUrl("redis://10.0.0.7:6380/scans");
  ASSERT_OK(u);
  EXPECT_EQ(u->host, "10.0.0.7");
  EXPECT_EQ(u->port, 6380);
  EXPECT_EQ(u->name, "scans");
  StatusOr<QueueUrl> d = ParseQueueUrl("redis://localhost/q");
  ASSERT_OK(d);
  EXPECT_EQ(d->port, 6379);
}

TEST(QueueUrlTest, RejectsBadUrlsWithAReason) {
  for (const char* bad : {"http://h:1/q", "redis://h:1", "redis://h:1/", "redis://h:0/q", "redis://h:x/q",
                          "redis://:6379/q", "redis://h:1/a/b"}) {
    StatusOr<QueueUrl> u = ParseQueueUrl(bad);
    ASSERT_FALSE(u.ok()) << bad;
    EXPECT_EQ(u.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(u.status().message().find(bad), std::string::npos) << u.status().message();
  }
}

TEST(WorkItemTest, RoundTripsThroughJson) {
  WorkItem item;
  item.path = "/data/a b.pdf";
  item.relative = "a b.pdf";
  item.id = "0123456789abcdef";
  item.first = 16;
  item.last = 31;
  item.pages = 16;
  item.options.engine = "tesseract";
  item.options.lang = "eng+deu";
  item.options.dpi = 200;
  item.options.formats = "jsonl,md";
  StatusOr<WorkItem> back = WorkItem::FromJson(item.ToJson());
  ASSERT_OK(back);
  EXPECT_EQ(back->ToJson(), item.ToJson());
  EXPECT_EQ(back->Key(), "0123456789abcdef:17-32");
  EXPECT_EQ(OptionsKey(back->options), OptionsKey(item.options));
}

TEST(WorkItemTest, RejectsDamagedMessages) {
  EXPECT_FALSE(WorkItem::FromJson("not json").ok());
  EXPECT_FALSE(WorkItem::FromJson(R"({"v":2})").ok());
  EXPECT_FALSE(WorkItem::FromJson(R"({"v":1,"path":"/a"})").ok());
}

TEST(SplitDocumentTest, SplitsIntoRangesLikeTheWorkspace) {
  ItemOptions o;
  o.pages_per_range = 4;
  std::vector<WorkItem> items = SplitDocument("/d/x.pdf", "x.pdf", 10, o);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].first, 0);
  EXPECT_EQ(items[0].last, 3);
  EXPECT_EQ(items[2].first, 8);
  EXPECT_EQ(items[2].last, 9);
  EXPECT_EQ(items[2].pages, 2);
  o.max_pages = 5;
  EXPECT_EQ(SplitDocument("/d/x.pdf", "x.pdf", 10, o).size(), 2u);
  std::vector<WorkItem> unreadable = SplitDocument("/d/x.pdf", "x.pdf", -1, o);
  ASSERT_EQ(unreadable.size(), 1u);
  EXPECT_TRUE(unreadable[0].whole_document());
}

}  // namespace
}  // namespace pageflow
