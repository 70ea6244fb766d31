#include "engine/tesseract/tesseract_languages.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace pageflow {
namespace {

namespace fs = std::filesystem;

// The script each language of Debian's tesseract-ocr-* packages is written in (the ones a
// user is likely to have; others count as unknown). OSD's script names.
struct LanguageScript {
  std::string_view lang, script;
};
constexpr LanguageScript kScripts[] = {
    {"eng", "Latin"},    {"deu", "Latin"},    {"fra", "Latin"},      {"spa", "Latin"},
    {"ita", "Latin"},    {"por", "Latin"},    {"nld", "Latin"},      {"pol", "Latin"},
    {"ces", "Latin"},    {"swe", "Latin"},    {"dan", "Latin"},      {"nor", "Latin"},
    {"fin", "Latin"},    {"tur", "Latin"},    {"hun", "Latin"},      {"ron", "Latin"},
    {"vie", "Latin"},    {"ind", "Latin"},    {"rus", "Cyrillic"},   {"ukr", "Cyrillic"},
    {"bul", "Cyrillic"}, {"srp", "Cyrillic"}, {"chi_sim", "Han"},    {"chi_tra", "Han"},
    {"jpn", "Japanese"}, {"kor", "Hangul"},   {"ara", "Arabic"},     {"fas", "Arabic"},
    {"heb", "Hebrew"},   {"ell", "Greek"},    {"hin", "Devanagari"}, {"tha", "Thai"},
    {"ben", "Bengali"},  {"tam", "Tamil"},    {"kat", "Georgian"},   {"hye", "Armenian"},
};

// What to suggest for a script: the first language above that reads it.
std::string_view FirstLanguage(std::string_view script) {
  for (const LanguageScript& ls : kScripts) {
    if (ls.script == script) return ls.lang;
  }
  return {};
}

std::string_view ScriptOf(std::string_view lang) {
  for (const LanguageScript& ls : kScripts) {
    if (ls.lang == lang) return ls.script;
  }
  return {};
}

std::vector<std::string> Split(const std::string& lang) {
  std::vector<std::string> parts;
  std::istringstream in(lang);
  for (std::string part; std::getline(in, part, '+');) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

bool HasLanguageData(const std::string& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    if (it->path().extension() == ".traineddata") return true;
  }
  return false;
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

std::string Package(std::string_view lang) {
  std::string p = "tesseract-ocr-" + std::string(lang);
  std::replace(p.begin(), p.end(), '_', '-');
  return p;
}

}  // namespace

StatusOr<std::string> TessdataDir(const std::string& configured) {
  if (!configured.empty()) return configured;
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("TESSDATA_PREFIX"); env != nullptr && *env != '\0') {
    candidates.push_back(env);
    candidates.push_back(std::string(env) + "/tessdata");
  }
  for (const char* dir :
       {"/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
        "/usr/share/tessdata", "/usr/local/share/tessdata"}) {
    candidates.push_back(dir);
  }
  for (const std::string& dir : candidates) {
    if (HasLanguageData(dir)) return dir;
  }
  return NotFound(
      "no Tesseract language data found (install tesseract-ocr-eng, or give --tessdata)");
}

std::vector<std::string> InstalledLanguages(const std::string& dir) {
  std::vector<std::string> langs;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    if (it->path().extension() != ".traineddata") continue;
    const std::string name = it->path().stem().string();
    if (name != "osd" && name != "equ") langs.push_back(name);
  }
  std::sort(langs.begin(), langs.end());
  return langs;
}

Status CheckLanguages(const std::string& lang, const std::string& configured_dir) {
  PF_ASSIGN_OR_RETURN(std::string dir, TessdataDir(configured_dir));
  const std::vector<std::string> installed = InstalledLanguages(dir);
  if (lang == kAutoLang) {
    if (fs::exists(dir + "/osd.traineddata")) return Status::Ok();
    return InvalidArgument("--lang auto needs Tesseract's script detection data (" + dir +
                           "/osd.traineddata): install tesseract-ocr-osd");
  }
  const std::vector<std::string> parts = Split(lang);
  if (parts.empty())
    return InvalidArgument("empty --lang (installed: " + Join(installed) + ")");
  for (const std::string& part : parts) {
    if (std::find(installed.begin(), installed.end(), part) != installed.end()) continue;
    return InvalidArgument("unknown --lang '" + part + "': the installed languages are " +
                           Join(installed) + " (in " + dir +
                           "), or auto; add one with apt-get install " + Package(part));
  }
  return Status::Ok();
}

std::string LanguagesForScript(std::string_view script,
                               const std::vector<std::string>& installed) {
  std::vector<std::string> picked;
  for (const std::string& lang : installed) {
    if (ScriptOf(lang) == script) picked.push_back(lang);
  }
  // English first: OSD says Latin for any Latin-script page, and English is the
  // likeliest.
  std::stable_partition(picked.begin(), picked.end(),
                        [](const std::string& l) { return l == "eng"; });
  std::string out;
  for (const std::string& l : picked) out += (out.empty() ? "" : "+") + l;
  return out;
}

bool LanguagesCoverScript(const std::string& lang, std::string_view script) {
  if (FirstLanguage(script).empty()) return true;
  for (const std::string& part : Split(lang)) {
    if (ScriptOf(part) == script) return true;
    if (script == "Han" && part == "jpn") return true;  // kanji
  }
  return false;
}

std::string SuggestLanguage(std::string_view script) {
  const std::string_view lang = FirstLanguage(script);
  if (lang.empty()) return "";
  return std::string(lang) + " (package " + Package(lang) + ")";
}

}  // namespace pageflow
