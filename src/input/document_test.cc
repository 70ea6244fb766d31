#include "input/document.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "input/jpeg_probe.h"
#include "testing/test_util.h"

namespace pageflow {
namespace {

using testing::TempDir;

TEST(DetectFormatTest, ByContentNotName) {
  TempDir dir;
  testing::WriteTestPdf(dir.path() + "/a.pdf", {{.lines = {"Hello"}}});
  testing::WriteTestImage(dir.path() + "/b.png", 100, 100);
  testing::WriteFile(dir.path() + "/fake.pdf", "<html>not a pdf</html>");
  testing::WriteFile(dir.path() + "/empty.pdf", "");
  EXPECT_EQ(*DetectFormat(dir.path() + "/a.pdf"), DocumentFormat::kPdf);
  EXPECT_EQ(*DetectFormat(dir.path() + "/b.png"), DocumentFormat::kPng);
  StatusOr<DocumentFormat> fake = DetectFormat(dir.path() + "/fake.pdf");
  ASSERT_FALSE(fake.ok());
  EXPECT_EQ(fake.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(fake.status().message().find("not a pdf file"), std::string::npos) << fake.status().message();
  EXPECT_EQ(DetectFormat(dir.path() + "/empty.pdf").status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(DetectFormat(dir.path() + "/missing.pdf").status().code(), StatusCode::kNotFound);
}

// Found by fuzz_png: a header claiming 2^31-ish pixels a side overflowed the decode
// cost (pixels x 4 bytes) and the render plan's sums.
TEST(ImageDocumentTest, AHeaderClaimingMoreThan2To40PixelsIsRefused) {
  TempDir dir;
  testing::WritePngHeaderOnly(dir.path() + "/huge.png", 2000000000, 2000000000);
  StatusOr<std::unique_ptr<Document>> doc = OpenDocument(dir.path() + "/huge.png");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(doc.status().message().find("claims 2000000000 x 2000000000 pixels"),
            std::string::npos)
      << doc.status().message();
  // A million pixels a side is still a picture (planned, streamed or refused later).
  testing::WritePngHeaderOnly(dir.path() + "/big.png", 1000000, 1000000);
  EXPECT_TRUE(OpenDocument(dir.path() + "/big.png").ok());
}

TEST(PdfDocumentTest, CountsPagesAndReadsTextLayerLazily) {
  TempDir dir;
  const std::string path = dir.path() + "/three.pdf";
  testing::WriteTestPdf(path, {{.lines = {"First page"}}, {.lines = {"Second page"}},
                               {.width_pt = 300, .height_pt = 200, .lines = {"Third"}}});
  StatusOr<std::unique_ptr<Document>> doc = OpenDocument(path);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ((*doc)->page_count(), 3);
  StatusOr<PageGeometry> g = (*doc)->Geometry(2);
  ASSERT_TRUE(g.ok());
  EXPECT_DOUBLE_EQ(g->width_pt, 300);
  EXPECT_DOUBLE_EQ(g->height_pt, 200);
  StatusOr<TextLayerPage> text = (*doc)->TextLayer(1);
  ASSERT_TRUE(text.ok());
  ASSERT_EQ(text->lines.size(), 1u);
  EXPECT_EQ(text->lines[0].text, "Second page");
}

// Two threads, each with a PDF library context of its own (no locks shared), read the
// same file's text layer at once, again and again; a thread that already used MuPDF
// keeps the context it has.
TEST(PdfDocumentTest, ThreadsWithTheirOwnContextsReadAtOnce) {
  TempDir dir;
  const std::string path = dir.path() + "/two.pdf";
  testing::WriteTestPdf(path,
                        {{.lines = {"Alpha beta gamma"}}, {.lines = {"Delta epsilon"}}});
  std::atomic<int> good{0};
  std::atomic<bool> reused{false};
  auto read = [&] {
    if (!UseOwnPdfContext(8ll << 20)) return;
    reused = reused || UseOwnPdfContext(8ll << 20);
    for (int round = 0; round < 20; ++round) {
      StatusOr<std::unique_ptr<Document>> doc = OpenDocument(path);
      if (!doc.ok()) return;
      StatusOr<TextLayerPage> a = (*doc)->TextLayer(0);
      StatusOr<TextLayerPage> b = (*doc)->TextLayer(1);
      if (a.ok() && b.ok() && a->lines.size() == 1 && b->lines.size() == 1 &&
          a->lines[0].text == "Alpha beta gamma" && b->lines[0].text == "Delta epsilon") {
        ++good;
      }
    }
  };
  std::thread t1(read), t2(read);
  t1.join();
  t2.join();
  EXPECT_EQ(good.load(), 40);
  EXPECT_FALSE(reused.load());
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += "[" + l + "] ";
  return out;
}

// Words placed one by one with no space drawn between them are still words; pieces of a
// line on one baseline are one line. Helvetica's "Long" at 10 pt is 22.24 pt wide.
TEST(PdfDocumentTest, TextLayerSplitsWordsAtGapsAndJoinsPiecesOfALine) {
  TempDir dir;
  const std::string path = dir.path() + "/gaps.pdf";
  testing::TestPage page;
  page.placed = {{72, 100, 10, "Long"},          {72 + 22.24 + 1.2, 100, 10, "noncoding"},
                 {72, 130, 10, "Long"},          {72 + 22.24 + 0.1, 130, 10, "er"},
                 {72, 160, 10, "b r a z"},       {72 + 40, 160, 10, "i l"},
                 {300, 190, 10, "far column"}, {72, 190, 10, "left"}};
  testing::WriteTestPdf(path, {page});
  StatusOr<std::unique_ptr<Document>> doc = OpenDocument(path);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  StatusOr<TextLayerPage> text = (*doc)->TextLayer(0);
  ASSERT_TRUE(text.ok());
  std::vector<std::string> lines;
  for (const TextLine& l : text->lines) lines.push_back(l.text);
  EXPECT_NE(std::find(lines.begin(), lines.end(), "Long noncoding"), lines.end()) << JoinLines(lines);
  EXPECT_NE(std::find(lines.begin(), lines.end(), "Longer"), lines.end()) << JoinLines(lines);
  EXPECT_NE(std::find(lines.begin(), lines.end(), "b r a z i l"), lines.end()) << JoinLines(lines);
  EXPECT_EQ(std::find(lines.begin(), lines.end(), "left far column"), lines.end()) << JoinLines(lines);
  for (const TextLine& l : text->lines) {
    if (l.text != "Long noncoding") continue;
    ASSERT_EQ(l.words.size(), 2u);
    EXPECT_LT(l.words[0].box.x1, l.words[1].box.x0 + 1);
    EXPECT_EQ(l.words[0].font_size, 10);
  }
}

TEST(PdfDocumentTest, RendersOnlyUnderTheReservationItIsGiven) {
  TempDir dir;
  const std::string path = dir.path() + "/a.pdf";
  testing::WriteTestPdf(path, {{.lines = {"Ink"}, .font_pt = 72}});
  StatusOr<std::unique_ptr<Document>> doc = OpenDocument(path);
  ASSERT_TRUE(doc.ok());
  MemoryBudget budget(64 << 20);
  RenderPlan plan;
  plan.width = 612;
  plan.height = 792;
  plan.dpi = 72;
  plan.total_bytes = 612 * 792;
  StatusOr<Reservation> r = budget.Reserve(plan.total_bytes, "page");
  ASSERT_TRUE(r.ok());
  StatusOr<Raster> raster = (*doc)->Render(0, plan, std::move(*r));
  ASSERT_TRUE(raster.ok()) << raster.status().ToString();
  EXPECT_EQ(budget.Stats().reserved_bytes, plan.total_bytes);
  int dark = 0;
  for (int64_t i = 0; i < raster->bytes(); ++i) dark += raster->data()[i] < 128;
  EXPECT_GT(dark, 100);  // the text was drawn
  *raster = Raster();
  EXPECT_EQ(budget.Stats().reserved_bytes, 0);
}

// Renders page `page` of `path` at 72 DPI.
StatusOr<Raster> RenderAt72(const std::string& path, int page, MemoryBudget& budget) {
  PF_ASSIGN_OR_RETURN(std::unique_ptr<Document> doc, OpenDocument(path));
  PF_ASSIGN_OR_RETURN(PageGeometry g, doc->Geometry(page));
  RenderPlan plan;
  plan.width = static_cast<int>(g.width_pt);
  plan.height = static_cast<int>(g.height_pt);
  plan.dpi = 72;
  plan.total_bytes = int64_t{plan.width} * plan.height * 3;
  PF_ASSIGN_OR_RETURN(Reservation r, budget.Reserve(plan.total_bytes, "page"));
  return doc->Render(page, plan, std::move(r));
}

TEST(PdfDocumentTest, TellsPagesDrawnFromVectorsFromScans) {
  TempDir dir;
  const std::string pdf = dir.path() + "/mixed.pdf";
  testing::WriteTestPdf(pdf, {{.lines = {"Only text"}},
                              {.lines = {"A small figure"}, .image_share = 0.1},
                              {.lines = {"A scanned page"}, .image_share = 1.0},
                              {.lines = {"Half a photo"}, .image_share = 0.5}});
  testing::WriteTestImage(dir.path() + "/scan.png", 600, 800);
  MemoryBudget budget(64 << 20);
  const bool expected[] = {true, true, false, false};
  for (int page = 0; page < 4; ++page) {
    StatusOr<Raster> raster = RenderAt72(pdf, page, budget);
    ASSERT_TRUE(raster.ok()) << raster.status().ToString();
    EXPECT_EQ(raster->drawn_from_vectors(), expected[page]) << "page " << page + 1;
  }
  StatusOr<Raster> image = RenderAt72(dir.path() + "/scan.png", 0, budget);
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_FALSE(image->drawn_from_vectors());
}

TEST(PdfDocumentTest, BrokenPdfsFailWithSpecificMessages) {
  TempDir dir;
  const std::string good = dir.path() + "/good.pdf";
  testing::WriteTestPdf(good, {{.lines = {"Hello"}}});
  const std::string data = testing::ReadFile(good);
  testing::WriteFile(dir.path() + "/truncated.pdf", data.substr(0, 40));
  testing::WriteTestPdf(dir.path() + "/zero.pdf", {});
  testing::WriteTestPdf(dir.path() + "/locked.pdf", {{.lines = {"Secret"}}}, "pw");

  StatusOr<std::unique_ptr<Document>> t = OpenDocument(dir.path() + "/truncated.pdf");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kCorrupt) << t.status().ToString();
  StatusOr<std::unique_ptr<Document>> z = OpenDocument(dir.path() + "/zero.pdf");
  ASSERT_FALSE(z.ok());
  EXPECT_NE(z.status().message().find("no pages"), std::string::npos) << z.status().ToString();
  StatusOr<std::unique_ptr<Document>> e = OpenDocument(dir.path() + "/locked.pdf");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(e.status().message().find("encrypted"), std::string::npos);
}

TEST(PdfDocumentTest, CountsOnlyPagesThatLoadWhenThePageTreeLies) {
  testing::TempDir dir;
  testing::WriteLyingPdf(dir.path() + "/lies.pdf", 1000000);
  const auto start = std::chrono::steady_clock::now();
  StatusOr<std::unique_ptr<Document>> doc = OpenDocument(dir.path() + "/lies.pdf");
  ASSERT_OK(doc);
  EXPECT_EQ((*doc)->page_count(), 1);
  EXPECT_OK((*doc)->Geometry(0));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  // An honest one-page tree is left alone.
  testing::WriteLyingPdf(dir.path() + "/honest.pdf", 1);
  StatusOr<std::unique_ptr<Document>> honest = OpenDocument(dir.path() + "/honest.pdf");
  ASSERT_OK(honest);
  EXPECT_EQ((*honest)->page_count(), 1);
}

TEST(ImageDocumentTest, MultiPageTiffHasOnePagePerFrame) {
  TempDir dir;
  const std::string path = dir.path() + "/scan.tif";
  testing::WriteTestImage(path, 400, 300, 3);
  StatusOr<std::unique_ptr<Document>> doc = OpenDocument(path);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ((*doc)->page_count(), 3);
  StatusOr<PageGeometry> g = (*doc)->Geometry(2);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->native_width, 400);
  EXPECT_EQ(g->native_height, 300);
  EXPECT_EQ((*doc)->TextLayer(0).status().code(), StatusCode::kUnsupported);
}

TEST(ImageDocumentTest, HeaderOfAGiantPngIsReadWithoutDecoding) {
  TempDir dir;
  const std::string path = dir.path() + "/giant.png";
  testing::WritePngHeaderOnly(path, 60000, 60000);
  StatusOr<std::unique_ptr<Document>> doc = OpenDocument(path);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  StatusOr<PageGeometry> g = (*doc)->Geometry(0);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->native_width, 60000);
  // Non-interlaced PNGs are streamed row by row: decoding costs a row, not the picture.
  EXPECT_LT(g->decode_bytes, 1 << 20);
}

TEST(ImageDocumentTest, ScaledRenderMatchesPlan) {
  TempDir dir;
  const std::string path = dir.path() + "/a.png";
  testing::WriteTestImage(path, 1000, 800);
  StatusOr<std::unique_ptr<Document>> doc = OpenDocument(path);
  ASSERT_TRUE(doc.ok());
  MemoryBudget budget(64 << 20);
  RenderPlan plan;
  plan.width = 500;
  plan.height = 400;
  plan.dpi = 150;
  plan.total_bytes = 1000 * 800 * 3;
  StatusOr<Reservation> r = budget.Reserve(plan.total_bytes, "page");
  ASSERT_TRUE(r.ok());
  StatusOr<Raster> raster = (*doc)->Render(0, plan, std::move(*r));
  ASSERT_TRUE(raster.ok()) << raster.status().ToString();
  EXPECT_EQ(raster->width(), 500);
  EXPECT_EQ(raster->height(), 400);
  EXPECT_LT(raster->row(100)[100], 128);  // inside the first bar: dark
  EXPECT_GT(raster->row(5)[5], 128);      // margin: white
}

// MuPDF allocates through a counting allocator: reading a font that inflates past the
// page's allowance fails the page with that reason, and the allowance is what decides.
TEST(PdfDocumentTest, MupdfAllocationsPastThePageAllowanceFailThePage) {
  TempDir dir;
  const std::string path = dir.path() + "/bomb.pdf";
  testing::WriteFontBombPdf(path, 96ll << 20);
  StatusOr<std::unique_ptr<Document>> doc = OpenDocument(path);
  ASSERT_TRUE(doc.ok()) << doc.status().message();
  {
    PdfLibraryAllowance allowance(32ll << 20);
    StatusOr<TextLayerPage> layer = (*doc)->TextLayer(0);
    ASSERT_FALSE(layer.ok());
    EXPECT_EQ(layer.status().code(), StatusCode::kResourceExhausted);
    EXPECT_EQ(layer.status().message(),
              "needs more than 32 MiB of PDF library memory (fonts, decoded images, soft "
              "masks, transparency groups); raise --memory-limit");
  }
  // Reopened (MuPDF keeps a substitute for a font it could not load), with room for
  // the font: the page reads.
  doc = OpenDocument(path);
  ASSERT_TRUE(doc.ok()) << doc.status().message();
  PdfLibraryAllowance allowance(512ll << 20);
  StatusOr<TextLayerPage> layer = (*doc)->TextLayer(0);
  EXPECT_TRUE(layer.ok()) << layer.status().message();
}

TEST(JpegProbeTest, ProgressiveFilesReportTheirCoefficientBuffers) {
  TempDir dir;
  testing::WriteProgressiveJpeg(dir.path() + "/p.jpg", 200, 100);
  StatusOr<JpegLayout> layout = ProbeJpeg(dir.path() + "/p.jpg");
  ASSERT_TRUE(layout.ok()) << layout.status().message();
  EXPECT_EQ(layout->width, 200);
  EXPECT_EQ(layout->height, 100);
  EXPECT_TRUE(layout->progressive);
  // 25 x 13 blocks of 8 x 8 two-byte coefficients.
  EXPECT_EQ(layout->coefficient_bytes, 25 * 13 * 64 * 2);

  testing::WriteFile(dir.path() + "/bad.jpg", "\xff\xd8\xff\xe0 not a jpeg");
  EXPECT_EQ(ProbeJpeg(dir.path() + "/bad.jpg").status().code(), StatusCode::kCorrupt);
}

}  // namespace
}  // namespace pageflow
