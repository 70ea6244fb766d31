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
// empty, and callers keep hyphens. Fixed cost: about 1.1 MB for the 104,000 words of
// wamerican (one buffer plus a 4-byte offset per word), held until exit.
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

  bool empty() const { return offsets_.empty(); }
  size_t size() const { return offsets_.size(); }
  // ASCII letters compare case-insensitively; other bytes exactly.
  bool Contains(std::string_view word) const;
  size_t MemoryBytes() const;

 private:
  std::string_view At(size_t i) const;

  std::string buffer_;             // lowercased words, each ended by '\n'
  std::vector<uint32_t> offsets_;  // into buffer_, sorted by word
};

}  // namespace pageflow
