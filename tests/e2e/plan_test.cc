// `pageflow plan`: the budget, fixed costs and per-page reservations a run would use,
// as JSON for scripts and a table for people, with run's exit code meanings.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "testing/test_util.h"

namespace pageflow {
namespace {

using nlohmann::json;

json ParseOrFail(const testing::CommandResult& r) {
  json j = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << "stdout is not JSON:\n"
                                 << r.out << "\nstderr:\n"
                                 << r.err;
  return j;
}

TEST(PlanE2eTest, JsonFiguresAreConsistentWhenThePlanFits) {
  testing::CommandResult r =
      testing::RunPageflow({"plan", "--engine", "tesseract", "--workers", "2",
                            "--memory-limit", "1G", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  json j = ParseOrFail(r);
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["memory_limit_bytes"], 1ll << 30);
  EXPECT_EQ(j["memory_limit_source"], "--memory-limit");
  EXPECT_EQ(j["workers"], 2);
  EXPECT_EQ(j["fits"], true);
  EXPECT_EQ(j["exit_code"], 0);

  // Fixed: the store plus one measured engine per worker.
  int64_t fixed = j["fixed"]["pdf_store_bytes"];
  EXPECT_EQ(fixed, 64ll << 20);
  ASSERT_EQ(j["fixed"]["engines"].size(), 2u);
  for (const json& e : j["fixed"]["engines"]) {
    EXPECT_GE(e["bytes"].get<int64_t>(), 16ll << 20);  // Tesseract's smallest charge
    fixed += e["bytes"].get<int64_t>();
  }
  EXPECT_EQ(j["fixed"]["total_bytes"], fixed);
  EXPECT_EQ(j["page_budget_bytes"], (1ll << 30) - fixed);

  // Every worker busy with the largest typical page still fits the limit.
  const int64_t page = j["page_bytes"];
  EXPECT_EQ(j["decided_by"], "typical_pages");
  ASSERT_EQ(j["typical_pages"].size(), 2u);
  for (const json& p : j["typical_pages"]) {
    EXPECT_EQ(p["outcome"], "fits") << p.dump();
    EXPECT_LE(p["requested"]["bytes"].get<int64_t>(), page);
    EXPECT_EQ(p["planned"]["bytes"], p["requested"]["bytes"]);
    EXPECT_EQ(p["in_flight"], 2);
    // A raster is a byte per pixel, plus Tesseract's working set on top.
    EXPECT_GT(
        p["planned"]["bytes"].get<int64_t>(),
        p["planned"]["width"].get<int64_t>() * p["planned"]["height"].get<int64_t>());
  }
  EXPECT_EQ(j["typical_pages"][0]["name"], "A4");
  EXPECT_EQ(j["typical_pages"][0]["planned"]["width"], 2480);  // 210 mm at 300 DPI
  EXPECT_EQ(j["required_limit_bytes"], fixed + 2 * page);
  EXPECT_LE(2 * page + fixed, 1ll << 30);
  EXPECT_EQ(j["pages_in_flight"], 2);
}

TEST(PlanE2eTest, PageTooBigForATinyLimitIsDownscaledAndExitsOne) {
  testing::TempDir dir;
  const std::string huge = dir.path() + "/huge.pdf";
  testing::WriteTestPdf(huge, {{.lines = {"Small"}},
                               {.width_pt = 200 * 72,
                                .height_pt = 200 * 72,
                                .lines = {"Big page"},
                                .font_pt = 400}});
  testing::CommandResult r =
      testing::RunPageflow({"plan", huge, "--engine", "tesseract", "--workers", "1",
                            "--memory-limit", "300M", "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  json j = ParseOrFail(r);
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["fits"], false);
  EXPECT_EQ(j["decided_by"], "documents");
  ASSERT_EQ(j["documents"].size(), 1u);
  const json& d = j["documents"][0];
  EXPECT_EQ(d["pages"], 2);
  EXPECT_EQ(d["downscaled"], 1);
  EXPECT_EQ(d["largest_page"], 2);
  EXPECT_EQ(d["largest"]["outcome"], "downscaled");
  EXPECT_EQ(d["largest"]["requested"]["width"], 10000);  // --max-dim
  EXPECT_LT(d["largest"]["planned"]["width"].get<int>(), 10000);
  EXPECT_LE(d["largest"]["planned"]["bytes"].get<int64_t>(),
            j["page_budget_bytes"].get<int64_t>());
  EXPECT_GT(j["required_limit_bytes"].get<int64_t>(), 300ll << 20);
  ASSERT_FALSE(j["advice"].empty());

  // The table says the same to a person.
  r = testing::RunPageflow({"plan", huge, "--engine", "tesseract", "--workers", "1",
                            "--memory-limit", "300M"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("downscaled to"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Would not run as asked"), std::string::npos) << r.out;
}

TEST(PlanE2eTest, PageAnEngineCannotReadIsRefused) {
  testing::TempDir dir;
  testing::WriteTestImage(dir.path() + "/scan.png", 800, 600);
  testing::CommandResult r = testing::RunPageflow(
      {"plan", dir.path() + "/scan.png", "--engine", "text-layer", "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  json j = ParseOrFail(r);
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["documents"][0]["refused"], 1);
  EXPECT_EQ(j["documents"][0]["largest"]["outcome"], "refused");
}

TEST(PlanE2eTest, TooFewBytesForAllWorkersSuggestsFewerWorkers) {
  // Text-layer pages reserve 8 MiB each and MuPDF's allowance (64 MiB), and the engine
  // costs nothing: 64M + 2 x 72M fits 2.
  testing::CommandResult r = testing::RunPageflow(
      {"plan", "--engine", "text-layer", "--workers", "3", "--memory-limit", "209M"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("3 workers need at least 280M"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("with 209M, use --workers 2"), std::string::npos) << r.out;
}

TEST(PlanE2eTest, FixedCostsOverTheLimitExitThree) {
  testing::CommandResult r =
      testing::RunPageflow({"plan", "--engine", "text-layer", "--memory-limit", "40M"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("would not start"), std::string::npos) << r.out;
}

TEST(PlanE2eTest, BadFlagsAreUsageErrors) {
  const std::vector<std::vector<std::string>> bad = {
      {"plan", "--engine", "nope"},  {"plan", "--memory-limit", "lots"},
      {"plan", "--pdf-store", "-5"}, {"plan", "--dpi", "5"},
      {"plan", "--workers", "two"},  {"plan", "--bogus"},
  };
  for (const auto& args : bad) {
    testing::CommandResult r = testing::RunPageflow(args);
    EXPECT_EQ(r.exit_code, 2) << args[1] << " " << args[2 % args.size()] << "\n" << r.err;
  }
}

}  // namespace
}  // namespace pageflow
