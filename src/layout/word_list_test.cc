#include "layout/word_list.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

namespace pageflow {
namespace {

TEST(WordListTest, FindsWordsCaseInsensitively) {
  const WordList words = WordList::FromText("document\nMemory\nzebra\r\nplayer's\n");
  EXPECT_EQ(words.size(), 3u);
  EXPECT_TRUE(words.Contains("document"));
  EXPECT_TRUE(words.Contains("Document"));
  EXPECT_TRUE(words.Contains("memory"));
  EXPECT_TRUE(words.Contains("zebra"));
  EXPECT_FALSE(words.Contains("player's"));
  EXPECT_FALSE(words.Contains("docu"));
  EXPECT_FALSE(words.Contains(""));
  EXPECT_GT(words.MemoryBytes(), 0u);
}

// Words that are prefixes of one another, unsorted, and a list already in order: each
// is found, and nothing else (a prefix or an extension of a word is not the word).
TEST(WordListTest, PrefixesAndSortedListsAreFound) {
  for (const char* text : {"abc\nb\nab\na\nzz\naa\n", "a\naa\nab\nabc\nb\nzz\n"}) {
    const WordList words = WordList::FromText(text);
    ASSERT_EQ(words.size(), 6u) << text;
    for (const char* w : {"a", "aa", "ab", "abc", "b", "zz"}) {
      EXPECT_TRUE(words.Contains(w)) << w << " in " << text;
    }
    EXPECT_FALSE(words.Contains("abcd"));
    EXPECT_FALSE(words.Contains("c"));
  }
}

// Thousands of words (the table grows several times), each found after growing; a word
// listed in two cases is one word.
TEST(WordListTest, ManyWordsAreAllFoundAndCaseDuplicatesCountOnce) {
  std::string text = "Alpha\nalpha\nALPHA\n";
  for (int i = 0; i < 5000; ++i) text += "w" + std::to_string(i) + "x\n";
  const WordList words = WordList::FromText(text);
  EXPECT_EQ(words.size(), 5001u);
  EXPECT_TRUE(words.Contains("alpha"));
  for (int i = 0; i < 5000; ++i) {
    ASSERT_TRUE(words.Contains("W" + std::to_string(i) + "X")) << i;
  }
  EXPECT_FALSE(words.Contains("w5000x"));
  EXPECT_FALSE(words.Contains("w1"));
  EXPECT_FALSE(words.Contains("w1x\n"));
}

TEST(WordListTest, MissingFilesGiveAnEmptyList) {
  const WordList words = WordList::FromFiles({"/nonexistent/words"});
  EXPECT_TRUE(words.empty());
  EXPECT_FALSE(words.Contains("document"));
}

TEST(WordListTest, DefaultLoadsTheSystemList) {
  if (!std::ifstream("/usr/share/dict/words")) {
    GTEST_SKIP() << "no /usr/share/dict/words (Debian package wamerican, scripts/setup)";
  }
  const WordList& words = WordList::Default();
  EXPECT_EQ(&words, &WordList::Default());  // loaded once
  EXPECT_GT(words.size(), 50000u);
  EXPECT_TRUE(words.Contains("document"));
  EXPECT_FALSE(words.Contains("selfexplanatory"));
  // One buffer and a table of 4-byte offsets: the fixed cost the header states.
  EXPECT_LT(words.MemoryBytes(), 1600u * 1024);
}

}  // namespace
}  // namespace pageflow
