#include "server/job_settings.h"

#include <gtest/gtest.h>

#include <map>

namespace pageflow {
namespace {

StatusOr<JobSettings> Parse(std::map<std::string, std::string> q) {
  JobSettings defaults;
  defaults.engine.kind = "auto";
  OfferedEngines offered{
      [](const std::string& k) { return k == "auto" || k == "tesseract"; },
      "auto, tesseract"};
  return ParseJobSettings(
      [&](const std::string& k) { return q.count(k) != 0 ? q.at(k) : std::string(); },
      defaults, offered);
}

TEST(JobSettingsTest, DefaultsWhenNothingIsAsked) {
  StatusOr<JobSettings> s = Parse({});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->engine.kind, "auto");
  EXPECT_EQ(s->render.dpi, 300);
}

TEST(JobSettingsTest, AnEngineThatIsNotOfferedIsRefusedNamingTheOfferedOnes) {
  StatusOr<JobSettings> s = Parse({{"engine", "vlm"}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("'vlm' is not offered"), std::string::npos);
  EXPECT_NE(s.status().message().find("auto, tesseract"), std::string::npos);
  EXPECT_EQ(Parse({{"engine", "tesseract"}})->engine.kind, "tesseract");
}

TEST(JobSettingsTest, DpiMustParseFullyAndBeInRange) {
  EXPECT_EQ(Parse({{"dpi", "150"}})->render.dpi, 150);
  for (const char* bad :
       {"300abc", "4294967596", "-300", "49", "1201", "", " 300", "3e2"}) {
    if (std::string(bad).empty()) continue;  // absent: the default
    StatusOr<JobSettings> s = Parse({{"dpi", bad}});
    EXPECT_FALSE(s.ok()) << bad;
    if (!s.ok()) {
      EXPECT_EQ(s.status().message().rfind("dpi: ", 0), 0u) << s.status().message();
    }
  }
}

TEST(JobSettingsTest, LanguagesJoinedByPlusOrByTheSpaceAPlusDecodesTo) {
  EXPECT_EQ(Parse({{"lang", "eng+deu"}})->engine.lang, "eng+deu");
  EXPECT_EQ(Parse({{"lang", "eng deu"}})->engine.lang, "eng+deu");
  EXPECT_FALSE(Parse({{"lang", "eng;rm -rf"}}).ok());
  EXPECT_FALSE(Parse({{"lang", "aa+bb+cc+dd+ee+ff"}}).ok());
}

TEST(JobSettingsTest, BoxesAreOffUnlessAskedAndMustBeZeroOrOne) {
  EXPECT_FALSE(Parse({})->boxes);
  EXPECT_TRUE(Parse({{"boxes", "1"}})->boxes);
  EXPECT_TRUE(Parse({{"boxes", "true"}})->boxes);
  EXPECT_FALSE(Parse({{"boxes", "0"}})->boxes);
  StatusOr<JobSettings> s = Parse({{"boxes", "yes"}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("boxes"), std::string::npos);
}

TEST(JobSettingsTest, PagesParseAsRunsPagesAndBadOnesAreRefusedNamingTheParameter) {
  StatusOr<JobSettings> s = Parse({{"pages", "30,16-25"}});
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_EQ(s->pages.size(), 2u);
  EXPECT_EQ(s->pages[0].first, 15);
  EXPECT_EQ(s->pages[0].last, 24);
  EXPECT_EQ(s->pages[1].first, 29);
  EXPECT_TRUE(Parse({})->pages.empty());
  for (const char* bad : {"0", "abc", "5-3", "1,x"}) {
    StatusOr<JobSettings> refused = Parse({{"pages", bad}});
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(refused.status().message().find("pages"), std::string::npos);
    EXPECT_NE(refused.status().message().find("is not a page"), std::string::npos);
  }
}

}  // namespace
}  // namespace pageflow
