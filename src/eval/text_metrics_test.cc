#include "eval/text_metrics.h"

#include <gtest/gtest.h>

namespace pageflow {
namespace {

TEST(TextMetricsTest, HandComputedCerWerAndF1) {
  // GT "Hello wurld!" (12 chars, 2 words) vs "Hello  world\n": whitespace collapses;
  // u->o and a deleted "!" are 2 edits; 1 of 2 words differs; 1 word in common.
  TextScore s = ScoreText("Hello wurld!", "Hello  world\n", false);
  EXPECT_EQ(s.char_errors, 2);
  EXPECT_EQ(s.gt_chars, 12);
  EXPECT_NEAR(s.Cer(), 2.0 / 12, 1e-9);
  EXPECT_NEAR(s.Wer(), 0.5, 1e-9);
  EXPECT_NEAR(s.BagOfWordsF1(), 0.5, 1e-9);
}

TEST(TextMetricsTest, NfcAndCjkWhitespace) {
  // "é" precomposed vs e + combining acute are equal after NFC.
  EXPECT_EQ(ScoreText("caf\xC3\xA9", "cafe\xCC\x81", false).char_errors, 0);
  // Chinese is scored without whitespace: spacing differences cost nothing.
  TextScore zh = ScoreText("中文 文档", "中 文文档", true);
  EXPECT_EQ(zh.char_errors, 0);
  EXPECT_EQ(zh.gt_chars, 4);
}

TEST(TextMetricsTest, BagOfWordsIgnoresOrderButNotCase) {
  TextScore s = ScoreText("total 12.00 cash", "cash Total 12.00", false);
  EXPECT_EQ(s.bow_matched, 2);
  EXPECT_NEAR(s.BagOfWordsF1(), 2.0 / 3, 1e-9);
  TextScore sum = s;
  sum += ScoreText("a", "a", false);
  EXPECT_EQ(sum.gt_words, 4);
}

}  // namespace
}  // namespace pageflow
