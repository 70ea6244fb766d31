#include "output/page_boxes.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "layout/page_model.h"
#include "output/page_record.h"

namespace pageflow {
namespace {

using nlohmann::json;

TextLine Line(std::vector<TextWord> words, Box box, int baseline = -1) {
  TextLine l;
  l.box = box;
  l.baseline = baseline;
  l.words = std::move(words);
  for (const TextWord& w : l.words) l.text += (l.text.empty() ? "" : " ") + w.text;
  return l;
}

Block MakeBlock(BlockKind kind, std::vector<TextLine> lines, Box box = {}) {
  Block b;
  b.kind = kind;
  b.lines = std::move(lines);
  b.box = box;
  b.confidence = 0.8f;
  return b;
}

PageModel SampleModel() {
  PageModel m;
  m.page_width = 2480;
  m.page_height = 3508;
  m.unit = Unit::kPixels;
  m.blocks.push_back(MakeBlock(BlockKind::kParagraph,
                               {Line({{"Hello", {100, 200, 220, 240}, 0.91f},
                                      {"<world>", {230, 200, 400, 240}, 0.5f}},
                                     {100, 200, 400, 240}, 235)},
                               {100, 200, 400, 240}));
  m.furniture.push_back(MakeBlock(
      BlockKind::kPageNumber,
      {Line({{"7", {1200, 3400, 1220, 3430}, 0.99f}}, {1200, 3400, 1220, 3430})}));
  m.furniture.push_back(
      MakeBlock(BlockKind::kHeader,
                {Line({{"Journal", {100, 50, 300, 80}, 0.97f}}, {100, 50, 300, 80})}));
  return m;
}

TEST(PageBoxesTest, ModelGivesBlocksFromTopToBottomWithWordsAndConfidences) {
  const PageBoxes b = BoxesFromModel(SampleModel(), 300);
  EXPECT_EQ(b.width, 2480);
  EXPECT_EQ(b.height, 3508);
  EXPECT_EQ(b.dpi, 300);
  ASSERT_EQ(b.blocks.size(), 3u);
  EXPECT_EQ(b.blocks[0].kind, "header");
  EXPECT_EQ(b.blocks[1].kind, "paragraph");
  EXPECT_EQ(b.blocks[2].kind, "page_number");
  // A furniture block without its own box gets its lines' union.
  EXPECT_EQ(b.blocks[2].box.x0, 1200);
  EXPECT_EQ(b.blocks[2].box.y1, 3430);
  ASSERT_EQ(b.blocks[1].lines.size(), 1u);
  const PageBoxes::Line& line = b.blocks[1].lines[0];
  EXPECT_EQ(line.baseline, 235);
  ASSERT_EQ(line.words.size(), 2u);
  EXPECT_EQ(line.words[1].text, "<world>");
  EXPECT_EQ(line.words[1].box.x1, 400);
  EXPECT_FLOAT_EQ(line.words[1].confidence, 0.5f);
}

TEST(PageBoxesTest, PointsPagesStateSeventyTwoDpi) {
  PageModel m = SampleModel();
  m.unit = Unit::kPoints;
  EXPECT_EQ(BoxesFromModel(m, 300).dpi, 72);
  EXPECT_EQ(PageBoxesToJson(BoxesFromModel(m, 300))["unit"], "pt");
}

TEST(PageBoxesTest, LineWithoutWordsBecomesOneWordSoNoTextIsLost) {
  TextLine l;
  l.text = "一行中文";
  l.box = {10, 10, 200, 40};
  l.confidence = 0.7f;
  const PageBoxes b = BoxesFromLines({l}, 300, 100, Unit::kPixels, 0);
  ASSERT_EQ(b.blocks.size(), 1u);
  EXPECT_EQ(b.blocks[0].kind, "block");
  ASSERT_EQ(b.blocks[0].lines[0].words.size(), 1u);
  EXPECT_EQ(b.blocks[0].lines[0].words[0].text, "一行中文");
  EXPECT_EQ(b.blocks[0].lines[0].words[0].box.x1, 200);
}

TEST(PageBoxesTest, LinesGroupIntoBlocksBySourceBlock) {
  TextLine a = Line({{"a", {0, 0, 10, 10}}}, {0, 0, 10, 10});
  a.block_id = 1;
  TextLine b = Line({{"b", {0, 20, 10, 30}}}, {0, 20, 10, 30});
  b.block_id = 1;
  TextLine c = Line({{"c", {0, 50, 10, 60}}}, {0, 50, 10, 60});
  c.block_id = 2;
  const PageBoxes p = BoxesFromLines({a, b, c}, 100, 100, Unit::kPoints, 0);
  ASSERT_EQ(p.blocks.size(), 2u);
  EXPECT_EQ(p.blocks[0].lines.size(), 2u);
  EXPECT_EQ(p.blocks[0].box.y1, 30);
  EXPECT_EQ(p.dpi, 72);
}

TEST(PageBoxesTest, JsonRoundTripKeepsEverything) {
  const PageBoxes b = BoxesFromModel(SampleModel(), 300);
  const json j = PageBoxesToJson(b);
  EXPECT_EQ(j["unit"], "px");
  EXPECT_EQ(j["blocks"][1]["lines"][0]["words"][0]["box"].dump(), "[100,200,220,240]");
  EXPECT_EQ(j["blocks"][1]["lines"][0]["words"][0]["confidence"].dump(), "0.91");
  StatusOr<PageBoxes> back = PageBoxesFromJson(j);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(PageBoxesToJson(*back).dump(), j.dump());
}

TEST(PageBoxesTest, PageRecordCarriesBoxesThroughItsJson) {
  PageRecord r{1, "Hello", "tesseract", 0.9f, "", "", 1, 0.1};
  const std::string without = PageRecordJson(r);
  EXPECT_EQ(without.find("boxes"), std::string::npos);  // unchanged without --boxes
  r.boxes = BoxesFromModel(SampleModel(), 300);
  StatusOr<PageRecord> back = ParsePageRecord(PageRecordJson(r));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_TRUE(back->boxes.has_value());
  EXPECT_EQ(PageBoxesToJson(*back->boxes).dump(), PageBoxesToJson(*r.boxes).dump());
}

TEST(PageBoxesTest, DamagedBoxesAreCorrupt) {
  json j = PageBoxesToJson(BoxesFromModel(SampleModel(), 300));
  j["blocks"][0]["lines"][0]["words"][0]["box"] = json::array({1, 2});
  StatusOr<PageBoxes> b = PageBoxesFromJson(j);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(b.status().message().find("[x0, y0, x1, y1]"), std::string::npos);
  j = PageBoxesToJson(BoxesFromModel(SampleModel(), 300));
  j["unit"] = "mm";
  EXPECT_FALSE(PageBoxesFromJson(j).ok());
}

}  // namespace
}  // namespace pageflow
