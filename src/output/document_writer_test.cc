#include "output/document_writer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "testing/test_util.h"

namespace pageflow {
namespace {

using nlohmann::json;

TEST(DocumentWriterTest, WritesDolmaRecordWithCodePointSpansAndFailures) {
  testing::TempDir dir;
  StatusOr<Workspace> ws = Workspace::Open(dir.path(), "fp1");
  ASSERT_TRUE(ws.ok());
  DocumentMeta meta{"doc1", "/in/a.pdf", "sub/a.pdf", 3, "auto", "eng", {{0, 1}, {2, 2}}};
  PageRecord p1{1, "Grüße", "text-layer", 1.0f, "", "", 1, 0.1};
  PageRecord p2{2, "", "", 0, "", "cannot render: broken stream", 0, 0.2};
  PageRecord p3{3, "end\n€", "tesseract", 0.9f, "downscaled", "", 2, 0.3};
  ASSERT_OK(ws->WriteRange("doc1", {0, 1}, {p1, p2}));
  ASSERT_OK(ws->WriteRange("doc1", {2, 2}, {p3}));
  DocumentSummary summary;
  ASSERT_OK(WriteDocument(*ws, meta, OutputFormats{true, true, true}, &summary));
  EXPECT_EQ(summary.pages_failed, 1);

  const std::string line = testing::ReadFile(ws->ResultPath("doc1"));
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);  // exactly one line
  json j = json::parse(line);
  EXPECT_EQ(j["id"].get<std::string>(), "doc1");
  EXPECT_EQ(j["text"].get<std::string>(), "Grüße\n\nend\n€");
  EXPECT_EQ(j["source"].get<std::string>(), "pageflow");
  // Offsets count code points: "Grüße" is 5, separator 2, "end\n€" 5.
  EXPECT_EQ(j["attributes"]["pdf_page_numbers"].dump(), json::parse("[[0,5,1],[7,12,3]]").dump());
  EXPECT_EQ(j["metadata"]["failed_pages"][0]["page"].get<int64_t>(), 2);
  EXPECT_NE(j["metadata"]["failed_pages"][0]["error"].get<std::string>().find("broken stream"), std::string::npos);
  EXPECT_EQ(j["metadata"]["engines_used"]["tesseract"].get<int64_t>(), 1);
  EXPECT_EQ(j["metadata"]["pdf_total_pages"].get<int64_t>(), 3);
  EXPECT_EQ(testing::ReadFile(dir.path() + "/txt/sub/a.txt"), "Grüße\n\f\fend\n€\n");
  EXPECT_NE(testing::ReadFile(dir.path() + "/md/sub/a.md").find("<!-- page 2 failed"), std::string::npos);
}

// A page's margins become furniture only when another page has the same text at the
// same height; a margin seen once goes back into the text where it was.
TEST(DocumentWriterTest, MarginsThatRepeatAreFurnitureTheOthersStayText) {
  testing::TempDir dir;
  StatusOr<Workspace> ws = Workspace::Open(dir.path(), "fp1");
  ASSERT_TRUE(ws.ok());
  DocumentMeta meta{"doc1", "/in/a.pdf", "a.pdf", 2, "auto", "eng", {{0, 0}, {1, 1}}};
  PageRecord p1{1, "# Title\n\nBody one.", "text-layer", 1.0f, "", "", 3, 0.1};
  p1.markdown = true;
  p1.margins = {{false, 40, "Journal of Tests, vol. 1"}, {true, 960, "Unique closing line"}};
  PageRecord p2{2, "Body two.", "text-layer", 1.0f, "", "", 2, 0.1};
  p2.markdown = true;
  p2.margins = {{false, 45, "Journal of Tests, vol. 2"}, {false, 80, "A line seen once"}};
  ASSERT_OK(ws->WriteRange("doc1", {0, 0}, {p1}));
  ASSERT_OK(ws->WriteRange("doc1", {1, 1}, {p2}));
  DocumentSummary summary;
  ASSERT_OK(WriteDocument(*ws, meta, OutputFormats{true, true, false}, &summary));
  json j = json::parse(testing::ReadFile(ws->ResultPath("doc1")));
  EXPECT_EQ(j["text"].get<std::string>(),
            "# Title\n\nBody one.\n\nUnique closing line\n\nA line seen once\n\nBody two.");
  EXPECT_EQ(j["metadata"]["page_furniture"].dump(),
            json::parse(R"([{"page":1,"kind":"header","text":"Journal of Tests, vol. 1"},
                            {"page":2,"kind":"header","text":"Journal of Tests, vol. 2"}])")
                .dump());

  // The margins survive a record's round trip (range files, a job's result file).
  StatusOr<PageRecord> back = ParsePageRecord(PageRecordJson(p2));
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->margins.size(), 2u);
  EXPECT_EQ(back->margins[1].text, "A line seen once");
  EXPECT_EQ(back->margins[1].y_permille, 80);
  EXPECT_FALSE(back->margins[1].bottom);
  EXPECT_EQ(TextWithMargins(*back), "Journal of Tests, vol. 2\n\nA line seen once\n\nBody two.");
}

TEST(DocumentWriterTest, RefusesMirrorPathsThatLeaveTheOutputDirectory) {
  testing::TempDir dir;
  StatusOr<Workspace> ws = Workspace::Open(dir.path() + "/out/p", "fp1");
  ASSERT_TRUE(ws.ok());
  ASSERT_OK(ws->WriteRange("doc1", {0, 0},
                           {PageRecord{1, "text", "text-layer", 1.0f, "", "", 1, 0.1}}));
  for (const std::string& relative :
       std::vector<std::string>{"../../../escape.pdf", "a/../../../../escape.pdf",
                                dir.path() + "/escape.pdf", ""}) {
    DocumentMeta meta{"doc1", "/in/a.pdf", relative, 1, "auto", "eng", {{0, 0}}};
    DocumentSummary summary;
    const Status st =
        WriteDocument(*ws, meta, OutputFormats{false, true, true}, &summary);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument)
        << relative << ": " << st.ToString();
    EXPECT_NE(st.message().find("below --out"), std::string::npos) << st.message();
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/escape.md"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/escape.txt"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/out/escape.md"));
  // Normalized but inside: kept.
  DocumentMeta ok{"doc1", "/in/a.pdf", "./x/../y/a.pdf", 1, "auto", "eng", {{0, 0}}};
  DocumentSummary summary;
  ASSERT_OK(WriteDocument(*ws, ok, OutputFormats{false, true, false}, &summary));
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/out/p/md/y/a.md"));
}

TEST(WorkspaceTest, RangesAndDoneMarkersAreTiedToTheFingerprint) {
  testing::TempDir dir;
  StatusOr<Workspace> a = Workspace::Open(dir.path(), "engine=auto");
  ASSERT_TRUE(a.ok());
  ASSERT_OK(a->WriteRange("d", {0, 0}, {PageRecord{1, "x", "tesseract", 1, "", "", 1, 0}}));
  ASSERT_OK(a->MarkDone("d"));
  EXPECT_TRUE(a->HasRange("d", {0, 0}));
  EXPECT_TRUE(a->IsDone("d"));
  StatusOr<Workspace> b = Workspace::Open(dir.path(), "engine=tesseract");
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->HasRange("d", {0, 0}));
  EXPECT_FALSE(b->IsDone("d"));
}

TEST(FormatsTest, ParsesListAndRejectsUnknown) {
  StatusOr<OutputFormats> f = ParseFormats("jsonl,md");
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->jsonl && f->md && !f->txt);
  EXPECT_FALSE(ParseFormats("pdf").ok());
}

}  // namespace
}  // namespace pageflow
