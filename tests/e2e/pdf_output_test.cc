// End-to-end runs of `--format pdf` (searchable PDFs) through the real binary, on a
// scanned PDF, a born-digital PDF, a JPEG, a multi-page TIFF and a Chinese page. Each
// output must pass `qpdf --check`, render like its input (the text layer is invisible),
// give pageflow's own text back through `pdftotext` (CER <= 0.02), and put the words
// where pageflow found them (`pdftotext -bbox` boxes with IoU >= 0.5 for >= 95% of
// words). Inputs are made from samples/phototest.tif with Leptonica; the Chinese page is
// a page of the evaluation corpus's ctex-faq.pdf rendered to a picture (skipped, saying
// so, where the corpus or Tesseract's chi_sim data is absent). A picture's page is
// compared with a plain PDF showing the same pixels (poppler smooths pictures even at
// their own resolution, so the picture itself is not the reference).
#include <gtest/gtest.h>
#include <leptonica/allheaders.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "testing/test_util.h"

namespace pageflow {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Page 7: paragraphs of Chinese with some Latin, a running header and footer.
constexpr const char* kChinesePdf = "/work/shared/corpus/B_pdfs/docs/ctex-faq.pdf";

int Shell(const std::string& command) {
  const int st = std::system(command.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

std::string Quote(const std::string& s) { return "'" + s + "'"; }

bool HaveTools() {
  return Shell("command -v qpdf pdftotext pdftoppm >/dev/null 2>&1") == 0;
}

struct PixDeleter {
  void operator()(PIX* p) const { pixDestroy(&p); }
};
using PixPtr = std::unique_ptr<PIX, PixDeleter>;

PixPtr Phototest() {
  PixPtr pix(pixRead((testing::SourceDir() + "/samples/phototest.tif").c_str()));
  EXPECT_NE(pix, nullptr);
  return pix;
}

// The page as an 8-bit gray JPEG at 300 DPI (its bytes).
std::string PhototestJpeg() {
  PixPtr pix = Phototest();
  PixPtr gray(pixConvertTo8(pix.get(), 0));
  pixSetResolution(gray.get(), 300, 300);
  l_uint8* data = nullptr;
  size_t size = 0;
  EXPECT_EQ(pixWriteMemJpeg(&data, &size, gray.get(), 90, 0), 0);
  std::string bytes(reinterpret_cast<char*>(data), size);
  lept_free(data);
  return bytes;
}

// A one-page PDF showing a w x h gray picture at `dpi`: `filter` is its /Filter entry
// ("" for raw pixels) and `data` its stream.
void WriteImagePagePdf(const std::string& path, int w, int h, int dpi,
                       const std::string& filter, const std::string& data) {
  const std::string wpt = std::to_string(w * 72.0 / dpi),
                    hpt = std::to_string(h * 72.0 / dpi);
  const std::string content = "q " + wpt + " 0 0 " + hpt + " 0 0 cm /Im0 Do Q";
  testing::WriteRawPdf(
      path,
      {"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
       "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 " + wpt + " " + hpt +
           "] /Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>",
       "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content +
           "\nendstream",
       "<< /Type /XObject /Subtype /Image /Width " + std::to_string(w) + " /Height " +
           std::to_string(h) + " /ColorSpace /DeviceGray /BitsPerComponent 8 " +
           (filter.empty() ? "" : "/Filter " + filter + " ") + "/Length " +
           std::to_string(data.size()) + " >>\nstream\n" + data + "\nendstream"});
}

// A scanned PDF: one page showing the JPEG at 300 DPI, no text.
void WriteScannedPdf(const std::string& path) {
  PixPtr pix = Phototest();
  WriteImagePagePdf(path, pixGetWidth(pix.get()), pixGetHeight(pix.get()), 300,
                    "/DCTDecode", PhototestJpeg());
}

// A plain PDF showing `pix` (as 8-bit gray, uncompressed) at `dpi`, one page: what a
// picture's page must look like.
void WriteGrayPdf(const std::string& path, PIX* pix, int dpi) {
  PixPtr gray(pixConvertTo8(pix, 0));
  const int w = pixGetWidth(gray.get()), h = pixGetHeight(gray.get());
  std::string pixels;
  pixels.reserve(static_cast<size_t>(w) * h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      l_uint32 v = 0;
      pixGetPixel(gray.get(), x, y, &v);
      pixels.push_back(static_cast<char>(v));
    }
  WriteImagePagePdf(path, w, h, dpi, "", pixels);
}

// Two G4 frames of the page.
void WriteMultipageTiff(const std::string& path) {
  PixPtr pix = Phototest();
  pixSetResolution(pix.get(), 300, 300);
  ASSERT_EQ(pixWriteTiff(path.c_str(), pix.get(), IFF_TIFF_G4, "w"), 0);
  ASSERT_EQ(pixWriteTiff(path.c_str(), pix.get(), IFF_TIFF_G4, "a"), 0);
}

std::string Capture(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

std::u32string CodePoints(const std::string& s, bool keep_spaces) {
  std::u32string out;
  bool space = false;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    char32_t cp = n == 1 ? c : c & (0xFF >> (n + 1));
    for (int k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
    i += n;
    if (cp == ' ' || cp == '\n' || cp == '\t' || cp == '\r' || cp == '\f') {
      space = true;
      continue;
    }
    if (space && keep_spaces && !out.empty()) out += U' ';
    space = false;
    out += cp;
  }
  return out;
}

// Character error rate of `got` against `want`: edit distance / length of `want`.
double Cer(const std::u32string& want, const std::u32string& got) {
  std::vector<int> prev(got.size() + 1), cur(got.size() + 1);
  for (size_t j = 0; j <= got.size(); ++j) prev[j] = static_cast<int>(j);
  for (size_t i = 1; i <= want.size(); ++i) {
    cur[0] = static_cast<int>(i);
    for (size_t j = 1; j <= got.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1,
                         prev[j - 1] + (want[i - 1] == got[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return want.empty() ? 0 : static_cast<double>(prev[got.size()]) / want.size();
}

struct Box {
  double x0, y0, x1, y1;
};
double Iou(const Box& a, const Box& b) {
  const double ix = std::max(0.0, std::min(a.x1, b.x1) - std::max(a.x0, b.x0));
  const double iy = std::max(0.0, std::min(a.y1, b.y1) - std::max(a.y0, b.y0));
  const double inter = ix * iy;
  const double uni =
      (a.x1 - a.x0) * (a.y1 - a.y0) + (b.x1 - b.x0) * (b.y1 - b.y0) - inter;
  return uni > 0 ? inter / uni : 0;
}

struct Outputs {
  std::string pdf, txt;
  json record;
};

Outputs RunPdf(const std::string& input, const std::string& out,
               std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"run",     input,          "--out",
                                   out,       "--format",     "pdf,txt,jsonl",
                                   "--boxes", "--no-progress"};
  args.insert(args.end(), extra.begin(), extra.end());
  testing::CommandResult r = testing::RunPageflow(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Outputs o;
  const std::string stem = fs::path(input).stem().string();
  o.pdf = out + "/pdf/" + stem + ".pdf";
  o.txt = out + "/txt/" + stem + ".txt";
  for (auto& e : fs::directory_iterator(out + "/results")) {
    o.record = json::parse(testing::ReadFile(e.path().string()));
  }
  EXPECT_TRUE(fs::exists(o.pdf)) << r.err;
  return o;
}

void ExpectQpdfCheck(const std::string& pdf) {
  const std::string report = Capture("qpdf --check " + Quote(pdf) + " 2>&1; echo rc=$?");
  EXPECT_NE(report.find("No syntax or stream encoding errors"), std::string::npos)
      << report;
  EXPECT_NE(report.find("rc=0"), std::string::npos) << report;
}

// The words of the record's page boxes, a line a line: the page's text as the layer
// holds it (the txt mirror leaves running headers and footers out and writes tables
// row by row, which an extractor need not).
std::string BoxWords(const json& record, int page) {
  std::string text;
  for (const json& b : record["metadata"]["page_boxes"][page - 1]["blocks"])
    for (const json& l : b["lines"]) {
      for (const json& w : l["words"]) text += w["text"].get<std::string>() + " ";
      text += "\n";
    }
  return text;
}

void ExpectCer(const std::string& own, const std::string& extracted, bool cjk,
               const std::string& what) {
  ASSERT_FALSE(own.empty());
  const double cer = Cer(CodePoints(own, !cjk), CodePoints(extracted, !cjk));
  EXPECT_LE(cer, 0.02) << what << ":\n" << own << "\npdftotext:\n" << extracted;
  std::cout << "CER against " << what << ": " << cer << "\n";
}

// pdftotext of page `page` of the output against pageflow's own text for it: its words
// and, for a document of one page without furniture, its txt mirror. Whitespace counts
// as one space (none in Chinese, where words are not spaced).
void ExpectSameText(const Outputs& o, bool cjk, int page = 1, bool txt = true) {
  const std::string p = std::to_string(page);
  const std::string extracted =
      Capture("pdftotext -f " + p + " -l " + p + " " + Quote(o.pdf) + " - 2>/dev/null");
  ExpectCer(BoxWords(o.record, page), extracted, cjk, "pageflow's words");
  if (txt) ExpectCer(testing::ReadFile(o.txt), extracted, cjk, "pageflow's text");
}

// The PDF's words (pdftotext -bbox, points) against the record's word boxes.
void ExpectWordsInPlace(const Outputs& o, int page) {
  const std::string html =
      Capture("pdftotext -bbox -f " + std::to_string(page) + " -l " +
              std::to_string(page) + " " + Quote(o.pdf) + " - 2>/dev/null");
  std::regex page_re(R"re(<page width="([0-9.]+)" height="([0-9.]+)">)re");
  std::smatch pm;
  ASSERT_TRUE(std::regex_search(html, pm, page_re)) << html;
  const double page_w = std::stod(pm[1]), page_h = std::stod(pm[2]);
  std::vector<std::pair<std::string, Box>> found;
  std::regex word_re(
      R"re(<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">([^<]*)</word>)re");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), word_re);
       it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    found.push_back(
        {m[5], {std::stod(m[1]), std::stod(m[2]), std::stod(m[3]), std::stod(m[4])}});
  }
  const json& boxes = o.record["metadata"]["page_boxes"][page - 1];
  ASSERT_EQ(boxes["unit"], "px");
  const double sx = page_w / boxes["width"].get<double>();
  const double sy = page_h / boxes["height"].get<double>();
  int words = 0, placed = 0;
  for (const json& b : boxes["blocks"])
    for (const json& l : b["lines"])
      for (const json& w : l["words"]) {
        ++words;
        const Box want{w["box"][0].get<double>() * sx, w["box"][1].get<double>() * sy,
                       w["box"][2].get<double>() * sx, w["box"][3].get<double>() * sy};
        double best = 0;
        for (const auto& [text, box] : found) best = std::max(best, Iou(want, box));
        if (best >= 0.5) ++placed;
      }
  ASSERT_GT(words, 20);
  EXPECT_GE(placed, 0.95 * words) << placed << " of " << words << " words in place";
  std::cout << "words in place " << o.pdf << ": " << placed << " of " << words << "\n";
}

// Page `in_page` of `in` and `out_page` of `out` rendered at 100 DPI: the same pixels.
void ExpectSamePixels(const std::string& in, const std::string& out, int out_page,
                      const std::string& dir, int in_page = 0) {
  const std::string p = std::to_string(out_page);
  const std::string q = std::to_string(in_page > 0 ? in_page : out_page);
  ASSERT_EQ(
      Shell("pdftoppm -r 100 -gray -f " + q + " -l " + q + " -singlefile " + Quote(in) +
            " " + Quote(dir + "/in") + " && pdftoppm -r 100 -gray -f " + p + " -l " + p +
            " -singlefile " + Quote(out) + " " + Quote(dir + "/out")),
      0);
  const std::string a = testing::ReadFile(dir + "/in.pgm"),
                    b = testing::ReadFile(dir + "/out.pgm");
  ASSERT_GT(a.size(), 1000u);
  EXPECT_TRUE(a == b) << "page " << out_page << " renders differently";
}

class PdfOutputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveTools()) GTEST_SKIP() << "qpdf, pdftotext or pdftoppm is not installed";
  }
  testing::TempDir dir_;
};

TEST_F(PdfOutputTest, ScannedPdfGetsAnInvisibleLayerWhereItsWordsAre) {
  const std::string in = dir_.path() + "/scan.pdf";
  WriteScannedPdf(in);
  const Outputs o = RunPdf(in, dir_.path() + "/out");
  ASSERT_EQ(o.record["metadata"]["engines_used"].value("tesseract", 0), 1)
      << o.record.dump();
  ExpectQpdfCheck(o.pdf);
  ExpectSamePixels(in, o.pdf, 1, dir_.path());
  ExpectSameText(o, false);
  ExpectWordsInPlace(o, 1);

  // Run again on the searchable PDF: its layer is good, so the page is taken as it is...
  const Outputs again = RunPdf(o.pdf, dir_.path() + "/again");
  EXPECT_EQ(again.record["metadata"]["engines_used"].value("text-layer", 0), 1);
  EXPECT_EQ(Capture("pdftotext " + Quote(again.pdf) + " -"),
            Capture("pdftotext " + Quote(o.pdf) + " -"));
  // ...and --force-ocr OCRs it again, its old layer replaced rather than doubled.
  const Outputs forced = RunPdf(o.pdf, dir_.path() + "/forced", {"--force-ocr"});
  EXPECT_EQ(forced.record["metadata"]["engines_used"].value("tesseract", 0), 1);
  ExpectQpdfCheck(forced.pdf);
  ExpectSamePixels(in, forced.pdf, 1, dir_.path());
  ExpectSameText(forced, false);
}

TEST_F(PdfOutputTest, BornDigitalPdfIsLeftAsItIs) {
  const std::string in = dir_.path() + "/born.pdf";
  testing::WriteTestPdf(in, {{.lines = {"A born digital page", "with its own text layer",
                                        "that pageflow reads as it is"}},
                             {.lines = {"and a second page"}, .font_pt = 18}});
  const Outputs o = RunPdf(in, dir_.path() + "/out");
  EXPECT_EQ(o.record["metadata"]["engines_used"].value("text-layer", 0), 2);
  ExpectQpdfCheck(o.pdf);
  ExpectSamePixels(in, o.pdf, 1, dir_.path());
  ExpectSamePixels(in, o.pdf, 2, dir_.path());
  ExpectSameText(o, false, 1, /*txt=*/false);
  ExpectSameText(o, false, 2, /*txt=*/false);
  EXPECT_EQ(Capture("pdftotext " + Quote(o.pdf) + " -"),
            Capture("pdftotext " + Quote(in) + " -"));
}

TEST_F(PdfOutputTest, JpegIsEmbeddedAsItsOriginalBytes) {
  const std::string in = dir_.path() + "/photo.jpg";
  const std::string jpeg = PhototestJpeg();
  testing::WriteFile(in, jpeg);
  const Outputs o = RunPdf(in, dir_.path() + "/out");
  ExpectQpdfCheck(o.pdf);
  // The picture's stream holds the JPEG's bytes, unchanged.
  ASSERT_EQ(
      Shell("cd " + Quote(dir_.path()) + " && pdfimages -j " + Quote(o.pdf) + " img"), 0);
  EXPECT_TRUE(testing::ReadFile(dir_.path() + "/img-000.jpg") == jpeg);
  // At its own resolution (300 DPI): like a PDF of the same JPEG.
  EXPECT_NE(Capture("pdfinfo " + Quote(o.pdf)).find("153.6 x 115.2 pts"),
            std::string::npos);
  WriteScannedPdf(dir_.path() + "/ref.pdf");
  ExpectSamePixels(dir_.path() + "/ref.pdf", o.pdf, 1, dir_.path());
  ExpectSameText(o, false);
  ExpectWordsInPlace(o, 1);
}

TEST_F(PdfOutputTest, MultipageTiffBecomesOnePagePerFrame) {
  const std::string in = dir_.path() + "/pages.tif";
  WriteMultipageTiff(in);
  const Outputs o = RunPdf(in, dir_.path() + "/out");
  ExpectQpdfCheck(o.pdf);
  EXPECT_TRUE(
      std::regex_search(Capture("pdfinfo " + Quote(o.pdf)), std::regex("Pages: +2\n")));
  PixPtr pix = Phototest();
  WriteGrayPdf(dir_.path() + "/ref.pdf", pix.get(), 300);
  ExpectSamePixels(dir_.path() + "/ref.pdf", o.pdf, 1, dir_.path(), 1);
  ExpectSamePixels(dir_.path() + "/ref.pdf", o.pdf, 2, dir_.path(), 1);
  ExpectSameText(o, false, 1, /*txt=*/false);
  ExpectSameText(o, false, 2, /*txt=*/false);
  ExpectWordsInPlace(o, 2);
}

TEST_F(PdfOutputTest, ChinesePageExtractsAsChinese) {
  if (!fs::exists(kChinesePdf)) GTEST_SKIP() << kChinesePdf << " is not here";
  if (Capture("tesseract --list-langs 2>&1").find("chi_sim") == std::string::npos)
    GTEST_SKIP() << "Tesseract's chi_sim language data is not installed";
  const std::string in = dir_.path() + "/zh.png";
  ASSERT_EQ(Shell("pdftoppm -r 150 -gray -png -f 7 -l 7 -singlefile " +
                  Quote(kChinesePdf) + " " + Quote(dir_.path() + "/rendered")),
            0);
  {  // pdftoppm writes gray as RGB: an 8-bit gray PNG at 150 DPI, as a scanner would
    PixPtr rendered(pixRead((dir_.path() + "/rendered.png").c_str()));
    ASSERT_NE(rendered, nullptr);
    PixPtr gray(pixConvertTo8(rendered.get(), 0));
    pixSetResolution(gray.get(), 150, 150);
    ASSERT_EQ(pixWrite(in.c_str(), gray.get(), IFF_PNG), 0);
  }
  const Outputs o = RunPdf(in, dir_.path() + "/out", {"--lang", "chi_sim"});
  ExpectQpdfCheck(o.pdf);
  PixPtr pix(pixRead(in.c_str()));
  // As pageflow places it: at its stated resolution, else 300 DPI.
  WriteGrayPdf(dir_.path() + "/ref.pdf", pix.get(),
               pixGetXRes(pix.get()) > 0 ? pixGetXRes(pix.get()) : 300);
  ExpectSamePixels(dir_.path() + "/ref.pdf", o.pdf, 1, dir_.path());
  ExpectSameText(o, /*cjk=*/true, 1, /*txt=*/false);
  // The layer holds Chinese: pdftotext gives back the characters Tesseract read.
  const std::u32string chinese =
      CodePoints(Capture("pdftotext " + Quote(o.pdf) + " -"), false);
  EXPECT_NE(chinese.find(U"中文套装"), std::u32string::npos);
}

}  // namespace
}  // namespace pageflow
