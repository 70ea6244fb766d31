#include "eval/corpus.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace pageflow {

std::string TesseractLangFor(const std::string& lang) {
  const std::string code = lang.substr(0, lang.find_first_of(" -("));
  if (code == "de") return "deu";
  if (code == "ru") return "rus";
  if (code == "zh") return "chi_sim";
  if (code == "ja") return "jpn";
  if (code == "ko") return "kor";
  return "eng";
}

StatusOr<std::vector<CorpusItem>> LoadCorpus(const std::string& dir) {
  std::ifstream in(dir + "/manifest.tsv");
  if (!in) return NotFound("no manifest.tsv in corpus directory '" + dir + "'");
  std::vector<CorpusItem> items;
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (header) {
      header = false;
      continue;
    }
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    if (cols.size() < 5) continue;
    CorpusItem item;
    item.set = cols[1];
    item.sub = cols[2];
    item.path = dir + "/" + cols[3];
    item.lang = cols[4];
    if (!fs::exists(item.path)) continue;
    item.tess_lang = TesseractLangFor(item.lang);
    item.cjk = item.tess_lang == "chi_sim" || item.tess_lang == "jpn";
    fs::path p(item.path);
    item.pdf = p.extension() == ".pdf";
    const std::string stem = (p.parent_path() / p.stem()).string();
    if (item.pdf && fs::exists(stem + ".gt.raw.txt")) item.gt_path = stem + ".gt.raw.txt";
    else if (fs::exists(stem + ".gt.txt")) item.gt_path = stem + ".gt.txt";
    if (fs::exists(stem + ".tests.jsonl")) item.tests_path = stem + ".tests.jsonl";
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace pageflow
