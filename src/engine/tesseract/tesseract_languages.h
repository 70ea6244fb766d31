// What Tesseract language data is installed, and which languages read which script, so
// that an unknown --lang is answered with the installed list (not Tesseract's own
// TESSDATA_PREFIX lines) and `--lang auto` can pick languages for a detected script.
//
//   StatusOr<std::vector<std::string>> langs = InstalledLanguages(tessdata_dir);
//   Status st = CheckLanguages("eng+xyz", tessdata_dir);  // INVALID_ARGUMENT, with the
//   list std::string lang = LanguagesForScript("Cyrillic", *langs);  // "rus"
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace pageflow {

// `--lang auto`: the script of each page is detected (Tesseract's OSD) and the installed
// languages of that script read it.
inline constexpr char kAutoLang[] = "auto";

// The folder whose *.traineddata Tesseract loads: `configured` if not empty, else
// $TESSDATA_PREFIX, else the first of Debian's and the usual install folders that holds
// language data. NOT_FOUND when none does.
StatusOr<std::string> TessdataDir(const std::string& configured);

// Names of the recognition languages in `dir` (osd and equ left out), sorted.
std::vector<std::string> InstalledLanguages(const std::string& dir);

// OK if every "+"-joined name of `lang` is installed (for "auto": if OSD data is);
// otherwise INVALID_ARGUMENT naming what is missing, the installed languages and the
// Debian package that adds it ("tesseract-ocr-chi-sim").
Status CheckLanguages(const std::string& lang, const std::string& configured_dir);

// The installed languages (of `installed`) that read `script`, as OSD names it ("Latin",
// "Han", "Cyrillic"...), "+"-joined, English first for Latin; empty if none does.
std::string LanguagesForScript(std::string_view script,
                               const std::vector<std::string>& installed);

// Whether any language of `lang` ("+"-joined) reads `script`. Unknown scripts count as
// covered (nothing useful could be suggested).
bool LanguagesCoverScript(const std::string& lang, std::string_view script);

// The language to suggest for `script` and the Debian package with its data, e.g.
// "chi_sim (package tesseract-ocr-chi-sim)"; empty for a script without a suggestion.
std::string SuggestLanguage(std::string_view script);

}  // namespace pageflow
