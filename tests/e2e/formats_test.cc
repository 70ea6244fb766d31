// End-to-end runs of the box-carrying outputs through `pageflow run`: `--boxes` in the
// JSONL record, and the hOCR and ALTO mirrors, on a born-digital PDF (points) and a
// scanned picture (pixels). ALTO is validated against the ALTO v4 schema
// (tests/data/alto) and hOCR parsed as XML, both with xmllint.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "testing/test_util.h"

namespace pageflow {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json OnlyRecord(const std::string& out) {
  std::vector<json> all;
  for (auto& e : fs::directory_iterator(out + "/results")) {
    all.push_back(json::parse(testing::ReadFile(e.path().string())));
  }
  EXPECT_EQ(all.size(), 1u);
  return all.empty() ? json() : all[0];
}

// Every word of the page's boxes, in order.
std::vector<json> Words(const json& page) {
  std::vector<json> words;
  for (const json& b : page["blocks"])
    for (const json& l : b["lines"])
      for (const json& w : l["words"]) words.push_back(w);
  return words;
}

bool Inside(const json& box, int width, int height) {
  return box[0].get<int>() >= 0 && box[1].get<int>() >= 0 && box[0] < box[2] &&
         box[1] < box[3] && box[2].get<int>() <= width && box[3].get<int>() <= height;
}

TEST(FormatsTest, BoxesOfABornDigitalPdfAreInPoints) {
  testing::TempDir dir;
  testing::WriteTestPdf(dir.path() + "/a.pdf",
                        {{.lines = {"Hello boxes", "second line"}, .font_pt = 24}});
  const std::string out = dir.path() + "/out";
  testing::CommandResult r = testing::RunPageflow(
      {"run", dir.path() + "/a.pdf", "--out", out, "--boxes", "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json rec = OnlyRecord(out);
  ASSERT_TRUE(rec["metadata"].contains("page_boxes")) << rec.dump();
  const json& page = rec["metadata"]["page_boxes"][0];
  EXPECT_EQ(page["page"], 1);
  EXPECT_EQ(page["unit"], "pt");
  EXPECT_EQ(page["dpi"], 72);
  EXPECT_EQ(page["width"], 612);
  EXPECT_EQ(page["height"], 792);
  const std::vector<json> words = Words(page);
  ASSERT_EQ(words.size(), 4u) << page.dump();
  EXPECT_EQ(words[0]["text"], "Hello");
  EXPECT_EQ(words[3]["text"], "line");
  for (const json& w : words) EXPECT_TRUE(Inside(w["box"], 612, 792)) << w.dump();
  // "Hello" is left of "boxes" on the same line, and above "second".
  EXPECT_LT(words[0]["box"][2].get<int>(), words[1]["box"][0].get<int>() + 1);
  EXPECT_LT(words[0]["box"][3].get<int>(), words[2]["box"][3].get<int>());

  // Without --boxes the record has no boxes (and the text is the same).
  const std::string plain = dir.path() + "/plain";
  r = testing::RunPageflow(
      {"run", dir.path() + "/a.pdf", "--out", plain, "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json plain_rec = OnlyRecord(plain);
  EXPECT_FALSE(plain_rec["metadata"].contains("page_boxes"));
  EXPECT_EQ(plain_rec["text"], rec["text"]);
}

TEST(FormatsTest, BoxesOfAScanAreInPixelsWithConfidences) {
  testing::TempDir dir;
  fs::copy_file(testing::SourceDir() + "/samples/phototest.tif",
                dir.path() + "/scan.tif");
  const std::string out = dir.path() + "/out";
  testing::CommandResult r = testing::RunPageflow(
      {"run", dir.path() + "/scan.tif", "--out", out, "--boxes", "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json rec = OnlyRecord(out);
  const json& page = rec["metadata"]["page_boxes"][0];
  EXPECT_EQ(page["unit"], "px");
  const int width = page["width"], height = page["height"];
  EXPECT_EQ(width, 640);  // phototest.tif is 640 x 480
  EXPECT_EQ(height, 480);
  const std::vector<json> words = Words(page);
  ASSERT_GT(words.size(), 40u) << page.dump();
  bool found = false;
  for (const json& w : words) {
    EXPECT_TRUE(Inside(w["box"], width, height)) << w.dump();
    EXPECT_GE(w["confidence"].get<double>(), 0.0);
    EXPECT_LE(w["confidence"].get<double>(), 1.0);
    if (w["text"] == "quick") {
      found = true;
      EXPECT_GT(w["confidence"].get<double>(), 0.8);
    }
  }
  EXPECT_TRUE(found) << page.dump();
}

bool HaveXmllint() { return std::system("xmllint --version >/dev/null 2>&1") == 0; }

// xmllint's exit code on `args` (stderr kept for the log).
int Xmllint(const std::string& args) {
  const int rc = std::system(("xmllint --noout --nonet " + args + " 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

struct Word {
  std::string text;
  int x0, y0, x1, y1;
};

// The ocrx_word spans of an hOCR file, in order.
std::vector<Word> HocrWords(const std::string& hocr) {
  static const std::regex re(
      "<span class=\"ocrx_word\" id=\"[^\"]*\" title=\"bbox (\\d+) (\\d+) (\\d+) "
      "(\\d+); x_wconf (\\d+)\">([^<]*)</span>");
  std::vector<Word> words;
  for (auto it = std::sregex_iterator(hocr.begin(), hocr.end(), re);
       it != std::sregex_iterator(); ++it) {
    words.push_back({(*it)[6], std::stoi((*it)[1]), std::stoi((*it)[2]),
                     std::stoi((*it)[3]), std::stoi((*it)[4])});
  }
  return words;
}

// The String elements of an ALTO file, in order.
std::vector<Word> AltoWords(const std::string& alto) {
  static const std::regex re(
      "<String ID=\"[^\"]*\" CONTENT=\"([^\"]*)\" HPOS=\"(\\d+)\" VPOS=\"(\\d+)\" "
      "WIDTH=\"(\\d+)\" HEIGHT=\"(\\d+)\"");
  std::vector<Word> words;
  for (auto it = std::sregex_iterator(alto.begin(), alto.end(), re);
       it != std::sregex_iterator(); ++it) {
    const int x = std::stoi((*it)[2]), y = std::stoi((*it)[3]);
    words.push_back({(*it)[1], x, y, x + std::stoi((*it)[4]), y + std::stoi((*it)[5])});
  }
  return words;
}

// Runs `input` with --boxes and hOCR + ALTO, checks both files parse (ALTO against the
// schema) and that their words are the JSONL's, at its boxes scaled by `scale`.
void CheckMarkupAgreesWithBoxes(const std::string& input, const std::string& stem,
                                double scale, int min_words) {
  testing::TempDir dir;
  const std::string out = dir.path() + "/out";
  testing::CommandResult r =
      testing::RunPageflow({"run", input, "--out", out, "--format", "jsonl,hocr,alto",
                            "--boxes", "--no-progress", "--dpi", "300"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string hocr_path = out + "/hocr/" + stem + ".hocr";
  const std::string alto_path = out + "/alto/" + stem + ".xml";
  ASSERT_TRUE(fs::exists(hocr_path));
  ASSERT_TRUE(fs::exists(alto_path));
  EXPECT_EQ(Xmllint(hocr_path), 0) << "hOCR is not well-formed XML";
  EXPECT_EQ(Xmllint("--schema " + testing::SourceDir() +
                    "/tests/data/alto/alto-4-4.xsd " + alto_path),
            0)
      << "ALTO does not validate:\n"
      << testing::ReadFile(alto_path).substr(0, 3000);

  const json pages = OnlyRecord(out)["metadata"]["page_boxes"];
  const json page = pages[0];
  std::vector<json> want;  // every page's words, in page order
  for (const json& p : pages) {
    const std::vector<json> w = Words(p);
    want.insert(want.end(), w.begin(), w.end());
  }
  const std::vector<Word> hocr = HocrWords(testing::ReadFile(hocr_path));
  const std::vector<Word> alto = AltoWords(testing::ReadFile(alto_path));
  ASSERT_GE(static_cast<int>(want.size()), min_words) << page.dump();
  ASSERT_EQ(hocr.size(), want.size());
  ASSERT_EQ(alto.size(), want.size());
  const int width = static_cast<int>(std::lround(page["width"].get<int>() * scale));
  const int height = static_cast<int>(std::lround(page["height"].get<int>() * scale));
  for (size_t i = 0; i < want.size(); ++i) {
    const json& b = want[i]["box"];
    const int x0 = static_cast<int>(std::lround(b[0].get<int>() * scale));
    const int y1 = static_cast<int>(std::lround(b[3].get<int>() * scale));
    for (const Word* w : {&hocr[i], &alto[i]}) {
      EXPECT_EQ(w->x0, x0) << want[i].dump();
      EXPECT_EQ(w->y1, y1) << want[i].dump();
      EXPECT_TRUE(w->x0 < w->x1 && w->y0 < w->y1 && w->x1 <= width && w->y1 <= height)
          << w->text << " " << w->x0 << "," << w->y0 << "," << w->x1 << "," << w->y1;
    }
    // XML-escaped text; the samples have no markup characters but the check is plain.
    const std::string text = want[i]["text"];
    if (text.find_first_of("&<>\"'") == std::string::npos) {
      EXPECT_EQ(hocr[i].text, text);
      EXPECT_EQ(alto[i].text, text);
    }
  }
  const std::string hocr_text = testing::ReadFile(hocr_path);
  EXPECT_NE(hocr_text.find("ppageno 0; bbox 0 0 " + std::to_string(width) + " " +
                           std::to_string(height)),
            std::string::npos)
      << hocr_text.substr(0, 1500);
  EXPECT_NE(
      testing::ReadFile(alto_path).find("WIDTH=\"" + std::to_string(width) +
                                        "\" HEIGHT=\"" + std::to_string(height) + "\">"),
      std::string::npos);
}

TEST(FormatsTest, HocrAndAltoOfAScanAgreeWithTheJsonlBoxes) {
  if (!HaveXmllint())
    GTEST_SKIP() << "xmllint is not installed (libxml2-utils, scripts/setup)";
  testing::TempDir dir;
  fs::copy_file(testing::SourceDir() + "/samples/phototest.tif",
                dir.path() + "/scan.tif");
  CheckMarkupAgreesWithBoxes(dir.path() + "/scan.tif", "scan", 1.0, 40);
}

TEST(FormatsTest, HocrAndAltoOfABornDigitalPdfAreInPixelsAtTheDpi) {
  if (!HaveXmllint())
    GTEST_SKIP() << "xmllint is not installed (libxml2-utils, scripts/setup)";
  testing::TempDir dir;
  testing::WriteTestPdf(
      dir.path() + "/born.pdf",
      {{.lines = {"Searchable text layer", "with words & boxes"}, .font_pt = 20},
       {.lines = {"Second page"}, .font_pt = 20}});
  CheckMarkupAgreesWithBoxes(dir.path() + "/born.pdf", "born", 300.0 / 72.0, 7);
}

TEST(FormatsTest, HocrAndAltoNeedNoBoxesFlagAndLeaveTheRecordAlone) {
  testing::TempDir dir;
  testing::WriteTestPdf(dir.path() + "/a.pdf", {{.lines = {"Only text"}, .font_pt = 20}});
  const std::string out = dir.path() + "/out";
  testing::CommandResult r =
      testing::RunPageflow({"run", dir.path() + "/a.pdf", "--out", out, "--format",
                            "jsonl,md,hocr,alto", "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(OnlyRecord(out)["metadata"].contains("page_boxes"));
  EXPECT_TRUE(fs::exists(out + "/md/a.md"));
  const std::vector<Word> words = HocrWords(testing::ReadFile(out + "/hocr/a.hocr"));
  ASSERT_EQ(words.size(), 2u);
  EXPECT_EQ(words[0].text, "Only");
  EXPECT_EQ(AltoWords(testing::ReadFile(out + "/alto/a.xml")).size(), 2u);
}

}  // namespace
}  // namespace pageflow
