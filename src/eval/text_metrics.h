// Accuracy metrics of recognized text against ground truth, as the corpus README
// defines them: CER = Levenshtein distance over characters / GT length, after Unicode
// NFC and collapsing whitespace runs to one space (for Chinese/Japanese: removing
// whitespace); WER the same over whitespace-split words; bag-of-words F1 over the
// multisets of words (case-sensitive), for GT whose line order is unreliable.
//
//   TextScore s = ScoreText(gt, hypothesis, /*cjk=*/false);
//   s.Cer();  s.Wer();  s.BagOfWordsF1();
#pragma once

#include <cstdint>
#include <string>

namespace pageflow {

// Sums over pages/items: add scores, then read the ratios.
struct TextScore {
  int64_t char_errors = 0;
  int64_t gt_chars = 0;
  int64_t word_errors = 0;
  int64_t gt_words = 0;
  int64_t bow_matched = 0;  // size of the multiset intersection
  int64_t hyp_words = 0;

  double Cer() const { return gt_chars > 0 ? static_cast<double>(char_errors) / gt_chars : 0; }
  double Wer() const { return gt_words > 0 ? static_cast<double>(word_errors) / gt_words : 0; }
  double BagOfWordsF1() const;
  TextScore& operator+=(const TextScore& o);
};

// NFC, whitespace runs -> one space (cjk: removed), trimmed.
std::u32string NormalizeForScoring(const std::string& utf8, bool cjk);
TextScore ScoreText(const std::string& ground_truth, const std::string& hypothesis, bool cjk);
// Edit distance between two sequences of code points; O(len(a) * len(b)) time,
// O(min) memory.
int64_t EditDistance(const std::u32string& a, const std::u32string& b);

}  // namespace pageflow
