#include "engine/tesseract/tesseract_engine.h"

#include <gtest/gtest.h>

#include "engine/engine_factory.h"
#include "pipeline/page_access.h"
#include "testing/test_util.h"

namespace pageflow {
namespace {

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::WriteTestPdf(dir_.path() + "/a.pdf",
                          {{.lines = {"The quick brown fox", "jumps over the lazy dog"}, .font_pt = 28}});
    StatusOr<std::unique_ptr<Document>> doc = OpenDocument(dir_.path() + "/a.pdf");
    ASSERT_TRUE(doc.ok());
    doc_ = std::move(*doc);
  }
  testing::TempDir dir_;
  std::unique_ptr<Document> doc_;
  MemoryBudget budget_{1ll << 30};
};

// Counts what an engine asks of a page, passing each call through.
class CountingPageAccess final : public PageAccess {
 public:
  explicit CountingPageAccess(PageAccess* page) : page_(page) {}
  StatusOr<TextLayerPage> TextLayer() override {
    ++text_layers;
    return page_->TextLayer();
  }
  StatusOr<Raster> Render(const WorkingBytesFn& working_bytes) override {
    ++renders;
    return page_->Render(working_bytes);
  }
  StatusOr<Raster> Render(const RenderRequest& request) override {
    ++renders;
    return page_->Render(request);
  }
  std::string Label() const override { return page_->Label(); }
  int text_layers = 0;
  int renders = 0;

 private:
  PageAccess* page_;
};

EngineOptions Options(const std::string& kind, const std::string& lang) {
  EngineOptions o;
  o.kind = kind;
  o.lang = lang;
  return o;
}

TEST_F(EngineTest, TesseractReadsRenderedTextWithBoxesAndConfidence) {
  StatusOr<std::unique_ptr<Engine>> engine = CreateEngine(Options("tesseract", "eng"), budget_);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  EXPECT_GT(budget_.Stats().fixed_bytes, 0);  // models charged at load
  DocumentPageAccess page(doc_.get(), 0, RenderOptions{}, &budget_, "page 1 of a.pdf");
  StatusOr<PageText> text = (*engine)->Recognize(page);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(text->engine, "tesseract");
  EXPECT_NE(text->text.find("quick brown fox"), std::string::npos) << text->text;
  ASSERT_EQ(text->lines.size(), 2u);
  EXPECT_GT(text->lines[0].confidence, 0.8f);
  EXPECT_LT(text->lines[0].box.y1, text->lines[1].box.y0);  // top to bottom, pixel boxes
  EXPECT_GT(budget_.Stats().peak_reserved_bytes, 2550 * 3300);  // raster + working set
  EXPECT_EQ(budget_.Stats().reserved_bytes, budget_.Stats().fixed_bytes);  // page memory returned
}

TEST_F(EngineTest, AutoUsesAGoodTextLayerWithoutRendering) {
  StatusOr<std::unique_ptr<Engine>> engine = CreateEngine(Options("auto", "eng"), budget_);
  ASSERT_TRUE(engine.ok());
  DocumentPageAccess document_page(doc_.get(), 0, RenderOptions{}, &budget_,
                                   "page 1 of a.pdf");
  CountingPageAccess page(&document_page);
  StatusOr<PageText> text = (*engine)->Recognize(page);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->engine, "text-layer");
  EXPECT_EQ(text->text, "The quick brown fox\njumps over the lazy dog");
  // The text layer was read and the page never rendered. (Comparing the budget's peak
  // with the text layer's reservation tells nothing: MuPDF's allowance is clamped to
  // the same 32-64 MiB whether the page is rendered or not.)
  EXPECT_EQ(page.text_layers, 1);
  EXPECT_EQ(page.renders, 0);
}

TEST_F(EngineTest, MissingLanguageDataIsAClearError) {
  StatusOr<std::unique_ptr<Engine>> engine = CreateEngine(Options("tesseract", "xyz"), budget_);
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(engine.status().message().find("'xyz'"), std::string::npos);
}

TEST_F(EngineTest, EngineFixedCostThatDoesNotFitIsRefused) {
  MemoryBudget tiny(8 << 20);
  StatusOr<std::unique_ptr<Engine>> engine = CreateEngine(Options("tesseract", "eng"), tiny);
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(engine.status().message().find("--memory-limit must be at least"), std::string::npos);
}

}  // namespace
}  // namespace pageflow
