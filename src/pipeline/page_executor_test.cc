#include "pipeline/page_executor.h"

#include <gtest/gtest.h>

#include <vector>

#include "base/process_stats.h"
#include "testing/test_util.h"

namespace pageflow {
namespace {

constexpr int64_t kMiB = 1ll << 20;
constexpr int kBlocks = 48 * 1024;  // 48 MiB in 1 KiB blocks, under the mmap threshold

// An engine whose page leaves 48 MiB of freed heap behind, the way an OCR library's
// blobs and outlines do: small blocks, all freed but one above them, so free() alone
// cannot give them back (glibc only shrinks a heap from its top). It reads the page's
// text layer, or renders it first when `render` is set.
class FragmentingEngine final : public Engine {
 public:
  explicit FragmentingEngine(bool render) : render_(render) {}
  ~FragmentingEngine() override { delete[] pin_; }
  std::string_view name() const override { return "fragmenting"; }

  StatusOr<PageText> Recognize(PageAccess& page) override {
    PageText out;
    if (render_) {
      PF_ASSIGN_OR_RETURN(Raster raster, page.Render(*PageRenderRequest()));
      out.page_width = raster.width();
      out.page_height = raster.height();
    } else {
      PF_ASSIGN_OR_RETURN(TextLayerPage layer, page.TextLayer());
      out.lines = std::move(layer.lines);
    }
    std::vector<char*> blocks(kBlocks);
    for (char*& b : blocks) {
      b = new char[1024];
      for (int i = 0; i < 1024; i += 64) b[i] = static_cast<char>(i);  // resident
    }
    delete[] pin_;
    pin_ = new char[1024];  // above the blocks: the heap cannot shrink past it
    pin_[0] = 1;
    for (char* b : blocks) delete[] b;
    rss_after_page_ = CurrentRssBytes();
    out.engine = "fragmenting";
    out.text = "page";
    return out;
  }
  std::optional<RenderRequest> PageRenderRequest() const override {
    if (!render_) return std::nullopt;
    return RenderRequest{[](int, int) { return int64_t{0}; }, 0};
  }
  int64_t rss_after_page() const { return rss_after_page_; }

 private:
  bool render_;
  char* pin_ = nullptr;
  int64_t rss_after_page_ = 0;
};

// One page of a one-line PDF through the executor with a FragmentingEngine: the
// outcome, and the process's RSS when the engine had freed its blocks and after Run.
struct OnePage {
  PageOutcome outcome;
  int64_t rss_after_page = 0;
  int64_t rss_after_run = 0;
};

OnePage RunOnePage(bool render) {
  testing::TempDir dir;
  testing::WriteTestPdf(dir.path() + "/a.pdf", {{.lines = {"Hello"}}});
  MemoryBudget budget(1ll << 30);
  PageExecutor executor(&budget);
  FragmentingEngine engine(render);
  PageWork work;
  work.path = dir.path() + "/a.pdf";
  work.render.dpi = 50;
  work.label = "page 1 of a.pdf";
  work.layout = false;
  OnePage out;
  out.outcome = executor.Run(engine, work);
  out.rss_after_page = engine.rss_after_page();
  out.rss_after_run = CurrentRssBytes();
  return out;
}

// After an OCR page the heap its engine freed goes back to the OS: a worker's RSS stays
// at what its pages in flight use, not at the heaviest page it ever read.
TEST(PageExecutorTest, AnOcrPageGivesItsFreedHeapBack) {
  const OnePage page = RunOnePage(/*render=*/true);
  ASSERT_TRUE(page.outcome.record.error.empty()) << page.outcome.record.error;
  EXPECT_TRUE(page.outcome.heap_trimmed);
  EXPECT_GE(page.rss_after_page - page.rss_after_run, 32 * kMiB)
      << "RSS after the page " << page.rss_after_page / kMiB << " MiB, after Run "
      << page.rss_after_run / kMiB << " MiB";
}

// A text-layer page is light and quick: no trim (it would cost more than it returns).
TEST(PageExecutorTest, ATextLayerPageIsNotTrimmed) {
  const OnePage page = RunOnePage(/*render=*/false);
  ASSERT_TRUE(page.outcome.record.error.empty()) << page.outcome.record.error;
  EXPECT_FALSE(page.outcome.heap_trimmed);
  TrimHeap();  // what the engine's blocks left, for the tests after this one
}

}  // namespace
}  // namespace pageflow
