// End-to-end runs of the box-carrying outputs through `pageflow run`: `--boxes` in the
// JSONL record, on a born-digital PDF (points) and a scanned picture (pixels).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

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

}  // namespace
}  // namespace pageflow
