// A case-insensitive list of words, used to decide whether a hyphen at a line's end
// splits one word ("docu-" + "ment") or belongs to a compound ("self-explanatory").
//
//   const WordList& words = WordList::Default();  // loads the system list once
//   if (words.Contains("document")) ...
//   WordList tiny = WordList::FromText("document\nmemory\n");  // for tests
//
// Default() reads the first of /usr/share/dict/words, american-english, british-english
// (Debian's `wamerican`, installed by scripts/setup) on first use, once per process;
// concurrent first calls are safe (a function-local static). If none is readable it is
// empty, and callers keep hyphens. Fixed cost: about 1.2 MB for the 74,000 words of
// wamerican without an apostrophe (one buffer of the words plus a hash table of 4-byte
// offsets, 131,072 slots), held until exit. Loading reads the file twice, 64 KiB at a
// time (counting, then storing), so nothing is allocated but the list itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pageflow {

class WordList {
 public:
  WordList() = default;
  // One word per line; lines with an apostrophe or a space are skipped.
  static WordList FromText(std::string_view text);
  // The first readable of `paths`; empty if none is.
  static WordList FromFiles(const std::vector<std::string>& paths);
  static const WordList& Default();

  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }  // distinct words
  // ASCII letters compare case-insensitively; other bytes exactly.
  bool Contains(std::string_view word) const;
  size_t MemoryBytes() const;

 private:
  // A list of the words `each` gives: each(f) calls f(word) for every word of the source,
  // once to count them, once to store them. Defined (and used) in word_list.cc only.
  template <typename Each>
  static WordList Build(const Each& each);
  // Room for `words` words of `bytes` bytes in all (their '\n's included): the table
  // at most 2/3 full, so it never grows.
  void Reserve(size_t words, size_t bytes);
  // Adds `word` lowercased, unless it is there already.
  void Insert(std::string_view word);
  void Grow();  // doubles the table
  // The slot holding `lower` (a lowercased word), or the empty slot where it would go.
  size_t Find(std::string_view lower, uint32_t hash) const;

  std::string buffer_;           // lowercased words, each ended by '\n'
  std::vector<uint32_t> slots_;  // open addressing: 1 + offset into buffer_, 0 = empty
  size_t size_ = 0;
};

}  // namespace pageflow
