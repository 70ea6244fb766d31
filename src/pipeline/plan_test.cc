#include "pipeline/plan.h"

#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>

#include "engine/tesseract/tesseract_engine.h"
#include "input/document.h"
#include "pipeline/page_access.h"
#include "raster/render_plan.h"
#include "testing/test_util.h"

namespace pageflow {
namespace {

constexpr int64_t kMiB = 1ll << 20;
// A PDF page's text layer is reserved with MuPDF's allowance (64 MiB when there is room).
constexpr int64_t kTextLayerPage = kTextLayerBytes + kMaxPdfLibraryBytes;

RunOptions Options(const std::string& engine, int workers, int64_t limit) {
  RunOptions o;
  o.engine.kind = engine;
  o.workers = workers;
  o.memory_limit_bytes = limit;
  return o;
}

// What the run's planner asks for an A4 page with Tesseract, the limit no object.
RenderPlan TesseractA4(const RenderOptions& render) {
  StatusOr<RenderPlan> p =
      PlanRender(PageGeometry{595.276, 841.89}, render, TesseractWorkingBytes,
                 std::numeric_limits<int64_t>::max());
  EXPECT_OK(p);
  return *p;
}

TEST(PlanTest, TextLayerEngineCostsTheStoreAndReservesTheTextLayerPerPage) {
  StatusOr<MemoryPlan> plan = PlanMemory(Options("text-layer", 2, 256 * kMiB));
  ASSERT_OK(plan);
  EXPECT_EQ(plan->limit_bytes, 256 * kMiB);
  EXPECT_TRUE(plan->limit_from_flag);
  EXPECT_EQ(plan->pdf_store_bytes, 64 * kMiB);
  ASSERT_EQ(plan->engines.size(), 2u);
  EXPECT_EQ(plan->fixed_bytes, 64 * kMiB);
  ASSERT_EQ(plan->typical_pages.size(), 2u);
  for (const PagePlan& p : plan->typical_pages) {
    EXPECT_FALSE(p.renders) << p.name;
    EXPECT_EQ(p.reserved_bytes, kTextLayerPage) << p.name;
    EXPECT_EQ(p.outcome, PageOutcome::kFits) << p.name;
    EXPECT_EQ(p.in_flight, 2) << p.name;
  }
  EXPECT_TRUE(plan->fits);
  EXPECT_EQ(plan->required_limit_bytes, 64 * kMiB + 2 * kTextLayerPage);
  EXPECT_EQ(plan->ExitCode(), 0);
  EXPECT_TRUE(plan->advice.empty());
}

TEST(PlanTest, DefaultLimitIsHalfOfTheSmallerOfRamAndCgroup) {
  StatusOr<MemoryPlan> plan = PlanMemory(Options("text-layer", 1, 0));
  ASSERT_OK(plan);
  EXPECT_FALSE(plan->limit_from_flag);
  int64_t base = plan->ram_bytes;
  if (plan->cgroup_limit_bytes > 0) base = std::min(base, plan->cgroup_limit_bytes);
  EXPECT_EQ(plan->limit_bytes, base / 2);
}

TEST(PlanTest, TooLittleForAllWorkersSuggestsFewer) {
  // Text-layer pages reserve a known 72 MiB and the engine costs nothing: room for 2
  // of 4.
  const int64_t limit = 64 * kMiB + 2 * kTextLayerPage + kMiB;
  StatusOr<MemoryPlan> plan = PlanMemory(Options("text-layer", 4, limit));
  ASSERT_OK(plan);
  EXPECT_FALSE(plan->fits);
  EXPECT_TRUE(plan->fixed_fit);
  EXPECT_EQ(plan->pages_in_flight, 2);
  EXPECT_EQ(plan->suggested_workers, 2);
  EXPECT_EQ(plan->required_limit_bytes, 64 * kMiB + 4 * kTextLayerPage);
  EXPECT_EQ(plan->ExitCode(), 1);
  ASSERT_FALSE(plan->advice.empty());
  EXPECT_NE(plan->advice[0].find("4 workers need at least 352M"), std::string::npos)
      << plan->advice[0];
  EXPECT_NE(plan->advice[0].find("use --workers 2"), std::string::npos)
      << plan->advice[0];
}

TEST(PlanTest, PageThatCannotGetItsTextLayerIsRefused) {
  StatusOr<MemoryPlan> plan = PlanMemory(Options("text-layer", 1, 64 * kMiB + 4 * kMiB));
  ASSERT_OK(plan);
  EXPECT_EQ(plan->typical_pages[0].outcome, PageOutcome::kRefused);
  EXPECT_EQ(plan->typical_pages[0].in_flight, 0);
  // The text layer and the smallest allowance MuPDF gets: 8 + 32 MiB.
  EXPECT_NE(plan->typical_pages[0].note.find("needs 40M"), std::string::npos)
      << plan->typical_pages[0].note;
  EXPECT_EQ(plan->ExitCode(), 1);
}

TEST(PlanTest, FixedCostsOverTheLimitAreFatal) {
  StatusOr<MemoryPlan> plan = PlanMemory(Options("text-layer", 1, 32 * kMiB));
  ASSERT_OK(plan);
  EXPECT_FALSE(plan->fixed_fit);
  EXPECT_FALSE(plan->fits);
  EXPECT_EQ(plan->ExitCode(), 3);
  ASSERT_FALSE(plan->advice.empty());
  EXPECT_NE(plan->advice[0].find("--memory-limit 136M"), std::string::npos)
      << plan->advice[0];
}

TEST(PlanTest, TesseractPagesArePlannedWithItsWorkingSet) {
  RunOptions o = Options("tesseract", 2, 2048 * kMiB);
  StatusOr<MemoryPlan> plan = PlanMemory(o);
  ASSERT_OK(plan);
  ASSERT_EQ(plan->engines.size(), 2u);
  int64_t engines = 0;
  for (const EngineCost& e : plan->engines) {
    EXPECT_GE(e.load_bytes, 16 * kMiB);  // Tesseract charges at least this per instance
    engines += e.bytes();
  }
  EXPECT_EQ(plan->fixed_bytes, plan->pdf_store_bytes + engines);

  const RenderPlan want = TesseractA4(o.render);
  const PagePlan& a4 = plan->typical_pages[0];
  EXPECT_EQ(a4.name, "A4");
  EXPECT_TRUE(a4.renders);
  EXPECT_EQ(a4.requested_width, want.width);
  EXPECT_EQ(a4.requested_height, want.height);
  EXPECT_EQ(a4.requested_bytes, want.total_bytes + kMaxPdfLibraryBytes);
  EXPECT_EQ(a4.reserved_bytes, want.total_bytes + kMaxPdfLibraryBytes);
  EXPECT_EQ(a4.outcome, PageOutcome::kFits);
  EXPECT_EQ(a4.in_flight, 2);

  ASSERT_TRUE(plan->fits);
  EXPECT_EQ(plan->ExitCode(), 0);
  EXPECT_LE(plan->page_bytes * plan->workers + plan->fixed_bytes, plan->limit_bytes);
  EXPECT_EQ(plan->pages_in_flight, 2);
  EXPECT_EQ(plan->suggested_workers, 2);
}

TEST(PlanTest, PageTooBigForTheBudgetIsDownscaledWithinIt) {
  RunOptions o = Options("tesseract", 1, 150 * kMiB);
  o.render.dpi = 600;
  StatusOr<MemoryPlan> plan = PlanMemory(o);
  ASSERT_OK(plan);
  ASSERT_TRUE(plan->fixed_fit) << plan->ToText();
  const PagePlan& a4 = plan->typical_pages[0];
  EXPECT_EQ(a4.requested_bytes, TesseractA4(o.render).total_bytes + kMaxPdfLibraryBytes);
  EXPECT_EQ(a4.outcome, PageOutcome::kDownscaled) << plan->ToText();
  EXPECT_LT(a4.width, a4.requested_width);
  EXPECT_LE(a4.reserved_bytes, plan->page_budget_bytes());
  EXPECT_EQ(a4.in_flight, 1);
  EXPECT_FALSE(plan->fits);
  EXPECT_EQ(plan->ExitCode(), 1);
  EXPECT_EQ(plan->suggested_workers, 0);
}

TEST(PlanTest, DocumentsAreSizedByTheirLargestPage) {
  testing::TempDir dir;
  testing::WriteTestPdf(
      dir.path() + "/two.pdf",
      {{.lines = {"small"}}, {.width_pt = 1224, .height_pt = 1584, .lines = {"big"}}});
  testing::WriteTestImage(dir.path() + "/scan.png", 1200, 1600);
  RunOptions o = Options("text-layer", 1, 1024 * kMiB);
  o.inputs = {dir.path() + "/two.pdf", dir.path() + "/scan.png",
              dir.path() + "/missing.pdf"};
  StatusOr<MemoryPlan> plan = PlanMemory(o);
  ASSERT_OK(plan);
  ASSERT_EQ(plan->documents.size(), 3u);
  const DocumentPlan& pdf = plan->documents[0];
  EXPECT_EQ(pdf.pages, 2);
  EXPECT_EQ(pdf.refused, 0);
  EXPECT_EQ(pdf.largest.outcome, PageOutcome::kFits);
  // The text-layer engine cannot read pictures: a run fails that page.
  const DocumentPlan& png = plan->documents[1];
  EXPECT_EQ(png.pages, 1);
  EXPECT_EQ(png.refused, 1);
  EXPECT_NE(png.largest.note.find("no text layer"), std::string::npos)
      << png.largest.note;
  EXPECT_FALSE(plan->documents[2].error.empty());
  EXPECT_EQ(plan->ExitCode(), 1);

  // With Tesseract the larger PDF page (tabloid) decides, and both documents fit.
  o.engine.kind = "tesseract";
  o.inputs = {dir.path() + "/two.pdf", dir.path() + "/scan.png"};
  plan = PlanMemory(o);
  ASSERT_OK(plan);
  EXPECT_EQ(plan->documents[0].largest_page, 2);
  EXPECT_EQ(plan->documents[0].largest.requested_width, 1224 * 300 / 72);
  EXPECT_EQ(plan->documents[1].largest.outcome, PageOutcome::kFits);
  EXPECT_EQ(plan->documents[1].largest.requested_width, 1200);
  EXPECT_EQ(plan->page_bytes, plan->documents[0].largest.requested_bytes);
  EXPECT_TRUE(plan->fits) << plan->ToText();
  EXPECT_EQ(plan->ExitCode(), 0);
}

// An engine like ppocr: its model is charged on the first page, not at load, and its
// working set is its own formula. The plan must see both without knowing the engine.
class LazyEngine final : public Engine {
 public:
  static constexpr int64_t kModelBytes = 5ll << 20;
  static int64_t WorkingBytes(int w, int h) { return int64_t{w} * h * 2 + (1ll << 20); }

  explicit LazyEngine(MemoryBudget& budget) : budget_(budget) {}
  std::string_view name() const override { return "lazy"; }
  std::optional<RenderRequest> PageRenderRequest() const override {
    return RenderRequest{WorkingBytes, 0};
  }
  StatusOr<PageText> Recognize(PageAccess& page) override {
    if (model_.bytes() == 0) {
      PF_ASSIGN_OR_RETURN(model_, budget_.ChargeFixed(kModelBytes, "lazy model"));
    }
    PF_ASSIGN_OR_RETURN(Raster raster, page.Render(WorkingBytes));
    return PageText{};
  }

 private:
  MemoryBudget& budget_;
  Reservation model_;
};

TEST(PlanTest, AnyEngineIsMeasuredThroughItsOwnChargesAndWorkingSet) {
  RunOptions o = Options("lazy", 2, 512 * kMiB);
  int created = 0;
  StatusOr<MemoryPlan> plan =
      PlanMemory(o,
                 [&](const EngineOptions&,
                     MemoryBudget& budget) -> StatusOr<std::unique_ptr<Engine>> {
                   ++created;
                   return std::unique_ptr<Engine>(new LazyEngine(budget));
                 });
  ASSERT_OK(plan);
  EXPECT_EQ(created, 2);
  ASSERT_EQ(plan->engines.size(), 2u);
  for (const EngineCost& e : plan->engines) {
    EXPECT_EQ(e.load_bytes, 0);
    EXPECT_EQ(e.first_page_bytes, LazyEngine::kModelBytes);
  }
  EXPECT_EQ(plan->fixed_bytes, 64 * kMiB + 2 * LazyEngine::kModelBytes);
  StatusOr<RenderPlan> want =
      PlanRender(PageGeometry{595.276, 841.89}, o.render, LazyEngine::WorkingBytes,
                 std::numeric_limits<int64_t>::max());
  ASSERT_OK(want);
  EXPECT_EQ(plan->typical_pages[0].requested_bytes,
            want->total_bytes + kMaxPdfLibraryBytes);
  EXPECT_EQ(plan->typical_pages[0].reserved_bytes,
            want->total_bytes + kMaxPdfLibraryBytes);
  EXPECT_TRUE(plan->typical_pages[0].renders);
}

TEST(PlanTest, JsonCarriesTheSameFigures) {
  StatusOr<MemoryPlan> plan = PlanMemory(Options("text-layer", 3, 300 * kMiB));
  ASSERT_OK(plan);
  const nlohmann::json j = nlohmann::json::parse(plan->ToJson());
  EXPECT_EQ(j["memory_limit_bytes"], 300 * kMiB);
  EXPECT_EQ(j["memory_limit_source"], "--memory-limit");
  EXPECT_EQ(j["fixed"]["total_bytes"], plan->fixed_bytes);
  EXPECT_EQ(j["fixed"]["engines"].size(), 3u);
  EXPECT_EQ(j["typical_pages"][0]["planned"]["bytes"], kTextLayerPage);
  EXPECT_EQ(j["pages_in_flight"], 3);
  EXPECT_EQ(j["fits"], true);
  EXPECT_EQ(j["exit_code"], 0);
}

}  // namespace
}  // namespace pageflow
