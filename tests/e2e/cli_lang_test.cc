// Languages on the command line (issue 17 item 5): an unknown --lang lists the installed
// ones; --lang auto reads each page with the languages of its script; without it, a
// page in a script --lang does not read gets a note naming the language to add.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "testing/test_util.h"

namespace pageflow {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json OnlyRecord(const std::string& out) {
  for (auto& e : fs::directory_iterator(out + "/results")) {
    return json::parse(testing::ReadFile(e.path().string()));
  }
  return json();
}

// A line of Chinese text (PP-OCR's test image): Han script for Tesseract's OSD.
std::string ChineseLine() {
  return testing::SourceDir() + "/src/engine/ppocr/testdata/zh_line.png";
}

bool Installed(const std::string& lang) {
  return fs::exists("/usr/share/tesseract-ocr/5/tessdata/" + lang + ".traineddata");
}

TEST(CliLangTest, AnUnknownLangListsTheInstalledLanguages) {
  testing::TempDir dir;
  testing::CommandResult r = testing::RunPageflow(
      {"run", ChineseLine(), "--out", dir.path() + "/out", "--lang", "eng+xyz"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("unknown --lang 'xyz': the installed languages are "),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("eng"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("apt-get install tesseract-ocr-xyz"), std::string::npos) << r.err;
  // Not Tesseract's own advice.
  EXPECT_EQ(r.err.find("TESSDATA_PREFIX"), std::string::npos) << r.err;
}

TEST(CliLangTest, ALowConfidencePageInAnUncoveredScriptGetsANote) {
  if (!Installed("osd")) GTEST_SKIP() << "tesseract-ocr-osd is not installed";
  testing::TempDir dir;
  const std::string out = dir.path() + "/out";
  testing::CommandResult r =
      testing::RunPageflow({"run", ChineseLine(), "--out", out, "--engine", "tesseract",
                            "--lang", "eng", "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string notes = OnlyRecord(out)["metadata"]["page_notes"].dump();
  EXPECT_NE(
      notes.find("looks like Han script, which --lang eng does not read; add chi_sim "
                 "(package tesseract-ocr-chi-sim)"),
      std::string::npos)
      << notes;
}

TEST(CliLangTest, AutoReadsEachPageWithTheLanguagesOfItsScript) {
  if (!Installed("osd") || !Installed("chi_sim")) {
    GTEST_SKIP() << "needs tesseract-ocr-osd and tesseract-ocr-chi-sim";
  }
  testing::TempDir dir;
  const std::string in = dir.path() + "/in";
  fs::create_directories(in);
  fs::copy_file(ChineseLine(), in + "/zh.png");
  fs::copy_file(testing::SourceDir() + "/samples/phototest.tif", in + "/en.tif");
  const std::string out = dir.path() + "/out";
  testing::CommandResult r =
      testing::RunPageflow({"run", in, "--out", out, "--engine", "tesseract", "--lang",
                            "auto", "--workers", "1", "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int checked = 0;
  for (auto& e : fs::directory_iterator(out + "/results")) {
    const json j = json::parse(testing::ReadFile(e.path().string()));
    const std::string text = j["text"].get<std::string>();
    if (j["metadata"]["source_file"].get<std::string>().find("zh.png") !=
        std::string::npos) {
      // Han characters (3-byte UTF-8 sequences starting 0xE4..0xE9), not Latin guesses.
      int han = 0;
      for (unsigned char c : text) han += (c >= 0xE4 && c <= 0xE9) ? 1 : 0;
      EXPECT_GE(han, 5) << text;
    } else {
      EXPECT_NE(text.find("quick brown dog"), std::string::npos) << text;
    }
    EXPECT_EQ(j["metadata"]["page_notes"].dump().find("low OCR confidence"),
              std::string::npos);
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

}  // namespace
}  // namespace pageflow
