#include "eval/text_metrics.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>
#include <unicode/uchar.h>

#include <algorithm>
#include <map>
#include <vector>

namespace pageflow {
namespace {

std::vector<std::u32string> Words(const std::u32string& s) {
  std::vector<std::u32string> words;
  std::u32string cur;
  for (char32_t c : s) {
    if (c == U' ') {
      if (!cur.empty()) words.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) words.push_back(std::move(cur));
  return words;
}

template <typename Seq>
int64_t Levenshtein(const Seq& a, const Seq& b) {
  const Seq& shorter = a.size() < b.size() ? a : b;
  const Seq& longer = a.size() < b.size() ? b : a;
  std::vector<int64_t> prev(shorter.size() + 1), cur(shorter.size() + 1);
  for (size_t j = 0; j <= shorter.size(); ++j) prev[j] = static_cast<int64_t>(j);
  for (size_t i = 1; i <= longer.size(); ++i) {
    cur[0] = static_cast<int64_t>(i);
    for (size_t j = 1; j <= shorter.size(); ++j) {
      const int64_t sub = prev[j - 1] + (longer[i - 1] == shorter[j - 1] ? 0 : 1);
      cur[j] = std::min({sub, prev[j] + 1, cur[j - 1] + 1});
    }
    std::swap(prev, cur);
  }
  return prev[shorter.size()];
}

}  // namespace

double TextScore::BagOfWordsF1() const {
  if (gt_words == 0 && hyp_words == 0) return 1.0;
  const double p = hyp_words > 0 ? static_cast<double>(bow_matched) / hyp_words : 0;
  const double r = gt_words > 0 ? static_cast<double>(bow_matched) / gt_words : 0;
  return p + r > 0 ? 2 * p * r / (p + r) : 0;
}

TextScore& TextScore::operator+=(const TextScore& o) {
  char_errors += o.char_errors;
  gt_chars += o.gt_chars;
  word_errors += o.word_errors;
  gt_words += o.gt_words;
  bow_matched += o.bow_matched;
  hyp_words += o.hyp_words;
  return *this;
}

std::u32string NormalizeForScoring(const std::string& utf8, bool cjk) {
  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(err);
  icu::UnicodeString in = icu::UnicodeString::fromUTF8(utf8);
  icu::UnicodeString normalized = U_SUCCESS(err) ? nfc->normalize(in, err) : in;
  if (U_FAILURE(err)) normalized = in;
  std::u32string out;
  bool pending_space = false;
  for (int32_t i = 0; i < normalized.length();) {
    const UChar32 c = normalized.char32At(i);
    i += U16_LENGTH(c);
    if (u_isUWhiteSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space && !cjk) out += U' ';
    pending_space = false;
    out += static_cast<char32_t>(c);
  }
  return out;
}

int64_t EditDistance(const std::u32string& a, const std::u32string& b) { return Levenshtein(a, b); }

TextScore ScoreText(const std::string& ground_truth, const std::string& hypothesis, bool cjk) {
  const std::u32string gt = NormalizeForScoring(ground_truth, cjk);
  const std::u32string hyp = NormalizeForScoring(hypothesis, cjk);
  TextScore s;
  s.char_errors = EditDistance(gt, hyp);
  s.gt_chars = static_cast<int64_t>(gt.size());
  // Words of CJK text are its characters (no spaces to split on).
  const std::vector<std::u32string> gw = cjk ? Words(NormalizeForScoring(ground_truth, false)) : Words(gt);
  const std::vector<std::u32string> hw = cjk ? Words(NormalizeForScoring(hypothesis, false)) : Words(hyp);
  s.word_errors = Levenshtein(gw, hw);
  s.gt_words = static_cast<int64_t>(gw.size());
  s.hyp_words = static_cast<int64_t>(hw.size());
  std::map<std::u32string, int64_t> bag;
  for (const auto& w : gw) ++bag[w];
  for (const auto& w : hw) {
    auto it = bag.find(w);
    if (it != bag.end() && it->second > 0) {
      --it->second;
      ++s.bow_matched;
    }
  }
  return s;
}

}  // namespace pageflow
