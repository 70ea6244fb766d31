#include "layout/paragraphs.h"

#include <gtest/gtest.h>

#include <fstream>

#include "layout/geometry.h"
#include "layout/test_lines.h"

namespace pageflow {
namespace {

const WordList& Tiny() {
  static const WordList words = WordList::FromText("document\nexplanatory\nprocessing\n");
  return words;
}

TEST(JoinLinesTest, JoinsWithASpace) {
  EXPECT_EQ(JoinLines({"The quick", " brown fox ", "", "jumps."}, Tiny()),
            "The quick brown fox jumps.");
}

TEST(JoinLinesTest, DropsTheHyphenOfASplitWord) {
  EXPECT_EQ(JoinLines({"This docu-", "ment is long."}, Tiny()), "This document is long.");
  EXPECT_EQ(JoinLines({"the docu-", "ment."}, Tiny()), "the document.");
  EXPECT_EQ(JoinLines({"Docu-", "ment"}, Tiny()), "Document");
}

TEST(JoinLinesTest, KeepsTheHyphenOfACompound) {
  EXPECT_EQ(JoinLines({"It is self-", "explanatory."}, Tiny()),
            "It is self-explanatory.");
  EXPECT_EQ(JoinLines({"by Hewlett-", "Packard"}, Tiny()), "by Hewlett-Packard");
  // Not a hyphen after a letter: a dash, joined with a space.
  EXPECT_EQ(JoinLines({"pages 3 -", "5"}, Tiny()), "pages 3 - 5");
}

TEST(JoinLinesTest, WithoutAWordListKeepsHyphens) {
  EXPECT_EQ(JoinLines({"docu-", "ment"}, WordList()), "docu-ment");
}

TEST(JoinLinesTest, JoinsAnIdentifierBrokenAfterAnUnderscore) {
  EXPECT_EQ(JoinLines({"more information), ASN1_", "ARRAY_ERROR if wrong."}, Tiny()),
            "more information), ASN1_ARRAY_ERROR if wrong.");
  // A blank to fill in is no identifier.
  EXPECT_EQ(JoinLines({"Name: ______", "Date"}, Tiny()), "Name: ______ Date");
}

TEST(JoinLinesTest, DropsASoftHyphen) {
  EXPECT_EQ(JoinLines({"proces\xC2\xAD", "sing"}, WordList()), "processing");
}

TEST(JoinLinesTest, UsesTheSystemWordList) {
  if (WordList::Default().empty()) {
    GTEST_SKIP() << "no system word list (Debian package wamerican, scripts/setup)";
  }
  EXPECT_EQ(JoinLines({"a docu-", "ment"}, WordList::Default()), "a document");
  EXPECT_EQ(JoinLines({"self-", "explanatory"}, WordList::Default()), "self-explanatory");
  // Terms the list lacks are still joined when neither piece is a word.
  EXPECT_EQ(JoinLines({"lymphoe-", "dema and hypogona-", "dism"}, WordList::Default()),
            "lymphoedema and hypogonadism");
  EXPECT_EQ(JoinLines({"non-", "coding"}, WordList::Default()), "non-coding");
}

std::vector<LayoutLine> Normalized(std::vector<LayoutLine> lines) {
  for (LayoutLine& l : lines) NormalizeLine(&l);
  return lines;
}

TEST(ParagraphStartsTest, SplitsAtGapsAndIndents) {
  const std::vector<LayoutLine> lines = Normalized({
      TestLine("one a b c", 50, 100, 300, 112),
      TestLine("one d e f", 50, 114, 300, 126),
      TestLine("two a b c", 50, 140, 300, 152),  // gap 14 > 0.6 * 12
      TestLine("two d e f", 50, 154, 300, 166),
      TestLine("three indented", 70, 168, 300, 180),  // first-line indent
      TestLine("three d e f", 50, 182, 300, 194),
  });
  EXPECT_EQ(ParagraphStarts(lines, {}, 12), (std::vector<size_t>{0, 2, 4}));
}

TEST(ParagraphStartsTest, UnevenBoxesStayInTheParagraph) {
  // 300 dpi OCR: pitch 50, boxes 40 high, 20 for a line of x-height letters only.
  const std::vector<LayoutLine> lines = Normalized({
      TestLine("typical line with descenders", 100, 1000, 1500, 1040),
      TestLine("a line in small letters", 100, 1055, 1500, 1075),  // gap 25 to the next
      TestLine("typical line with descenders", 100, 1100, 1500, 1140),
      TestLine("typical line with descenders", 100, 1150, 1500, 1190),
      TestLine("a line with a superscript", 100, 1185, 1500, 1240),  // top raised by 15
      TestLine("typical line with descenders", 100, 1250, 1500, 1290),
      TestLine("next paragraph after space", 100, 1330, 1500, 1370),  // pitch 80
  });
  EXPECT_EQ(ParagraphStarts(lines, {}, 40), (std::vector<size_t>{0, 6}));
}

TEST(ParagraphStartsTest, FollowsHintsAndSourceIds) {
  std::vector<LayoutLine> lines = Normalized({
      TestLine("a b c", 50, 100, 300, 112),
      TestLine("d e f", 50, 114, 300, 126),
      TestLine("g h i", 50, 128, 300, 140),
      TestLine("j k l", 50, 160, 300, 172),
  });
  lines[0].paragraph_id = lines[1].paragraph_id = 1;
  lines[2].paragraph_id = lines[3].paragraph_id = 2;
  EXPECT_EQ(ParagraphStarts(lines, {}, 12), (std::vector<size_t>{0, 2, 3}));
  const std::vector<LineBreak> hints = {LineBreak::kAuto, LineBreak::kStart,
                                        LineBreak::kAuto, LineBreak::kContinue};
  EXPECT_EQ(ParagraphStarts(lines, hints, 12), (std::vector<size_t>{0, 1, 2}));
}

}  // namespace
}  // namespace pageflow
