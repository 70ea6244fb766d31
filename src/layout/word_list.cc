#include "layout/word_list.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace pageflow {
namespace {

char Lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

WordList WordList::FromText(std::string_view text) {
  WordList list;
  list.buffer_.reserve(text.size());
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(start, end - start);
    if (!word.empty() && word.back() == '\r') word.remove_suffix(1);
    start = end + 1;
    if (word.empty() || word.find_first_of("' ") != std::string_view::npos) continue;
    list.offsets_.push_back(static_cast<uint32_t>(list.buffer_.size()));
    for (char c : word) list.buffer_.push_back(Lower(c));
    list.buffer_.push_back('\n');
  }
  // Words end at '\n', below every byte a word holds: comparing up to the first
  // difference orders them as their string_views would, without first finding their ends
  // (the list is built on the first page's layout; a slow sort showed as 9% of a
  // text-layer run's CPU).
  const char* buf = list.buffer_.data();
  auto less = [buf](uint32_t a, uint32_t b) {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(buf + a);
    const unsigned char* q = reinterpret_cast<const unsigned char*>(buf + b);
    while (*p == *q && *p != '\n') {
      ++p;
      ++q;
    }
    return *p < *q;
  };
  if (!std::is_sorted(list.offsets_.begin(), list.offsets_.end(), less))
    std::sort(list.offsets_.begin(), list.offsets_.end(), less);
  list.buffer_.shrink_to_fit();
  list.offsets_.shrink_to_fit();
  return list;
}

WordList WordList::FromFiles(const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in) continue;
    std::ostringstream text;
    text << in.rdbuf();
    WordList list = FromText(text.str());
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

std::string_view WordList::At(size_t i) const {
  const size_t begin = offsets_[i];
  return std::string_view(buffer_).substr(begin, buffer_.find('\n', begin) - begin);
}

bool WordList::Contains(std::string_view word) const {
  if (word.empty() || offsets_.empty()) return false;
  std::string lower(word);
  for (char& c : lower) c = Lower(c);
  size_t lo = 0, hi = offsets_.size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (At(mid) < lower) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo < offsets_.size() && At(lo) == lower;
}

size_t WordList::MemoryBytes() const {
  return buffer_.capacity() + offsets_.capacity() * sizeof(uint32_t);
}

}  // namespace pageflow
