#include "layout/word_list.h"

#include <cstdio>
#include <memory>

namespace pageflow {
namespace {

char Lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// FNV-1a over the word's bytes (already lowercased).
uint32_t Hash(std::string_view word) {
  uint32_t h = 2166136261u;
  for (char c : word) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return h;
}

// The word stored at slot value `v` (1 + its offset) of `buffer`.
std::string_view WordAt(const std::string& buffer, uint32_t v) {
  const size_t begin = v - 1;
  return std::string_view(buffer).substr(begin, buffer.find('\n', begin) - begin);
}

}  // namespace

// A hash table, not a sorted array: sorting the 74,000 words of wamerican with a
// string comparison took ~55 ms, paid on the first page's layout while every worker
// waited for the list (5% of a text-layer run's CPU over the corpus's born-digital
// PDFs); hashing them takes a few.
WordList WordList::FromText(std::string_view text) {
  WordList list;
  list.slots_.assign(1024, 0);
  list.buffer_.reserve(text.size() + 1);
  std::string lower;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(start, end - start);
    if (!word.empty() && word.back() == '\r') word.remove_suffix(1);
    start = end + 1;
    if (word.empty() || word.find_first_of("' ") != std::string_view::npos) continue;
    lower.assign(word);
    for (char& c : lower) c = Lower(c);
    const size_t slot = list.Find(lower, Hash(lower));
    if (list.slots_[slot] != 0) continue;  // "A" and "a"
    list.slots_[slot] = static_cast<uint32_t>(list.buffer_.size() + 1);
    list.buffer_ += lower;
    list.buffer_.push_back('\n');
    if (3 * ++list.size_ > 2 * list.slots_.size()) list.Grow();  // load factor <= 2/3
  }
  if (list.size_ == 0) list.slots_.clear();
  list.buffer_.shrink_to_fit();
  list.slots_.shrink_to_fit();
  return list;
}

void WordList::Grow() {
  std::vector<uint32_t> old(2 * slots_.size(), 0);
  old.swap(slots_);
  const size_t mask = slots_.size() - 1;
  for (uint32_t v : old) {
    if (v == 0) continue;
    size_t i = Hash(WordAt(buffer_, v)) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = v;
  }
}

WordList WordList::FromFiles(const std::vector<std::string>& paths) {
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  for (const std::string& path : paths) {
    std::unique_ptr<std::FILE, Closer> file(std::fopen(path.c_str(), "rb"));
    if (!file) continue;
    std::string text;
    char chunk[1 << 16];
    size_t n;
    while ((n = std::fread(chunk, 1, sizeof chunk, file.get())) > 0)
      text.append(chunk, n);
    WordList list = FromText(text);
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
