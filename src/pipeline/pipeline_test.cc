#include "pipeline/pipeline.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "testing/test_util.h"

namespace pageflow {
namespace {

constexpr int64_t kMiB = 1ll << 20;

RunOptions TextLayerRun(const std::string& input, const std::string& out) {
  RunOptions o;
  o.inputs = {input};
  o.out_dir = out;
  o.engine.kind = "text-layer";
  o.workers = 2;
  o.progress = false;
  return o;
}

TEST(PipelineHostTest, RunsWithTheSameEngineSettingsShareTheEngines) {
  testing::TempDir dir;
  testing::WriteTestPdf(dir.path() + "/a.pdf", {{.lines = {"first document"}}});
  testing::WriteTestPdf(dir.path() + "/b.pdf", {{.lines = {"second document"}}});
  PipelineHost host(300 * kMiB);
  const std::atomic<bool> stop{false};

  StatusOr<RunSummary> first = RunPipeline(TextLayerRun(dir.path() + "/a.pdf", dir.path() + "/out"), &stop, &host);
  ASSERT_OK(first);
  EXPECT_EQ(first->documents, 1);
  StatusOr<const FixedCosts*> loaded = host.Prepare(TextLayerRun("", ""), &stop);
  ASSERT_OK(loaded);
  ASSERT_EQ((*loaded)->engines.size(), 2u);
  const Engine* engine = (*loaded)->engines[0].get();
  const int64_t fixed = host.budget().Stats().fixed_bytes;

  StatusOr<RunSummary> second = RunPipeline(TextLayerRun(dir.path() + "/b.pdf", dir.path() + "/out"), &stop, &host);
  ASSERT_OK(second);
  EXPECT_EQ(second->documents, 1);
  loaded = host.Prepare(TextLayerRun("", ""), &stop);
  ASSERT_OK(loaded);
  EXPECT_EQ((*loaded)->engines[0].get(), engine);
  EXPECT_EQ(host.loads(), 1);  // not loaded again
  EXPECT_EQ(host.budget().Stats().fixed_bytes, fixed);
  EXPECT_EQ(host.budget().Stats().reserved_bytes, fixed);  // the runs returned every page
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/out/results"));
}

TEST(PipelineHostTest, OtherEngineSettingsReplaceTheEnginesAndTheirCharges) {
  PipelineHost host(300 * kMiB);
  const std::atomic<bool> stop{false};
  RunOptions two = TextLayerRun("", "");
  ASSERT_OK(host.Prepare(two, &stop));
  const int64_t fixed_two = host.budget().Stats().fixed_bytes;
  RunOptions one = two;
  one.workers = 1;
  StatusOr<const FixedCosts*> loaded = host.Prepare(one, &stop);
  ASSERT_OK(loaded);
  EXPECT_EQ((*loaded)->engines.size(), 1u);
  EXPECT_EQ(host.loads(), 2);
  // The PDF store is charged once, not once per Prepare.
  EXPECT_EQ(host.budget().Stats().fixed_bytes, fixed_two);
  EXPECT_EQ(host.budget().Stats().fixed_bytes, one.pdf_store_bytes);
}

}  // namespace
}  // namespace pageflow
