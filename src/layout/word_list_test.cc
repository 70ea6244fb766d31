#include "layout/word_list.h"

#include <gtest/gtest.h>

#include <cstdio>
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

// Thousands of words, each found; a word listed in two cases is one word (and takes
// one place in the list).
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

// A file read 64 KiB at a time: words cut by a read, CRLF line ends, apostrophes and a
// last line without its newline are read as in a text.
TEST(WordListTest, AFileIsReadAsItsText) {
  std::string text;
  for (int i = 0; i < 20000; ++i) {
    text += "Word" + std::to_string(i) + (i % 7 == 0 ? "'s" : "") + "\r\n";
  }
  text += "last";
  const std::string path = ::testing::TempDir() + "/word_list_test_words.txt";
  std::ofstream(path, std::ios::binary) << text;
  const WordList from_file = WordList::FromFiles({"/nonexistent/words", path});
  const WordList from_text = WordList::FromText(text);
  std::remove(path.c_str());
  EXPECT_EQ(from_file.size(), 20000u - 2858u + 1u);  // 2,858 of the words have an 's
  EXPECT_EQ(from_file.size(), from_text.size());
  for (int i = 0; i < 20000; ++i) {
    ASSERT_EQ(from_file.Contains("word" + std::to_string(i)), i % 7 != 0) << i;
  }
  EXPECT_TRUE(from_file.Contains("LAST"));
  EXPECT_FALSE(from_file.Contains("word7's"));
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
