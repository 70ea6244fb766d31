#include "eval/corpus_eval.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "testing/test_util.h"

namespace pageflow {
namespace {

namespace fs = std::filesystem;

// A three-item corpus with hand-computed scores, run with the text-layer engine so the
// hypothesis is exactly the PDF's text.
TEST(CorpusEvalTest, ScoresMatchHandComputedValues) {
  testing::TempDir dir;
  const std::string c = dir.path() + "/corpus";
  fs::create_directories(c + "/B_pdfs/docs");
  fs::create_directories(c + "/B_pdfs/other");
  testing::WriteTestPdf(c + "/B_pdfs/docs/two.pdf", {{.lines = {"Hello world"}}, {.lines = {"Second page"}}});
  testing::WriteFile(c + "/B_pdfs/docs/two.gt.raw.txt", "Hello wurld!\n\fSecond page\n\f");
  testing::WriteFile(c + "/B_pdfs/docs/two.gt.txt", "ignored: the raw file is preferred");
  testing::WriteTestPdf(c + "/B_pdfs/other/exact.pdf", {{.lines = {"Exact text"}}});
  testing::WriteFile(c + "/B_pdfs/other/exact.gt.txt", "Exact   text\f");
  testing::WriteTestPdf(c + "/B_pdfs/other/smoke.pdf", {{.lines = {"No truth here"}}});
  testing::WriteFile(c + "/manifest.tsv",
                     "split\tset\tsub\tfile\tlang\tpages\tsource\n"
                     "dev\tB_pdfs\tdocs\tB_pdfs/docs/two.pdf\ten\t2\tgenerated\n"
                     "dev\tB_pdfs\tother\tB_pdfs/other/exact.pdf\ten\t1\tgenerated\n"
                     "dev\tB_pdfs\tother\tB_pdfs/other/smoke.pdf\ten\t1\tgenerated\n"
                     "dev\tB_pdfs\tother\tB_pdfs/other/missing.pdf\ten\t1\tnot on disk\n");
  EvalOptions o;
  o.corpus_dir = c;
  o.run.engine.kind = "text-layer";
  o.run.workers = 1;
  o.run.memory_limit_bytes = 512ll << 20;
  o.work_dir = dir.path() + "/work";
  StatusOr<EvalReport> r = RunEval(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->items.size(), 3u);

  const ItemResult& two = r->items[0];
  // Page 1: "Hello wurld!" vs "Hello world" = 2 edits of 12 chars, 1 of 2 words, 1 word
  // in common; page 2 exact (11 chars, 2 words). Sums: CER 2/23, WER 1/4, F1 3/4.
  EXPECT_EQ(two.pageflow.score.char_errors, 2);
  EXPECT_EQ(two.pageflow.score.gt_chars, 23);
  EXPECT_NEAR(two.pageflow.score.Cer(), 2.0 / 23, 1e-9);
  EXPECT_NEAR(two.pageflow.score.Wer(), 0.25, 1e-9);
  EXPECT_NEAR(two.pageflow.score.BagOfWordsF1(), 0.75, 1e-9);
  EXPECT_EQ(two.pageflow.pages, 2);
  EXPECT_EQ(two.pageflow.paths.at("text-layer"), 2);

  EXPECT_TRUE(r->items[1].scored);
  EXPECT_EQ(r->items[1].pageflow.score.char_errors, 0);
  EXPECT_FALSE(r->items[2].scored);

  ASSERT_EQ(r->subsets.size(), 2u);
  EXPECT_EQ(r->subsets[0].name, "B_pdfs/docs");
  EXPECT_NEAR(r->subsets[0].cer, 2.0 / 23, 1e-9);
  EXPECT_EQ(r->subsets[1].scored, 1);
  EXPECT_NEAR(r->subsets[1].cer, 0.0, 1e-9);
  EXPECT_NEAR(r->overall.cer, 1.0 / 23, 1e-9);  // mean of item CERs
  EXPECT_NE(FormatEvalTable(*r).find("B_pdfs/docs"), std::string::npos);
  EXPECT_NE(EvalReportJson(*r).find("\"bow_f1\""), std::string::npos);
}

}  // namespace
}  // namespace pageflow
