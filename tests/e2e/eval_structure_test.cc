// `pageflow eval` with structure checks: a tiny corpus whose document has a
// NAME.tests.jsonl beside it; the pass rates per check type are reported in the table
// and in the JSON report, for pageflow and for the pdftotext baseline.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "testing/test_util.h"

namespace pageflow {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class EvalStructureE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    corpus_ = dir_.path() + "/corpus";
    fs::create_directories(corpus_ + "/B_pdfs/docs");
    testing::WriteTestPdf(corpus_ + "/B_pdfs/docs/report.pdf",
                          {{.lines = {"The quick brown fox", "jumps over the lazy dog."}},
                           {.lines = {"Second page text"}}});
    testing::WriteFile(corpus_ + "/manifest.tsv",
                       "split\tset\tsub\tfile\tlang\tpages\tsource\n"
                       "dev\tB_pdfs\tdocs\tB_pdfs/docs/report.pdf\ten\t2\tgenerated\n");
    // Three checks that hold and two that cannot: "lazy dog" is on page 1, and there is
    // no table anywhere.
    testing::WriteFile(
        corpus_ + "/B_pdfs/docs/report.tests.jsonl",
        R"({"id":"joined","page":1,"type":"present","text":"The quick brown fox jumps over the lazy dog."})"
        "\n"
        R"({"id":"order","page":1,"type":"order","before":"brown fox","after":"lazy dog"})"
        "\n"
        R"({"id":"not-absent","page":1,"type":"absent","text":"lazy dog"})"
        "\n"
        R"({"id":"page2","page":2,"type":"present","text":"Second page text"})"
        "\n"
        R"({"id":"no-table","page":2,"type":"table","cell":"Second","right":"page"})"
        "\n");
  }

  testing::TempDir dir_;
  std::string corpus_;
};

void ExpectRates(const json& checks, const std::string& side) {
  SCOPED_TRACE(side);
  ASSERT_TRUE(checks.is_object()) << checks.dump();
  EXPECT_EQ(checks["present"]["passed"], 2);
  EXPECT_EQ(checks["present"]["total"], 2);
  EXPECT_EQ(checks["absent"]["passed"], 0);
  EXPECT_EQ(checks["absent"]["total"], 1);
  EXPECT_EQ(checks["order"]["passed"], 1);
  EXPECT_EQ(checks["table"]["passed"], 0);
  EXPECT_EQ(checks["table"]["total"], 1);
  EXPECT_EQ(checks["all"]["passed"], 3);
  EXPECT_EQ(checks["all"]["total"], 5);
  EXPECT_DOUBLE_EQ(checks["all"]["rate"].get<double>(), 0.6);
}

TEST_F(EvalStructureE2eTest, ReportsPassRatesPerCheckTypeBesideCer) {
  const std::string report = dir_.path() + "/report.json";
  testing::CommandResult r =
      testing::RunPageflow({"eval", "--corpus", corpus_, "--engine", "text-layer",
                            "--workers", "1", "--json", report});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Structure checks (pass rate, passed/total):"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("100.0%   2/2"), std::string::npos) << r.out;  // present
  EXPECT_NE(r.out.find(" 60.0%   3/5"), std::string::npos) << r.out;  // all

  const json j = json::parse(testing::ReadFile(report));
  ExpectRates(j["overall"]["checks"], "overall");
  ExpectRates(j["items"][0]["pageflow"]["checks"], "item");
  const json& failed = j["items"][0]["pageflow"]["failed_checks"];
  ASSERT_EQ(failed.size(), 2u) << failed.dump();
  EXPECT_EQ(failed[0]["id"], "not-absent");
  EXPECT_EQ(failed[0]["reason"], "found: 'lazy dog'");
  EXPECT_EQ(failed[1]["id"], "no-table");
  EXPECT_EQ(failed[1]["reason"], "no table on the page");
  ASSERT_FALSE(j["runs"].empty());
  EXPECT_EQ(j["runs"][0]["pages"], 2);  // the run's --stats figures ride along
}

TEST_F(EvalStructureE2eTest, PdftotextBaselineScoresTheSamePages) {
  if (std::system("pdftotext -v >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "pdftotext not installed (poppler-utils)";
  const std::string report = dir_.path() + "/report.json";
  testing::CommandResult r = testing::RunPageflow(
      {"eval", "--corpus", corpus_, "--engine", "text-layer", "--workers", "1",
       "--baseline", "pdftotext", "--json", report});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json j = json::parse(testing::ReadFile(report));
  EXPECT_EQ(j["baseline"], "pdftotext");
  EXPECT_EQ(j["items"][0]["baseline"]["pages"], 2);
  ExpectRates(j["overall"]["baseline"]["checks"], "pdftotext");
  EXPECT_NE(r.out.find("pdftotext"), std::string::npos) << r.out;
}

TEST_F(EvalStructureE2eTest, ADocumentThatFailsStillCountsItsChecks) {
  testing::WriteFile(corpus_ + "/B_pdfs/docs/broken.pdf", "%PDF-1.7\nnot really a PDF\n");
  testing::WriteFile(corpus_ + "/B_pdfs/docs/broken.tests.jsonl",
                     "{\"page\":1,\"type\":\"present\",\"text\":\"anything\"}\n"
                     "{\"page\":1,\"type\":\"absent\",\"text\":\"anything\"}\n");
  testing::WriteFile(corpus_ + "/manifest.tsv",
                     "split\tset\tsub\tfile\tlang\tpages\tsource\n"
                     "dev\tB_pdfs\tdocs\tB_pdfs/docs/broken.pdf\ten\t1\tgenerated\n");
  const std::string report = dir_.path() + "/report.json";
  testing::CommandResult r =
      testing::RunPageflow({"eval", "--corpus", corpus_, "--engine", "text-layer",
                            "--workers", "1", "--json", report});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json j = json::parse(testing::ReadFile(report));
  EXPECT_EQ(j["items"][0]["pageflow"]["error"], "no result (document failed; see log)");
  const json& checks = j["overall"]["checks"];
  EXPECT_EQ(checks["present"]["passed"], 0);
  EXPECT_EQ(checks["present"]["total"], 1);
  EXPECT_EQ(checks["absent"]["passed"], 1);
  EXPECT_EQ(checks["all"]["total"], 2);
}

TEST_F(EvalStructureE2eTest, AMalformedChecksFileIsAUsageErrorNamingTheLine) {
  testing::WriteFile(corpus_ + "/B_pdfs/docs/report.tests.jsonl",
                     "{\"page\":1,\"type\":\"present\",\"text\":\"ok\"}\n{\"page\":1,"
                     "\"type\":\"order\"}\n");
  testing::CommandResult r = testing::RunPageflow(
      {"eval", "--corpus", corpus_, "--engine", "text-layer", "--workers", "1"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(
                "report.tests.jsonl:2: check: an order check needs 'before' and 'after'"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace pageflow
