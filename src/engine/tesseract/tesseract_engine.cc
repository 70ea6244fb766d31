#include "engine/tesseract/tesseract_engine.h"

#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>
#include <tesseract/resultiterator.h>

#include <algorithm>
#include <mutex>

#include "base/log.h"
#include "base/process_stats.h"
#include "engine/page_text.h"
#include "engine/tesseract/tesseract_languages.h"

namespace pageflow {
namespace {

struct ApiDeleter {
  void operator()(tesseract::TessBaseAPI* api) const {
    api->End();
    delete api;
  }
};
using ApiPtr = std::unique_ptr<tesseract::TessBaseAPI, ApiDeleter>;

// Loads are serialized so that each load's RSS growth can be measured on its own.
std::mutex g_load_mu;

// Tesseract's mean confidence below which a page may be in a script --lang does not
// read: Chinese read as English came out at 0.3-0.5 here, clean English pages at 0.9.
constexpr float kLowConfidence = 0.6f;

// RSS of one loaded language set when the measured growth is hidden by memory the
// allocator kept from the set it replaces (DESIGN: about 40 MB per TessBaseAPI).
constexpr int64_t kMinLanguageSetBytes = 40ll << 20;

// One TessBaseAPI with its languages loaded, and the budget charge for it.
struct LoadedApi {
  ApiPtr api;
  Reservation fixed;
};

// Loads `lang` (already checked) in OEM `mode`; the RSS it adds (at least `min_bytes`)
// is charged to `budget` as a fixed cost for as long as the API lives.
StatusOr<LoadedApi> LoadApi(const std::string& datapath, const std::string& lang,
                            tesseract::OcrEngineMode mode, int64_t min_bytes,
                            MemoryBudget& budget) {
  std::lock_guard<std::mutex> lock(g_load_mu);
  const int64_t before = CurrentRssBytes();
  ApiPtr api(new tesseract::TessBaseAPI());
  if (api->Init(datapath.c_str(), lang.c_str(), mode) != 0) {
    return Unavailable("cannot load Tesseract language data '" + lang + "' from " +
                       datapath);
  }
  api->SetVariable("thresholding_window_size", "0.5");
  // Tesseract 5 re-recognizes every low-confidence line inverted (white on black).
  // On R-data.pdf pages at 300 DPI that costs 17% of the time for identical text here.
  api->SetVariable("tessedit_do_invert", "0");
  // Tesseract prints "Estimating resolution" etc. to stderr; keep it quiet.
  api->SetVariable("debug_file", "/dev/null");
  // What the models cost; at least min_bytes so a warm shared page cache cannot hide it.
  const int64_t cost = std::max<int64_t>(CurrentRssBytes() - before, min_bytes);
  PF_ASSIGN_OR_RETURN(Reservation fixed,
                      budget.ChargeFixed(cost, "Tesseract models '" + lang + "'"));
  return LoadedApi{std::move(api), std::move(fixed)};
}

class TesseractEngine final : public Engine {
 public:
  TesseractEngine(const TesseractOptions& options, std::string datapath, LoadedApi api,
                  MemoryBudget* budget)
      : options_(options),
        datapath_(std::move(datapath)),
        auto_(options.lang == kAutoLang),
        lang_(auto_ ? "" : options.lang),
        api_(std::move(api)),
        budget_(budget) {
    if (auto_) installed_ = InstalledLanguages(datapath_);
  }

  std::string_view name() const override { return "tesseract"; }

  std::optional<RenderRequest> PageRenderRequest() const override {
    return RenderRequest{TesseractWorkingBytes, 0};
  }

  // With --lang auto, loads the script detector (charged) and the Latin languages, the
  // set most pages need; other sets replace them when a page asks (see Recognize).
  Status Prepare() {
    if (!auto_) return Status::Ok();
    PF_RETURN_IF_ERROR(LoadOsd());
    const std::string latin = LanguagesForScript("Latin", installed_);
    return latin.empty() ? Status::Ok() : UseLanguages(latin);
  }

  StatusOr<PageText> Recognize(PageAccess& page) override {
    PF_ASSIGN_OR_RETURN(Raster raster, page.Render(*PageRenderRequest()));
    std::string script;  // OSD's name for the page's script, when it was asked
    std::string auto_note;
    if (auto_) {
      script = DetectScript(raster);
      std::string langs = LanguagesForScript(script, installed_);
      if (langs.empty()) {
        // Nothing installed reads it (or no script found): the languages loaded, else
        // Latin.
        langs = !lang_.empty() ? lang_ : LanguagesForScript("Latin", installed_);
        if (!script.empty()) {
          auto_note =
              "--lang auto: no installed language reads " + script + " script" +
              (SuggestLanguage(script).empty() ? "" : "; add " + SuggestLanguage(script));
        }
      }
      if (langs.empty()) langs = installed_.empty() ? "eng" : installed_.front();
      PF_RETURN_IF_ERROR(UseLanguages(langs));
    }
    // Tesseract copies the pixels into its own image, so ours are freed before it works
    // on them: at its peak (layout analysis, then every word's outlines) the page is held
    // once, not twice. The reservation that paid for them stays for Tesseract's working
    // set until the page is done.
    SetPageModes(raster);
    tesseract::TessBaseAPI& api = *api_.api;
    api.SetImage(raster.data(), raster.width(), raster.height(), raster.channels(),
                 static_cast<int>(raster.stride()));
    PageText out;
    out.engine = "tesseract";
    out.page_width = raster.width();
    out.page_height = raster.height();
    out.unit = Unit::kPixels;
    out.dpi = raster.dpi();
    const Reservation working = raster.ReleasePixels();
    // Below 70 DPI (or unknown) the figure is not credible; Tesseract then estimates the
    // resolution from the text's x-height, as its CLI does for images without one.
    if (out.dpi >= 70) api.SetSourceResolution(out.dpi);
    if (api.Recognize(nullptr) != 0) {
      api.Clear();
      return Internal("tesseract could not recognize the page");
    }
    std::unique_ptr<tesseract::ResultIterator> it(api.GetIterator());
    if (it) ReadLines(*it, &out.lines);
    it.reset();
    // Maybe the page is in a script --lang does not read: the detector reads Tesseract's
    // copy of the page (ours is gone), kept past Clear() by a reference of our own while
    // the page's results are dropped.
    Pix* input = nullptr;
    if (!auto_ && !out.lines.empty() && MeanConfidence(out.lines) < kLowConfidence &&
        api.GetInputImage() != nullptr) {
      input = pixClone(api.GetInputImage());
    }
    api.Clear();  // drop Tesseract's image copies before the reservation is returned
    if (input != nullptr) {
      script = DetectScript(input, out.dpi);
      pixDestroy(&input);
      if (!script.empty() && !LanguagesCoverScript(lang_, script)) {
        auto_note = "low OCR confidence: the page looks like " + script +
                    " script, which --lang " + lang_ + " does not read; add " +
                    SuggestLanguage(script) + " to --lang (or use --lang auto)";
      }
    }
    if (!out.lines.empty()) out.lines.front().block_start = true;
    FinishPageText(out);
    out.note = auto_note;
    return out;
  }

 private:
  static float MeanConfidence(const std::vector<TextLine>& lines) {
    double sum = 0;
    size_t chars = 0;
    for (const TextLine& l : lines) {
      sum += static_cast<double>(l.confidence) * l.text.size();
      chars += l.text.size();
    }
    return chars == 0 ? 0.0f : static_cast<float>(sum / chars);
  }

  Status LoadOsd() {
    if (osd_.api) return Status::Ok();
    // The legacy engine reads osd.traineddata; about 10 MB measured at load.
    PF_ASSIGN_OR_RETURN(osd_, LoadApi(datapath_, "osd", tesseract::OEM_TESSERACT_ONLY,
                                      16ll << 20, *budget_));
    osd_.api->SetPageSegMode(tesseract::PSM_OSD_ONLY);
    return Status::Ok();
  }

  // OSD's script for the page ("Latin", "Han", ...), or empty if it cannot tell (or has
  // no data). Its copy of the image is within the page's working set: the recognizer's
  // copy does not exist at the same time.
  std::string DetectScript(const Raster& raster) {
    if (!LoadOsd().ok()) return "";
    osd_.api->SetImage(raster.data(), raster.width(), raster.height(), raster.channels(),
                       static_cast<int>(raster.stride()));
    return DetectLoadedScript(raster.dpi());
  }
  // The same for an image Tesseract holds (null: none).
  std::string DetectScript(Pix* image, int dpi) {
    if (image == nullptr || !LoadOsd().ok()) return "";
    osd_.api->SetImage(image);
    return DetectLoadedScript(dpi);
  }
  // OSD's script for the image it was just given (at `dpi`); clears it.
  std::string DetectLoadedScript(int dpi) {
    tesseract::TessBaseAPI& osd = *osd_.api;
    if (dpi >= 70) osd.SetSourceResolution(dpi);
    int degrees = 0;
    float orientation_confidence = 0, script_confidence = 0;
    const char* script = nullptr;
    const bool ok = osd.DetectOrientationScript(&degrees, &orientation_confidence,
                                                &script, &script_confidence);
    std::string name = ok && script != nullptr ? script : "";
    osd.Clear();
    if (name == "Common" || name == "NULL") name.clear();
    return name;
  }

  // Makes `langs` the loaded set: the previous set and its charge are given back first,
  // so a worker holds one set at a time.
  Status UseLanguages(const std::string& langs) {
    if (langs == lang_ && api_.api) return Status::Ok();
    api_ = LoadedApi{};
    lang_.clear();
    StatusOr<LoadedApi> loaded = LoadApi(datapath_, langs, tesseract::OEM_LSTM_ONLY,
                                         kMinLanguageSetBytes, *budget_);
    if (!loaded.ok()) return loaded.status().WithContext("--lang auto");
    api_ = std::move(*loaded);
    lang_ = langs;
    return Status::Ok();
  }

  // Tesseract's lines with their words (boxes, confidences) and the block and paragraph
  // each belongs to, in Tesseract's order.
  static void ReadLines(tesseract::ResultIterator& it, std::vector<TextLine>* lines) {
    int block = -1, paragraph = -1;
    bool keep = false;  // the current line has text
    do {
      if (it.IsAtBeginningOf(tesseract::RIL_BLOCK)) ++block;
      if (it.IsAtBeginningOf(tesseract::RIL_PARA)) ++paragraph;
      if (it.IsAtBeginningOf(tesseract::RIL_TEXTLINE)) {
        keep = false;
        if (it.Empty(tesseract::RIL_TEXTLINE)) continue;
        std::unique_ptr<char[]> text(it.GetUTF8Text(tesseract::RIL_TEXTLINE));
        if (!text) continue;
        TextLine line;
        line.text = text.get();
        while (!line.text.empty() &&
               (line.text.back() == '\n' || line.text.back() == ' ')) {
          line.text.pop_back();
        }
        if (line.text.empty()) continue;
        it.BoundingBox(tesseract::RIL_TEXTLINE, &line.box.x0, &line.box.y0, &line.box.x1,
                       &line.box.y1);
        line.confidence =
            std::clamp(it.Confidence(tesseract::RIL_TEXTLINE) / 100.0f, 0.0f, 1.0f);
        line.block_start = it.IsAtBeginningOf(tesseract::RIL_PARA) || lines->empty();
        line.block_id = block;
        line.paragraph_id = paragraph;
        int bx0 = 0, by0 = 0, bx1 = 0, by1 = 0;
        if (it.Baseline(tesseract::RIL_TEXTLINE, &bx0, &by0, &bx1, &by1)) {
          line.baseline = (by0 + by1) / 2;
        }
        lines->push_back(std::move(line));
        keep = true;
      }
      if (!keep || it.Empty(tesseract::RIL_WORD)) continue;
      std::unique_ptr<char[]> word_text(it.GetUTF8Text(tesseract::RIL_WORD));
      if (!word_text || word_text[0] == '\0') continue;
      TextWord word;
      word.text = word_text.get();
      it.BoundingBox(tesseract::RIL_WORD, &word.box.x0, &word.box.y0, &word.box.x1,
                     &word.box.y1);
      word.confidence =
          std::clamp(it.Confidence(tesseract::RIL_WORD) / 100.0f, 0.0f, 1.0f);
      lines->back().words.push_back(std::move(word));
    } while (it.Next(tesseract::RIL_WORD));
  }

  // Choices measured with `pageflow eval` on the dev corpus (see README, Accuracy).
  void SetPageModes(const Raster& raster) {
    // Sauvola's adaptive threshold (0.5 in window) reads gray scans and renders better
    // than Otsu (forms 0.339 -> 0.314 CER, Chinese 0.296 -> 0.120); color pictures keep
    // Tesseract's per-channel Otsu, which Sauvola made worse on receipts (0.310 ->
    // 0.326). Pages drawn from vector content are clean black on white: Otsu reads them
    // as well (B_pdfs/docs, 28 pages at 300 DPI: CER 0.325 either way) and Tesseract
    // spends 11% less CPU per page (R-data.pdf at 300 DPI: 1.02 s instead of 1.14 s).
    const bool otsu = raster.channels() == 3 || raster.drawn_from_vectors();
    api_.api->SetVariable("thresholding_method", otsu ? "0" : "2");
    // An image of a single text line (a line-level ground-truth strip, a cropped field)
    // is read as one line instead of being laid out as a page.
    const bool one_line = raster.height() < 200 && raster.width() > 6 * raster.height();
    api_.api->SetPageSegMode(one_line ? tesseract::PSM_SINGLE_LINE : tesseract::PSM_AUTO);
  }

  TesseractOptions options_;
  std::string datapath_;
  bool auto_;                           // --lang auto
  std::string lang_;                    // the languages api_ has loaded
  LoadedApi api_;                       // recognition; empty until auto picks a set
  LoadedApi osd_;                       // script detection, loaded when first needed
  std::vector<std::string> installed_;  // auto: the installed languages
  MemoryBudget* budget_;
};

}  // namespace

int64_t TesseractWorkingBytes(int width, int height) {
  // Tesseract's copy of the image, its thresholded 1-bit image, reduced copies for
  // layout analysis and blob lists, plus LSTM line buffers. Measured here on a dense
  // page of R-data.pdf at 600 DPI (5100 x 6600): peak RSS grew ~3.2 bytes per pixel
  // including our raster; 4 bytes beyond the raster leaves margin for denser pages.
  return int64_t{width} * height * 4 + (24ll << 20);
}

StatusOr<std::unique_ptr<Engine>> CreateTesseractEngine(const TesseractOptions& options,
                                                        MemoryBudget& budget) {
  // Checked first: Tesseract itself would print its TESSDATA_PREFIX advice to stderr.
  Status langs = CheckLanguages(options.lang, options.tessdata_dir);
  if (!langs.ok()) return Unavailable(langs.message());
  PF_ASSIGN_OR_RETURN(std::string datapath, TessdataDir(options.tessdata_dir));
  LoadedApi api;
  if (options.lang != kAutoLang) {
    PF_ASSIGN_OR_RETURN(api, LoadApi(datapath, options.lang, tesseract::OEM_LSTM_ONLY,
                                     16ll << 20, budget));
  }
  auto engine = std::make_unique<TesseractEngine>(options, std::move(datapath),
                                                  std::move(api), &budget);
  PF_RETURN_IF_ERROR(engine->Prepare());
  return std::unique_ptr<Engine>(std::move(engine));
}

}  // namespace pageflow
