#include "output/document_writer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "base/process_stats.h"
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
  EXPECT_EQ(j["attributes"]["pdf_page_numbers"].dump(),
            json::parse("[[0,5,1],[7,12,3]]").dump());
  EXPECT_EQ(j["metadata"]["failed_pages"][0]["page"].get<int64_t>(), 2);
  EXPECT_NE(
      j["metadata"]["failed_pages"][0]["error"].get<std::string>().find("broken stream"),
      std::string::npos);
  EXPECT_EQ(j["metadata"]["engines_used"]["tesseract"].get<int64_t>(), 1);
  EXPECT_EQ(j["metadata"]["pdf_total_pages"].get<int64_t>(), 3);
  EXPECT_EQ(testing::ReadFile(dir.path() + "/txt/sub/a.txt"), "Grüße\n\f\fend\n€\n");
  EXPECT_NE(testing::ReadFile(dir.path() + "/md/sub/a.md").find("<!-- page 2 failed"),
            std::string::npos);
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
  p1.margins = {{false, 40, "Journal of Tests, vol. 1"},
                {true, 960, "Unique closing line"}};
  PageRecord p2{2, "Body two.", "text-layer", 1.0f, "", "", 2, 0.1};
  p2.markdown = true;
  p2.margins = {{false, 45, "Journal of Tests, vol. 2"}, {false, 80, "A line seen once"}};
  ASSERT_OK(ws->WriteRange("doc1", {0, 0}, {p1}));
  ASSERT_OK(ws->WriteRange("doc1", {1, 1}, {p2}));
  DocumentSummary summary;
  ASSERT_OK(WriteDocument(*ws, meta, OutputFormats{true, true, false}, &summary));
  json j = json::parse(testing::ReadFile(ws->ResultPath("doc1")));
  EXPECT_EQ(
      j["text"].get<std::string>(),
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
  EXPECT_EQ(TextWithMargins(*back),
            "Journal of Tests, vol. 2\n\nA line seen once\n\nBody two.");
}

PageBoxes OneWordBoxes(const std::string& word) {
  PageBoxes b;
  b.width = 612;
  b.height = 792;
  b.unit = Unit::kPoints;
  b.dpi = 72;
  b.blocks.push_back({"paragraph", {72, 72, 200, 90}, 1.0f, {}});
  b.blocks[0].lines.push_back(
      {{72, 72, 200, 90}, 88, 1.0f, {{word, {72, 72, 200, 90}, 0.96f}}});
  return b;
}

TEST(DocumentWriterTest, BoxesGoToTheRecordMetadataOnlyWhenAskedFor) {
  testing::TempDir dir;
  StatusOr<Workspace> ws = Workspace::Open(dir.path(), "fp1");
  ASSERT_TRUE(ws.ok());
  DocumentMeta meta{"doc1", "/in/a.pdf", "a.pdf", 3, "auto", "eng", {{0, 0}, {1, 2}}};
  PageRecord p1{1, "One", "text-layer", 1.0f, "", "", 1, 0.1};
  p1.boxes = OneWordBoxes("One");
  PageRecord p2{2, "", "", 0, "", "broken", 0, 0.2};
  PageRecord p3{3, "Three \"q\"", "text-layer", 1.0f, "", "", 1, 0.1};
  p3.boxes = OneWordBoxes("Three \"q\"");
  // The range files (what a resumed run reads) keep the boxes.
  ASSERT_OK(ws->WriteRange("doc1", {0, 0}, {p1}));
  ASSERT_OK(ws->WriteRange("doc1", {1, 2}, {p2, p3}));
  StatusOr<std::vector<PageRecord>> back = ws->ReadRange("doc1", {1, 2});
  ASSERT_TRUE(back.ok());
  ASSERT_TRUE((*back)[1].boxes.has_value());
  EXPECT_EQ((*back)[1].boxes->blocks[0].lines[0].words[0].text, "Three \"q\"");

  DocumentSummary summary;
  ASSERT_OK(WriteDocument(*ws, meta, OutputFormats{true, false, false}, &summary));
  json plain = json::parse(testing::ReadFile(ws->ResultPath("doc1")));
  EXPECT_FALSE(plain["metadata"].contains("page_boxes"));

  OutputFormats with_boxes{true, false, false};
  with_boxes.boxes = true;
  ASSERT_OK(WriteDocument(*ws, meta, with_boxes, &summary));
  const std::string line = testing::ReadFile(ws->ResultPath("doc1"));
  EXPECT_EQ(line.find('\n'), line.size() - 1);  // still one line
  json j = json::parse(line);
  EXPECT_EQ(j["text"], plain["text"]);
  EXPECT_EQ(j["attributes"], plain["attributes"]);
  EXPECT_EQ(j["metadata"]["failed_pages"], plain["metadata"]["failed_pages"]);
  const json& boxes = j["metadata"]["page_boxes"];
  ASSERT_EQ(boxes.size(), 2u);  // the failed page has none
  EXPECT_EQ(boxes[0]["page"], 1);
  EXPECT_EQ(boxes[1]["page"], 3);
  EXPECT_EQ(boxes[1]["unit"], "pt");
  EXPECT_EQ(boxes[1]["width"], 612);
  EXPECT_EQ(boxes[1]["blocks"][0]["lines"][0]["words"][0]["text"], "Three \"q\"");
  EXPECT_EQ(boxes[1]["blocks"][0]["lines"][0]["words"][0]["box"].dump(),
            "[72,72,200,90]");
  // The spill file is anonymous: nothing is left in the workspace.
  for (const auto& e : std::filesystem::directory_iterator(dir.path() + "/.pageflow"))
    EXPECT_EQ(e.path().filename().string().find("spill"), std::string::npos) << e.path();
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
  ASSERT_OK(
      a->WriteRange("d", {0, 0}, {PageRecord{1, "x", "tesseract", 1, "", "", 1, 0}}));
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
  EXPECT_FALSE(ParseFormats("docx").ok());
  // A searchable PDF is drawn from the pages' boxes.
  StatusOr<OutputFormats> pdf = ParseFormats("pdf");
  ASSERT_TRUE(pdf.ok());
  EXPECT_TRUE(pdf->pdf && !pdf->jsonl && KeepBoxes(*pdf));
}

TEST(FormatsTest, HocrAndAltoCombineWithOthersAndKeepTheBoxes) {
  StatusOr<OutputFormats> f = ParseFormats("md,hocr,alto");
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->md && f->hocr && f->alto && !f->jsonl && !f->boxes);
  EXPECT_TRUE(KeepBoxes(*f));
  StatusOr<OutputFormats> plain = ParseFormats("jsonl,md,txt");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(KeepBoxes(*plain));
  plain->boxes = true;
  EXPECT_TRUE(KeepBoxes(*plain));
  StatusOr<OutputFormats> bad = ParseFormats("hocr,xml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("use jsonl, md, txt, hocr, alto"),
            std::string::npos);
}

TEST(DocumentWriterTest, WritesHocrAndAltoMirrorsPageByPage) {
  testing::TempDir dir;
  StatusOr<Workspace> ws = Workspace::Open(dir.path(), "fp1");
  ASSERT_TRUE(ws.ok());
  DocumentMeta meta{"doc1", "/in/a.pdf", "sub/a.pdf", 2, "auto", "eng", {{0, 0}, {1, 1}}};
  meta.points_dpi = 144;
  PageRecord p1{1, "One", "text-layer", 1.0f, "", "", 1, 0.1};
  p1.boxes = OneWordBoxes("One");
  PageRecord p2{2, "", "", 0, "", "broken", 0, 0.2};
  ASSERT_OK(ws->WriteRange("doc1", {0, 0}, {p1}));
  ASSERT_OK(ws->WriteRange("doc1", {1, 1}, {p2}));
  OutputFormats formats{false, false, false};
  formats.hocr = formats.alto = true;
  DocumentSummary summary;
  ASSERT_OK(WriteDocument(*ws, meta, formats, &summary));
  EXPECT_FALSE(std::filesystem::exists(ws->ResultPath("doc1")));
  const std::string hocr = testing::ReadFile(dir.path() + "/hocr/sub/a.hocr");
  const std::string alto = testing::ReadFile(dir.path() + "/alto/sub/a.xml");
  // Points at 144 dpi: x2.
  EXPECT_NE(hocr.find("ppageno 0; bbox 0 0 1224 1584; scan_res 144 144"),
            std::string::npos)
      << hocr;
  EXPECT_NE(hocr.find("title=\"bbox 144 144 400 180; x_wconf 96\">One</span>"),
            std::string::npos)
      << hocr;
  EXPECT_NE(hocr.find("id=\"page_2\""), std::string::npos);
  EXPECT_EQ(hocr.substr(hocr.size() - 16), "</body>\n</html>\n");
  EXPECT_NE(alto.find("CONTENT=\"One\" HPOS=\"144\" VPOS=\"144\" WIDTH=\"256\" "
                      "HEIGHT=\"36\" WC=\"0.96\""),
            std::string::npos)
      << alto;
  EXPECT_NE(alto.find("<Page ID=\"page_2\" PHYSICAL_IMG_NR=\"2\"/>"), std::string::npos);
  EXPECT_EQ(alto.substr(alto.size() - 18), "</Layout>\n</alto>\n");
}

// A searchable PDF that cannot be made costs the PDF alone: the record is written and
// says why, and no PDF file appears.
TEST(DocumentWriterTest, ASearchablePdfThatCannotBeMadeLeavesTheOtherOutputs) {
  testing::TempDir dir;
  StatusOr<Workspace> ws = Workspace::Open(dir.path(), "fp1");
  ASSERT_TRUE(ws.ok());
  const std::string source = dir.path() + "/a.pdf";
  testing::WriteFile(source, "%PDF-1.4\nnot really a PDF\n");
  DocumentMeta meta{"doc1", source, "a.pdf", 1, "auto", "eng", {{0, 0}}};
  PageRecord p1{1, "Hello", "tesseract", 0.9f, "", "", 1, 0.1};
  PageBoxes boxes;
  boxes.width = 100;
  boxes.height = 100;
  boxes.blocks.push_back({"paragraph", {10, 10, 60, 30}, 1.0f, {}});
  boxes.blocks[0].lines.push_back(
      {{10, 10, 60, 30}, 28, 1.0f, {{"Hello", {10, 10, 60, 30}, 1.0f}}});
  p1.boxes = boxes;
  ASSERT_OK(ws->WriteRange("doc1", {0, 0}, {p1}));
  OutputFormats formats;
  formats.pdf = true;
  MemoryBudget budget(256 << 20);
  DocumentSummary summary;
  ASSERT_OK(WriteDocument(*ws, meta, formats, &summary, &budget));
  EXPECT_NE(summary.pdf_error, "");
  const json j = json::parse(testing::ReadFile(ws->ResultPath("doc1")));
  ASSERT_TRUE(j["metadata"].contains("document_notes")) << j.dump();
  EXPECT_NE(j["metadata"]["document_notes"][0].get<std::string>().find(
                "searchable PDF not written"),
            std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/pdf/a.pdf"));
}

// The record's per-page lists (spans, notes, furniture, failures) wait in spill files:
// assembling 20,000 pages that each bring a note and two pieces of furniture adds next
// to nothing to the process's memory after the first 2,000 (kept in JSON values in
// memory they added about 1 KB a page, 20 MiB here), and the record still has them all.
TEST(DocumentWriterTest, AssemblyMemoryIsFlatInTheDocumentsLength) {
  if (!testing::kRssIsMeaningful) GTEST_SKIP() << "RSS means nothing under ASan";
  testing::TempDir dir;
  constexpr int kPages = 20000;
  DocumentMeta meta{"doc1", "/in/a.pdf", "a.pdf", kPages, "auto", "eng", {}};
  int64_t record_bytes = 0;
  std::string record_tail;  // the record after its text
  bool in_tail = false;
  DocumentAssembler::Sinks sinks;
  sinks.spill_dir = dir.path();
  sinks.jsonl = [&](std::string_view s) {
    record_bytes += static_cast<int64_t>(s.size());
    if (in_tail) record_tail.append(s);
    return Status::Ok();
  };
  DocumentAssembler assembler(meta, std::move(sinks));
  int64_t rss_at_2000 = 0;
  for (int i = 1; i <= kPages; ++i) {
    PageRecord p;
    p.page = i;
    p.text = "Body text of page " + std::to_string(i);
    p.engine = "text-layer";
    p.note = "note of page " + std::to_string(i) + std::string(100, 'n');
    if (i % 10 == 0) {
      p.engine.clear();
      p.text.clear();
      p.note.clear();
      p.error = "cannot render page " + std::to_string(i) + std::string(100, 'e');
    } else {
      p.furniture = {{"header", "Running header of the document " + std::string(60, 'h')},
                     {"page_number", std::to_string(i)}};
    }
    ASSERT_OK(assembler.Add(p));
    if (i == 2000) {
      TrimHeap();
      rss_at_2000 = CurrentRssBytes();
    }
  }
  TrimHeap();
  const int64_t grown = CurrentRssBytes() - rss_at_2000;
  std::printf("[ figure ] assembling pages 2,001-20,000: RSS %+.2f MiB\n",
              grown / 1048576.0);
  EXPECT_LT(grown, 4ll << 20);
  in_tail = true;
  DocumentSummary summary;
  ASSERT_OK(assembler.Finish(&summary));
  EXPECT_EQ(summary.pages_failed, kPages / 10);
  const json tail = json::parse("{\"text\":\"" + record_tail);
  EXPECT_EQ(tail["attributes"]["pdf_page_numbers"].size(),  // failed pages have no text
            static_cast<size_t>(kPages * 9 / 10));
  EXPECT_EQ(tail["metadata"]["failed_pages"].size(), static_cast<size_t>(kPages / 10));
  EXPECT_EQ(tail["metadata"]["page_notes"].size(), static_cast<size_t>(kPages * 9 / 10));
  EXPECT_EQ(tail["metadata"]["page_furniture"].size(),
            static_cast<size_t>(kPages * 9 / 10 * 2));
  EXPECT_EQ(tail["metadata"]["page_furniture"][1]["text"], "1");
}

}  // namespace
}  // namespace pageflow
