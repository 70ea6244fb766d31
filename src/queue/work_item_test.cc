#include "queue/work_item.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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

// A valid item's JSON with one field replaced (path "a.b" is options.b).
std::string ItemWith(const std::string& field, const nlohmann::json& value) {
  WorkItem item;
  item.path = "/data/a.pdf";
  item.relative = "a.pdf";
  item.id = "0123456789abcdef";
  nlohmann::json j = nlohmann::json::parse(item.ToJson());
  if (field.rfind("options.", 0) == 0) {
    j["options"][field.substr(8)] = value;
  } else {
    j[field] = value;
  }
  return j.dump();
}

TEST(WorkItemTest, BoxesTravelOnlyWhenAskedFor) {
  WorkItem item;
  item.path = "/data/a.pdf";
  item.id = "0123456789abcdef";
  item.options.formats = "jsonl,hocr,alto";
  const std::string plain_key = OptionsKey(item.options);
  EXPECT_EQ(item.ToJson().find("boxes"), std::string::npos);  // earlier items' form
  item.options.boxes = true;
  EXPECT_NE(OptionsKey(item.options), plain_key);
  StatusOr<WorkItem> back = WorkItem::FromJson(item.ToJson());
  ASSERT_OK(back);
  EXPECT_TRUE(back->options.boxes);
  RunOptions run;
  ASSERT_OK(ApplyItemOptions(back->options, &run));
  EXPECT_TRUE(run.formats.boxes && run.formats.hocr && run.formats.alto);
  StatusOr<WorkItem> bad = WorkItem::FromJson(ItemWith("options.boxes", "yes"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("\"boxes\" must be true or false"),
            std::string::npos);
}

TEST(WorkItemTest, PagesTravelOnlyWhenSetAndAreCheckedByTheWorker) {
  WorkItem item;
  item.path = "/data/a.pdf";
  item.id = "0123456789abcdef";
  EXPECT_EQ(item.ToJson().find("pages\":\""), std::string::npos);  // earlier items' form
  item.options.pages = "2-3,5";
  StatusOr<WorkItem> back = WorkItem::FromJson(item.ToJson());
  ASSERT_OK(back);
  EXPECT_EQ(back->options.pages, "2-3,5");
  RunOptions run;
  ASSERT_OK(ApplyItemOptions(back->options, &run));
  ASSERT_EQ(run.page_selection.size(), 2u);
  EXPECT_EQ(run.page_selection[0].first, 1);
  EXPECT_EQ(run.page_selection[1].last, 4);
  StatusOr<WorkItem> bad = WorkItem::FromJson(ItemWith("options.pages", "0-x"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("work item: pages: "), std::string::npos)
      << bad.status().message();
}

TEST(WorkItemTest, RefusesTypeMismatchesWithoutThrowing) {
  using nlohmann::json;
  ASSERT_OK(WorkItem::FromJson(ItemWith("v", 1)));
  const std::vector<std::pair<std::string, json>> bad = {
      {"v", "1"},
      {"v", nullptr},
      {"v", 1.5},
      {"path", 7},
      {"path", nullptr},
      {"relative", json::array()},
      {"id", false},
      {"first", "0"},
      {"first", 0.5},
      {"last", nullptr},
      {"pages", "x"},
      {"options", "x"},
      {"options.engine", 1},
      {"options.dpi", "300"},
      {"options.dpi", 300.5},
      {"options.formats", json::object()},
      {"options.pages_per_range", nullptr}};
  for (const auto& [field, value] : bad) {
    StatusOr<WorkItem> item = Corrupt("not parsed");
    EXPECT_NO_THROW(item = WorkItem::FromJson(ItemWith(field, value)))
        << field << "=" << value.dump();
    ASSERT_FALSE(item.ok()) << field << "=" << value.dump();
    const std::string name = field.substr(field.rfind('.') + 1);
    EXPECT_NE(item.status().message().find(name == "v" ? "version" : name),
              std::string::npos)
        << item.status().message();
  }
}

TEST(WorkItemTest, RefusesOptionsOutOfRange) {
  const std::vector<std::pair<std::string, nlohmann::json>> bad = {
      {"options.dpi", 0},
      {"options.dpi", 5},
      {"options.dpi", 100000},
      {"options.dpi", 4294967596ll},
      {"options.dpi", 18446744073709551615ull},
      {"options.max_dim", 0},
      {"options.pages_per_range", 0},
      {"options.pages_per_range", -3},
      {"options.max_pages", -1},
      {"first", -1},
      {"last", -2},
      {"pages", -5}};
  for (const auto& [field, value] : bad) {
    StatusOr<WorkItem> item = Corrupt("not parsed");
    EXPECT_NO_THROW(item = WorkItem::FromJson(ItemWith(field, value))) << field;
    ASSERT_FALSE(item.ok()) << field << "=" << value.dump();
    EXPECT_NE(item.status().message().find("outside"), std::string::npos)
        << item.status().message();
  }
  StatusOr<WorkItem> backwards = WorkItem::FromJson(
      R"({"v":1,"path":"/a.pdf","id":"x","first":5,"last":2,"options":{"engine":"auto","lang":"eng",)"
      R"("dpi":300,"max_dim":1000,"formats":"jsonl","pages_per_range":4}})");
  EXPECT_FALSE(backwards.ok());
  EXPECT_OK(WorkItem::FromJson(ItemWith("options.dpi", 2400)));
}

TEST(WorkItemTest, RefusesPathsThatLeaveTheOutputDirectory) {
  for (const char* relative : {"../../x.pdf", "a/../../x.pdf", "/etc/x.pdf", ".."}) {
    StatusOr<WorkItem> item = WorkItem::FromJson(ItemWith("relative", relative));
    ASSERT_FALSE(item.ok()) << relative;
    EXPECT_NE(item.status().message().find("leaves the output directory"),
              std::string::npos)
        << item.status().message();
  }
  StatusOr<WorkItem> relative_path = WorkItem::FromJson(ItemWith("path", "data/a.pdf"));
  EXPECT_FALSE(relative_path.ok());
  EXPECT_OK(WorkItem::FromJson(ItemWith("relative", "2019/sub/x.pdf")));
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
