#include "layout/word_list.h"

#include <algorithm>
#include <cstdio>
#include <memory>

namespace pageflow {
namespace {

char Lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// FNV-1a over the word's bytes (already lowercased), its bits mixed down (the table
// is indexed by the low bits, which FNV alone spreads poorly over short words).
uint32_t Hash(std::string_view word) {
  uint32_t h = 2166136261u;
  for (char c : word) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  return h;
}

// The word stored at slot value `v` (1 + its offset) of `buffer`.
std::string_view WordAt(const std::string& buffer, uint32_t v) {
  const size_t begin = v - 1;
  return std::string_view(buffer).substr(begin, buffer.find('\n', begin) - begin);
}

// Calls `f` with each word of one line: no apostrophe or space, a trailing '\r' dropped.
template <typename F>
void OfLine(std::string_view line, F& f) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty()) return;
  for (char c : line) {
    if (c == '\'' || c == ' ') return;
  }
  f(line);
}

// Calls `f` with each word of `text`, one a line.
template <typename F>
void EachWord(std::string_view text, F& f) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    OfLine(text.substr(start, end - start), f);
    start = end + 1;
  }
}

// Calls `f` with each word of the file, read 64 KiB at a time from its start (a line cut
// by a read is carried over to the next).
template <typename F>
void EachWordOfFile(std::FILE* file, F& f) {
  std::rewind(file);
  std::vector<char> chunk(64 << 10);
  std::string carry;
  size_t n;
  while ((n = std::fread(chunk.data(), 1, chunk.size(), file)) > 0) {
    std::string_view text(chunk.data(), n);
    size_t start = 0;
    if (!carry.empty()) {
      const size_t end = text.find('\n');
      if (end == std::string_view::npos) {
        carry.append(text);
        continue;
      }
      carry.append(text.substr(0, end));
      OfLine(carry, f);
      carry.clear();
      start = end + 1;
    }
    const size_t last = text.rfind('\n');
    if (last == std::string_view::npos || last < start) {
      carry.assign(text.substr(start));
      continue;
    }
    EachWord(text.substr(start, last - start), f);
    carry.assign(text.substr(last + 1));
  }
  OfLine(carry, f);
}

}  // namespace

template <typename Each>
WordList WordList::Build(const Each& each) {
  size_t words = 0, bytes = 0;
  auto count = [&](std::string_view w) {
    ++words;
    bytes += w.size() + 1;
  };
  each(count);
  WordList list;
  list.Reserve(words, bytes);
  auto insert = [&](std::string_view w) { list.Insert(w); };
  each(insert);
  return list;
}

// A hash table, not a sorted array: sorting the 74,000 words of wamerican with a
// string comparison took ~70 ms, paid on the first page's layout while every worker
// waited for the list (5% of a text-layer run's CPU over the corpus's born-digital
// PDFs). Nothing is allocated but the list, sized once: on this machine each page of
// memory touched for the first time costs tens of microseconds.
WordList WordList::FromText(std::string_view text) {
  return Build([text](auto& f) { EachWord(text, f); });
}

WordList WordList::FromFiles(const std::vector<std::string>& paths) {
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  for (const std::string& path : paths) {
    std::unique_ptr<std::FILE, Closer> file(std::fopen(path.c_str(), "rb"));
    if (!file) continue;
    WordList list = Build([&file](auto& f) { EachWordOfFile(file.get(), f); });
    if (!list.empty()) return list;
  }
  return WordList();
}

const WordList& WordList::Default() {
  static const WordList list =
      FromFiles({"/usr/share/dict/words", "/usr/share/dict/american-english",
                 "/usr/share/dict/british-english"});
  return list;
}

void WordList::Reserve(size_t words, size_t bytes) {
  if (words == 0) return;
  size_t slots = 16;
  while (2 * slots < 3 * words) slots *= 2;  // load factor at most 2/3
  slots_.assign(slots, 0);
  buffer_.reserve(bytes);
}

void WordList::Insert(std::string_view word) {
  // More words than counted (a file that grew between the two reads): room is made.
  if (2 * slots_.size() < 3 * (size_ + 1)) Grow();
  const size_t at = buffer_.size();
  for (char c : word) buffer_.push_back(Lower(c));
  const std::string_view lower = std::string_view(buffer_).substr(at);
  const size_t slot = Find(lower, Hash(lower));
  if (slots_[slot] != 0) {  // "A" and "a"
    buffer_.resize(at);
    return;
  }
  buffer_.push_back('\n');
  slots_[slot] = static_cast<uint32_t>(at + 1);
  ++size_;
}

void WordList::Grow() {
  std::vector<uint32_t> old(std::max<size_t>(16, 2 * slots_.size()), 0);
  old.swap(slots_);
  const size_t mask = slots_.size() - 1;
  for (uint32_t v : old) {
    if (v == 0) continue;
    size_t i = Hash(WordAt(buffer_, v)) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = v;
  }
}

size_t WordList::Find(std::string_view lower, uint32_t hash) const {
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const uint32_t v = slots_[i];
    if (v == 0 || WordAt(buffer_, v) == lower) return i;
  }
}

bool WordList::Contains(std::string_view word) const {
  if (word.empty() || size_ == 0) return false;
  std::string lower(word);
  for (char& c : lower) c = Lower(c);
  return slots_[Find(lower, Hash(lower))] != 0;
}

size_t WordList::MemoryBytes() const {
  return buffer_.capacity() + slots_.capacity() * sizeof(uint32_t);
}

}  // namespace pageflow
