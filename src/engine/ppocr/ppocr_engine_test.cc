#include "engine/ppocr/ppocr_engine.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "engine/engine_factory.h"
#include "pipeline/page_access.h"
#include "testing/test_util.h"

namespace pageflow {
namespace {

const char* kModelFiles[] = {"ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx",
                             "ch_ppocr_mobile_v2.0_cls_infer.onnx", "ppocr_keys_v1.txt"};

std::string RemoveSpaces(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c != ' ' && c != '\n') out += c;
  }
  return out;
}

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

class PpocrEngineTest : public ::testing::Test {
 protected:
  // Recognizes page 1 of `path` with a fresh engine.
  StatusOr<PageText> Read(const std::string& path, const PpocrOptions& options = {}) {
    StatusOr<std::unique_ptr<Document>> doc = OpenDocument(path);
    if (!doc.ok()) return doc.status();
    StatusOr<std::unique_ptr<Engine>> engine = CreatePpocrEngine(options, budget_);
    if (!engine.ok()) return engine.status();
    DocumentPageAccess page(doc->get(), 0, RenderOptions{}, &budget_, "page 1");
    return (*engine)->Recognize(page);
  }
  // A models directory holding links to the real files except `left_out`.
  std::string ModelsWithout(const std::string& left_out) {
    const std::string dir = dir_.path() + "/models";
    mkdir(dir.c_str(), 0755);
    for (const char* f : kModelFiles) {
      if (f == left_out) continue;
      EXPECT_EQ(symlink((std::string(PAGEFLOW_PPOCR_MODELS_DIR) + "/" + f).c_str(), (dir + "/" + f).c_str()), 0);
    }
    return dir;
  }
  testing::TempDir dir_;
  MemoryBudget budget_{2ll << 30};
};

TEST_F(PpocrEngineTest, LoadsNoModelBeforeTheFirstPageThenChargesThem) {
  testing::WriteTestPdf(dir_.path() + "/a.pdf",
                        {{.lines = {"The quick brown fox", "jumps over the lazy dog"}, .font_pt = 28}});
  StatusOr<std::unique_ptr<Document>> doc = OpenDocument(dir_.path() + "/a.pdf");
  ASSERT_OK(doc);
  EngineOptions options;
  options.kind = "ppocr";
  StatusOr<std::unique_ptr<Engine>> engine = CreateEngine(options, budget_);
  ASSERT_OK(engine);
  EXPECT_EQ(budget_.Stats().fixed_bytes, 0);  // lazy: nothing loaded yet
  EXPECT_EQ(budget_.Stats().reserved_bytes, 0);

  DocumentPageAccess page(doc->get(), 0, RenderOptions{}, &budget_, "page 1 of a.pdf");
  StatusOr<PageText> text = (*engine)->Recognize(page);
  ASSERT_OK(text);
  EXPECT_EQ(text->engine, "ppocr");
  EXPECT_GT(budget_.Stats().fixed_bytes, 5ll << 20);  // det + rec weights at least
  EXPECT_EQ(budget_.Stats().reserved_bytes, budget_.Stats().fixed_bytes);  // page memory returned
  EXPECT_GT(budget_.Stats().peak_reserved_bytes, budget_.Stats().fixed_bytes + PpocrWorkingBytes({}));
  ASSERT_EQ(text->lines.size(), 2u) << text->text;
  EXPECT_NE(text->lines[0].text.find("quick brown fox"), std::string::npos) << text->text;
  EXPECT_NE(text->lines[1].text.find("lazy dog"), std::string::npos) << text->text;
  EXPECT_GT(text->lines[0].confidence, 0.8f);
  EXPECT_LT(text->lines[0].box.y1, text->lines[1].box.y0);  // top to bottom, raster pixels
  EXPECT_GT(text->lines[0].box.x1 - text->lines[0].box.x0, 600);  // 300 DPI raster coordinates
}

TEST_F(PpocrEngineTest, ReadsAChineseLine) {
  StatusOr<PageText> text = Read(std::string(PAGEFLOW_PPOCR_TEST_DATA) + "/zh_line.png");
  ASSERT_OK(text);
  const std::string got = RemoveSpaces(text->text);
  EXPECT_NE(got.find("声明新的假文"), std::string::npos) << got;
  EXPECT_NE(got.find("假文名称区分大小写"), std::string::npos) << got;
  EXPECT_NE(got.find("段落列表以英文逗号分隔"), std::string::npos) << got;
}

TEST_F(PpocrEngineTest, ALineAcrossTileSeamsIsReadOnce) {
  // 150 DPI detection of a letter page is 1275 px wide: 512 px tiles put two seams
  // through this line.
  testing::WriteTestPdf(dir_.path() + "/seam.pdf",
                        {{.lines = {"The quick brown fox jumps over the lazy dog"}, .font_pt = 20}});
  PpocrOptions options;
  options.det_tile_px = 512;
  StatusOr<PageText> text = Read(dir_.path() + "/seam.pdf", options);
  ASSERT_OK(text);
  ASSERT_EQ(text->lines.size(), 1u) << text->text;
  EXPECT_EQ(Count(text->text, "quick"), 1u) << text->text;
  EXPECT_EQ(Count(text->text, "lazy"), 1u) << text->text;
  EXPECT_EQ(Count(text->text, "fox"), 1u) << text->text;
}

TEST_F(PpocrEngineTest, AMissingModelFileIsAClearError) {
  PpocrOptions options;
  options.models_dir = ModelsWithout("ch_PP-OCRv4_det_infer.onnx");
  StatusOr<std::unique_ptr<Engine>> engine = CreatePpocrEngine(options, budget_);
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(engine.status().message().find(options.models_dir + "/ch_PP-OCRv4_det_infer.onnx"), std::string::npos)
      << engine.status().message();

  options.models_dir = dir_.path() + "/nowhere";
  engine = CreatePpocrEngine(options, budget_);
  ASSERT_FALSE(engine.ok());
  EXPECT_NE(engine.status().message().find("missing"), std::string::npos) << engine.status().message();
}

TEST_F(PpocrEngineTest, AModelFileThatIsNotOnnxIsAClearErrorAtCreation) {
  PpocrOptions options;
  options.models_dir = ModelsWithout("ch_PP-OCRv4_rec_infer.onnx");
  testing::WriteFile(options.models_dir + "/ch_PP-OCRv4_rec_infer.onnx", "<html>404 Not Found</html>");
  StatusOr<std::unique_ptr<Engine>> engine = CreatePpocrEngine(options, budget_);
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(engine.status().message().find("ch_PP-OCRv4_rec_infer.onnx"), std::string::npos);
  EXPECT_NE(engine.status().message().find("not an ONNX model"), std::string::npos);
}

TEST_F(PpocrEngineTest, ATruncatedModelFailsTheFirstPageNamingTheFile) {
  // Starts like an ONNX file, so only loading it can tell.
  PpocrOptions options;
  options.models_dir = ModelsWithout("ch_PP-OCRv4_det_infer.onnx");
  testing::WriteFile(options.models_dir + "/ch_PP-OCRv4_det_infer.onnx",
                     testing::ReadFile(std::string(PAGEFLOW_PPOCR_MODELS_DIR) + "/ch_PP-OCRv4_det_infer.onnx").substr(0, 4096));
  testing::WriteTestPdf(dir_.path() + "/a.pdf", {{.lines = {"Hello"}}});
  StatusOr<PageText> text = Read(dir_.path() + "/a.pdf", options);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(text.status().message().find("ch_PP-OCRv4_det_infer.onnx"), std::string::npos)
      << text.status().message();
  EXPECT_EQ(budget_.Stats().fixed_bytes, 0);  // nothing charged for a model that did not load
  EXPECT_EQ(budget_.Stats().reserved_bytes, 0);
}

TEST_F(PpocrEngineTest, IdleModelsAreUnloadedAndReloadedByTheNextPage) {
  testing::WriteTestPdf(dir_.path() + "/a.pdf", {{.lines = {"Hello world"}, .font_pt = 28}});
  StatusOr<std::unique_ptr<Document>> doc = OpenDocument(dir_.path() + "/a.pdf");
  ASSERT_OK(doc);
  PpocrOptions options;
  options.idle_unload_ms = 50;
  StatusOr<std::unique_ptr<Engine>> engine = CreatePpocrEngine(options, budget_);
  ASSERT_OK(engine);
  DocumentPageAccess page(doc->get(), 0, RenderOptions{}, &budget_, "page 1 of a.pdf");
  ASSERT_OK((*engine)->Recognize(page));
  // Waits (up to a generous bound, not a timing assertion) for the reaper.
  for (int i = 0; i < 600 && budget_.Stats().fixed_bytes > 0; ++i) usleep(50 * 1000);
  EXPECT_EQ(budget_.Stats().fixed_bytes, 0);
  StatusOr<PageText> again = (*engine)->Recognize(page);
  ASSERT_OK(again);
  EXPECT_NE(again->text.find("Hello"), std::string::npos) << again->text;
}

TEST_F(PpocrEngineTest, AutoCanUsePpocrForPagesWithoutText) {
  testing::WriteTestImage(dir_.path() + "/scan.png", 800, 600);
  StatusOr<std::unique_ptr<Document>> doc = OpenDocument(dir_.path() + "/scan.png");
  ASSERT_OK(doc);
  EngineOptions options;
  options.kind = "auto";
  options.auto_ocr = "ppocr";
  StatusOr<std::unique_ptr<Engine>> engine = CreateEngine(options, budget_);
  ASSERT_OK(engine);
  DocumentPageAccess page(doc->get(), 0, RenderOptions{}, &budget_, "page 1 of scan.png");
  StatusOr<PageText> text = (*engine)->Recognize(page);
  ASSERT_OK(text);
  EXPECT_EQ(text->engine, "ppocr");
}

}  // namespace
}  // namespace pageflow
