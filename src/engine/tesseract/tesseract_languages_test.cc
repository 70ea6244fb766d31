#include "engine/tesseract/tesseract_languages.h"

#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace pageflow {
namespace {

TEST(TesseractLanguagesTest, ListsTheInstalledLanguagesWithoutOsd) {
  testing::TempDir dir;
  for (const char* name : {"eng", "deu", "osd", "chi_sim"}) {
    testing::WriteFile(dir.path() + "/" + name + ".traineddata", "x");
  }
  EXPECT_EQ(InstalledLanguages(dir.path()),
            (std::vector<std::string>{"chi_sim", "deu", "eng"}));
  EXPECT_TRUE(CheckLanguages("eng+deu", dir.path()).ok());
  EXPECT_TRUE(CheckLanguages("auto", dir.path()).ok());
  const Status st = CheckLanguages("eng+fra", dir.path());
  EXPECT_EQ(st.message(),
            "unknown --lang 'fra': the installed languages are chi_sim, deu, eng (in " +
                dir.path() +
                "), or auto; add one with apt-get install tesseract-ocr-fra");
}

TEST(TesseractLanguagesTest, AutoNeedsOsdData) {
  testing::TempDir dir;
  testing::WriteFile(dir.path() + "/eng.traineddata", "x");
  EXPECT_NE(
      CheckLanguages("auto", dir.path()).message().find("install tesseract-ocr-osd"),
      std::string::npos);
}

TEST(TesseractLanguagesTest, PicksAndSuggestsLanguagesForAScript) {
  const std::vector<std::string> installed = {"chi_sim", "deu", "eng", "rus"};
  EXPECT_EQ(LanguagesForScript("Latin", installed), "eng+deu");
  EXPECT_EQ(LanguagesForScript("Han", installed), "chi_sim");
  EXPECT_EQ(LanguagesForScript("Greek", installed), "");
  EXPECT_FALSE(LanguagesCoverScript("eng", "Han"));
  EXPECT_TRUE(LanguagesCoverScript("eng+chi_sim", "Han"));
  EXPECT_TRUE(LanguagesCoverScript("eng", "Fraktur-or-unknown"));
  EXPECT_EQ(SuggestLanguage("Han"), "chi_sim (package tesseract-ocr-chi-sim)");
}

}  // namespace
}  // namespace pageflow
