#include "layout/furniture.h"

#include <gtest/gtest.h>

#include <string>

namespace pageflow {
namespace {

TEST(FurnitureFormTest, PageNumbers) {
  for (const char* s : {"12", "Page 3", "page 3 of 10", "- 3 -", "\u2014 7 \u2014", "[4]",
                        "3 / 10", "3/10", "iv", "XII", "(ii)"}) {
    EXPECT_TRUE(IsPageNumber(s)) << s;
  }
  for (const char* s : {"Introduction", "12 Angry Men", "Table 3", "2.5", "", "page"}) {
    EXPECT_FALSE(IsPageNumber(s)) << s;
  }
}

TEST(FurnitureFormTest, MarginNotes) {
  for (const char* s : {"Downloaded from https://academic.oup.com on 1 May 2020",
                        "\u00a9 2021 Elsevier Ltd. All rights reserved.",
                        "doi:10.1000/182", "arXiv:2101.00001v2 [cs.CL] 1 Jan 2021",
                        "July 23, 1998", "2021-03-04", "12 Mar 2020", "ISSN 1234-5678"}) {
    EXPECT_TRUE(IsMarginNote(s)) << s;
  }
  for (const char* s :
       {"Introduction", "Results in May were good", "Journal of Testing"}) {
    EXPECT_FALSE(IsMarginNote(s)) << s;
  }
}

TEST(FurnitureFormTest, BandsArePositions) {
  EXPECT_EQ(BandOf({50, 20, 300, 32}, 612, 792, 0.07f), Band::kTop);
  EXPECT_EQ(BandOf({50, 750, 300, 762}, 612, 792, 0.07f), Band::kBottom);
  EXPECT_EQ(BandOf({5, 300, 30, 600}, 612, 792, 0.07f), Band::kSide);
  EXPECT_EQ(BandOf({50, 300, 300, 312}, 612, 792, 0.07f), Band::kBody);
}

TEST(FurnitureTrackerTest, NormalizesDigits) {
  EXPECT_EQ(NormalizeFurnitureText("  Page 12 of  30 "), "page # of #");
  EXPECT_EQ(NormalizeFurnitureText(std::string(200, 'x')).size(),
            FurnitureTracker::kMaxTextBytes);
}

TEST(FurnitureTrackerTest, FindsLinesRepeatedAtTheSamePlace) {
  FurnitureTracker tracker;
  const Box top = {100, 30, 400, 42};
  EXPECT_FALSE(tracker.Observe(0, "Journal of Testing 12 (2026) 1-9", top, 792));
  EXPECT_FALSE(tracker.Observe(0, "A Title on page one", {100, 60, 400, 72}, 792));
  // Same text, other digits, a few points lower: repeats.
  EXPECT_TRUE(
      tracker.Observe(1, "Journal of Testing 12 (2026) 2-9", {100, 33, 400, 45}, 792));
  // Same text, another place: not a running header.
  EXPECT_FALSE(
      tracker.Observe(2, "Journal of Testing 12 (2026) 3-9", {100, 700, 400, 712}, 792));
  // Twice on one page is not repetition across pages.
  EXPECT_FALSE(tracker.Observe(3, "Section name", top, 792));
  EXPECT_FALSE(tracker.Observe(3, "Section name", top, 792));
}

TEST(FurnitureTrackerTest, StaysBoundedAndKeepsWhatRepeats) {
  FurnitureTracker tracker;
  const Box top = {100, 30, 400, 42};
  const Box bottom = {100, 750, 400, 762};
  for (int page = 0; page < 5000; ++page) {
    tracker.Observe(page, "Running head", top, 792);
    for (int k = 0; k < 10; ++k) {
      tracker.Observe(page,
                      "unique line " + std::string(1, char('a' + k)) +
                          std::string(size_t(page % 26 + 1), char('a' + page % 26)),
                      bottom, 792);
    }
  }
  EXPECT_LE(tracker.size(), FurnitureTracker::kMaxEntries);
  EXPECT_LE(tracker.MemoryBytes(),
            sizeof(FurnitureTracker) + FurnitureTracker::kMaxEntries * 56);
  EXPECT_TRUE(tracker.Observe(5000, "Running head", top, 792));
}

}  // namespace
}  // namespace pageflow
