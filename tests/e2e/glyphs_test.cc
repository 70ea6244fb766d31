// End-to-end: glyphs MuPDF leaves as U+FFFD are named from the font's glyph names, on a
// real article of the development corpus (../shared/corpus beside the repository, as CI
// has it; skipped where it is not).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "testing/test_util.h"

namespace pageflow {
namespace {

namespace fs = std::filesystem;

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

// A journal article whose Greek letter is "betatwo" in its Greek font (the font's
// ToUnicode map covers only "mu") and whose "+", "x" and prime are numbered glyphs of
// Mathematical Pi: pdftotext reads "beta-oxidation", MuPDF alone gives U+FFFD.
TEST(GlyphsTest, UnmappedGlyphsOfARealArticleAreNamedFromTheFont) {
  std::string pdf;
  for (const char* up :
       {"/..", "/../.."}) {  // a clone, or a worktree under the clone's parent
    const std::string p =
        testing::SourceDir() + up +
        "/shared/corpus/B_pdfs/docs/repeating_references_on_pg9_pg10.pdf";
    if (pdf.empty() && fs::exists(p)) pdf = p;
  }
  if (pdf.empty())
    GTEST_SKIP() << "no development corpus beside " << testing::SourceDir();
  testing::TempDir dir;
  const std::string out = dir.path() + "/out";
  testing::CommandResult r =
      testing::RunPageflow({"run", pdf, "--engine", "text-layer", "--layout", "none",
                            "--out", out, "--format", "txt", "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string txt =
      testing::ReadFile(out + "/txt/repeating_references_on_pg9_pg10.txt");
  EXPECT_EQ(Count(txt, "\xEF\xBF\xBD"), 0) << txt;
  EXPECT_GE(Count(txt, "\xCE\xB2-oxidation"), 3) << txt;  // β-oxidation
  EXPECT_NE(txt.find("Tel. +81-86-251-8301"), std::string::npos) << txt;
  EXPECT_NE(txt.find("1 \xC3\x97 105 spores"), std::string::npos) << txt;  // 1 × 10^5
  EXPECT_NE(txt.find("(5\xE2\x80\xB2\xE2\x80\x93"
                     "3\xE2\x80\xB2)"),
            std::string::npos)
      << txt;  // (5′–3′)
}

}  // namespace
}  // namespace pageflow
