// An evaluation corpus laid out like ../shared/corpus: a manifest.tsv (columns split,
// set, sub, file, lang, pages, source) and ground truth beside each document:
// NAME.gt.txt, and for PDFs preferably NAME.gt.raw.txt (plain pdftotext: reading order,
// pages ended by form feeds). Items without ground truth are smoke tests. A
// NAME.tests.jsonl beside a document holds its structure checks (structure_checks.h).
//
//   StatusOr<std::vector<CorpusItem>> items = LoadCorpus("../shared/corpus");
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace pageflow {

struct CorpusItem {
  std::string set;         // "A_images"
  std::string sub;         // "sroie_receipts"
  std::string path;        // document path
  std::string gt_path;     // empty: no ground truth (smoke test only)
  std::string tests_path;  // NAME.tests.jsonl; empty: no structure checks
  std::string lang;        // manifest language, e.g. "de (Fraktur, 1784)"
  std::string tess_lang;   // Tesseract traineddata for it, e.g. "deu"
  bool cjk = false;        // scored without whitespace
  bool pdf = false;
  std::string subset() const { return set + "/" + sub; }
};

// NOT_FOUND without a manifest; rows whose file is missing are skipped.
StatusOr<std::vector<CorpusItem>> LoadCorpus(const std::string& dir);
// "en" -> "eng", "de ..." -> "deu", "zh-Hans" -> "chi_sim", "ru" -> "rus", ...
std::string TesseractLangFor(const std::string& manifest_lang);

}  // namespace pageflow
