#include "layout/word_list.h"

#include <gtest/gtest.h>

#include <fstream>

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
// is found (the sort compares up to the end of the shorter word).
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
  // One buffer and a 4-byte offset a word: the fixed cost the header states.
  EXPECT_LT(words.MemoryBytes(), 1600u * 1024);
}

}  // namespace
}  // namespace pageflow
