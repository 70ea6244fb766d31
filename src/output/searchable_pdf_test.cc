#include "output/searchable_pdf.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <qpdf/Pl_Buffer.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <qpdf/QPDFPageObjectHelper.hh>

#include "testing/test_util.h"

namespace pageflow {
namespace {

// A display point (x, y up) mapped by the transform.
std::pair<double, double> Map(const PageTransform& t, double x, double y) {
  return {t.m[0] * x + t.m[2] * y + t.m[4], t.m[1] * x + t.m[3] * y + t.m[5]};
}

TEST(DisplayToUserTest, TopLeftOfTheDisplayedPageForEachRotation) {
  // CropBox [10 20 110 220]: 100 x 200 points.
  const PageTransform t0 = DisplayToUser(10, 20, 110, 220, 0);
  EXPECT_EQ(t0.display_width, 100);
  EXPECT_EQ(Map(t0, 0, 200), std::make_pair(10.0, 220.0));  // top-left: (x0, y1)
  // Rotated 90 clockwise: the display's top-left is the page's bottom-left.
  const PageTransform t90 = DisplayToUser(10, 20, 110, 220, 90);
  EXPECT_EQ(t90.display_width, 200);
  EXPECT_EQ(t90.display_height, 100);
  EXPECT_EQ(Map(t90, 0, 100), std::make_pair(10.0, 20.0));
  EXPECT_EQ(Map(t90, 200, 100), std::make_pair(10.0, 220.0));  // top-right: (x0, y1)
  const PageTransform t180 = DisplayToUser(10, 20, 110, 220, 180);
  EXPECT_EQ(Map(t180, 0, 200), std::make_pair(110.0, 20.0));
  const PageTransform t270 = DisplayToUser(10, 20, 110, 220, -90);
  EXPECT_EQ(Map(t270, 0, 100), std::make_pair(110.0, 220.0));
  EXPECT_EQ(Map(t270, 0, 0), std::make_pair(10.0, 220.0));
}

// A born-digital book of `pages` pages at `path`, as pdfTeX makes them: each page its
// own content stream (`content`) and a resource dictionary naming 30 fonts (one shared
// font object). Objects: 1 catalog, 2 pages, 3 font, then page k at 4 + 2k and its
// content at 5 + 2k.
void WriteBook(const std::string& path, int pages,
               const std::string& content = "BT /F0 12 Tf 72 700 Td (page) Tj ET") {
  std::string kids;
  for (int k = 0; k < pages; ++k) kids += std::to_string(4 + 2 * k) + " 0 R ";
  std::string fonts;
  for (int f = 0; f < 30; ++f) fonts += "/F" + std::to_string(f) + " 3 0 R ";
  std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Count " + std::to_string(pages) + " /Kids [" + kids + "] >>",
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"};
  for (int k = 0; k < pages; ++k) {
    objects.push_back(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources"
        " << /Font << " +
        fonts + ">> /ProcSet [/PDF /Text] >> /Contents " + std::to_string(5 + 2 * k) +
        " 0 R >>");
    objects.push_back("<< /Length " + std::to_string(content.size()) + " >>\nstream\n" +
                      content + "\nendstream");
  }
  testing::WriteRawPdf(path, objects);
}

// Page `page` (1-based) as an OCR engine read it: one word on a 612 x 792 pixel page.
PageRecord OcrPage(int page, const std::string& word = "Hello") {
  PageRecord r;
  r.page = page;
  r.engine = "tesseract";
  r.text = word;
  PageBoxes b;
  b.width = 612;
  b.height = 792;
  b.dpi = 72;
  PageBoxes::Line line;
  line.box = {72, 80, 200, 100};
  line.words.push_back({word, {72, 80, 200, 100}, 0.9f});
  PageBoxes::Block block;
  block.kind = "paragraph";
  block.box = line.box;
  block.lines.push_back(line);
  b.blocks.push_back(block);
  r.boxes = b;
  return r;
}

std::string WriteToString(SearchablePdf& pdf) {
  std::string out;
  Status st = pdf.Write([&out](std::string_view s) {
    out.append(s);
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.message();
  return out;
}

std::string PageContent(QPDFPageObjectHelper& page) {
  Pl_Buffer buffer("content");
  page.pipeContents(&buffer);
  std::unique_ptr<Buffer> b(buffer.getBuffer());
  return std::string(reinterpret_cast<const char*>(b->getBuffer()), b->getSize());
}

TEST(SearchablePdfTest, PdfKeepsItsBytesAndOcrPagesGainALayer) {
  testing::TempDir dir;
  const std::string in = dir.path() + "/book.pdf";
  WriteBook(in, 3);
  MemoryBudget budget(64 << 20);
  SearchablePdf pdf(in, {dir.path(), &budget});
  PageRecord text_layer = OcrPage(2);
  text_layer.engine = "text-layer";
  for (const PageRecord& r : {OcrPage(1, "One"), text_layer, OcrPage(3, "Three")})
    ASSERT_TRUE(pdf.Add(r).ok());
  const std::string out = WriteToString(pdf);
  const std::string original = testing::ReadFile(in);
  ASSERT_GT(out.size(), original.size());
  EXPECT_EQ(out.compare(0, original.size(), original), 0);

  QPDF q;
  q.setSuppressWarnings(true);
  q.processMemoryFile("out", out.data(), out.size());
  std::vector<QPDFPageObjectHelper> pages = QPDFPageDocumentHelper(q).getAllPages();
  ASSERT_EQ(pages.size(), 3u);
  for (int i : {0, 2}) {
    QPDFObjectHandle page = pages[i].getObjectHandle();
    EXPECT_EQ(page.getObjectID(), 4 + 2 * i) << "the page keeps its object";
    QPDFObjectHandle fonts = page.getKey("/Resources").getKey("/Font");
    EXPECT_TRUE(fonts.hasKey("/PFGlyphless"));
    EXPECT_TRUE(fonts.hasKey("/F29"));
    QPDFObjectHandle contents = page.getKey("/Contents");
    ASSERT_TRUE(contents.isArray());
    ASSERT_EQ(contents.getArrayNItems(), 4);  // q, its own content, Q, the layer
    EXPECT_EQ(contents.getArrayItem(1).getObjectID(), 5 + 2 * i);
    const std::string content = PageContent(pages[i]);
    EXPECT_NE(content.find("(page) Tj"), std::string::npos);
    EXPECT_NE(content.find("3 Tr"), std::string::npos);
    EXPECT_NE(content.find(i == 0 ? "<004F006E0065>" : "<00540068007200650065>"),
              std::string::npos)
        << content;
  }
  EXPECT_TRUE(pages[1].getObjectHandle().getKey("/Contents").isStream());
  EXPECT_FALSE(pages[1]
                   .getObjectHandle()
                   .getKey("/Resources")
                   .getKey("/Font")
                   .hasKey("/PFGlyphless"));
  EXPECT_FALSE(q.anyWarnings());
}

TEST(SearchablePdfTest, AnEarlierInvisibleLayerIsReplaced) {
  testing::TempDir dir;
  const std::string in = dir.path() + "/ocred.pdf";
  WriteBook(
      in, 1,
      "BT 3 Tr /F0 12 Tf 72 700 Td (old) Tj ET BT 0 Tr /F0 12 Tf 72 600 Td (seen) Tj ET");
  MemoryBudget budget(64 << 20);
  SearchablePdf pdf(in, {dir.path(), &budget});
  ASSERT_TRUE(pdf.Add(OcrPage(1, "New")).ok());
  const std::string out = WriteToString(pdf);
  QPDF q;
  q.setSuppressWarnings(true);
  q.processMemoryFile("out", out.data(), out.size());
  std::vector<QPDFPageObjectHelper> pages = QPDFPageDocumentHelper(q).getAllPages();
  ASSERT_EQ(pages.size(), 1u);
  const std::string content = PageContent(pages[0]);
  EXPECT_EQ(content.find("(old)"), std::string::npos) << content;
  EXPECT_NE(content.find("(seen) Tj"), std::string::npos) << content;
  EXPECT_NE(content.find("<004E00650077>"), std::string::npos) << content;
  EXPECT_NE(pages[0].getObjectHandle().getKey("/Contents").getArrayItem(1).getObjectID(),
            5);
  EXPECT_FALSE(q.anyWarnings());
}

int64_t ProcStatusKib(const char* key) {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind(key, 0) == 0) return std::stoll(line.substr(std::strlen(key) + 1));
  }
  return -1;
}

// Peak RSS (KiB) that writing a searchable PDF of a `pages`-page book adds, every page
// OCRed; measured in a child process, so that nothing else has touched its heap.
int64_t WriterPeakKib(const std::string& dir, int pages) {
  const std::string in = dir + "/book" + std::to_string(pages) + ".pdf";
  WriteBook(in, pages);
  int fds[2];
  if (pipe(fds) != 0) return -1;
  const pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    int64_t peak = -1;
    // Resets VmHWM to the current RSS (Linux 4.0 and later).
    if (std::ofstream("/proc/self/clear_refs") << "5") {
      const int64_t before = ProcStatusKib("VmRSS:");
      {
        MemoryBudget budget(1LL << 30);
        SearchablePdf pdf(in, {dir, &budget});
        bool ok = true;
        for (int p = 1; p <= pages && ok; ++p) ok = pdf.Add(OcrPage(p)).ok();
        ok = ok && pdf.Write([](std::string_view) { return Status::Ok(); }).ok();
        if (ok) peak = ProcStatusKib("VmHWM:") - before;
      }
    }
    (void)!write(fds[1], &peak, sizeof peak);
    _exit(0);
  }
  close(fds[1]);
  int64_t peak = -1;
  if (read(fds[0], &peak, sizeof peak) != sizeof peak) peak = -1;
  close(fds[0]);
  waitpid(child, nullptr, 0);
  return peak;
}

TEST(SearchablePdfTest, WriterMemoryDoesNotGrowWithTheDocument) {
  testing::TempDir dir;
  const int64_t short_kib = WriterPeakKib(dir.path(), 40);
  const int64_t long_kib = WriterPeakKib(dir.path(), 4000);
  if (short_kib < 0 || long_kib < 0)
    GTEST_SKIP() << "peak RSS cannot be reset and read here (/proc/self/clear_refs)";
  // What may grow: the per-page records (24 bytes a page for the layers, 16 for each of
  // the update's cross-reference entries, about 4 a page) and qpdf's cross-reference
  // table of the input (about 110 bytes an object, 2 a page here): under 0.5 KB a page,
  // 2 MB for these 3,960 pages more. Holding the book's parsed pages (the whole-file
  // rewrite) costs about 5 KB a page.
  EXPECT_LT(long_kib - short_kib, 2048)
      << "40 pages: " << short_kib << " KiB, 4000 pages: " << long_kib << " KiB";
  RecordProperty("short_kib", std::to_string(short_kib));
  RecordProperty("long_kib", std::to_string(long_kib));
}

TEST(SearchablePdfTest, PicturesBecomeANewPdfWrittenPageByPage) {
  testing::TempDir dir;
  const std::string in = dir.path() + "/scan.tif";
  testing::WriteTestImage(in, 400, 300, /*frames=*/3);
  MemoryBudget budget(64 << 20);
  SearchablePdf pdf(in, {dir.path(), &budget});
  ASSERT_TRUE(pdf.Add(OcrPage(1, "One")).ok());
  ASSERT_TRUE(pdf.Add(OcrPage(3, "Three")).ok());
  const std::string out = WriteToString(pdf);
  ASSERT_EQ(out.compare(0, 9, "%PDF-1.7\n"), 0);
  QPDF q;
  q.setSuppressWarnings(true);
  q.processMemoryFile("out", out.data(), out.size());
  std::vector<QPDFPageObjectHelper> pages = QPDFPageDocumentHelper(q).getAllPages();
  ASSERT_EQ(pages.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    QPDFObjectHandle page = pages[i].getObjectHandle();
    QPDFObjectHandle image = page.getKey("/Resources").getKey("/XObject").getKey("/Im0");
    ASSERT_TRUE(image.isStream());
    EXPECT_EQ(image.getDict().getKey("/Width").getIntValue(), 400);
    EXPECT_EQ(image.getDict().getKey("/Height").getIntValue(), 300);
    // The pixels, losslessly: 400 x 300 gray bytes.
    EXPECT_EQ(image.getStreamData()->getSize(), 400u * 300u);
    const std::string content = PageContent(pages[i]);
    EXPECT_NE(content.find("/Im0 Do"), std::string::npos);
    const bool layered = i != 1;
    EXPECT_EQ(content.find("3 Tr") != std::string::npos, layered) << "page " << i + 1;
    QPDFObjectHandle fonts = page.getKey("/Resources").getKey("/Font");
    EXPECT_EQ(fonts.isDictionary() && fonts.hasKey("/PFGlyphless"), layered);
  }
  EXPECT_NE(PageContent(pages[2]).find("<00540068007200650065>"), std::string::npos);
  EXPECT_FALSE(q.anyWarnings());
}

TEST(SearchablePdfTest, MissingSourceIsAnError) {
  MemoryBudget budget(64 << 20);
  SearchablePdf pdf("/nonexistent/x.pdf", {".", &budget});
  Status st = pdf.Write([](std::string_view) { return Status::Ok(); });
  EXPECT_FALSE(st.ok());
}

}  // namespace
}  // namespace pageflow
