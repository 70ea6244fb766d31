#include "engine/tesseract/tesseract_engine.h"

#include <tesseract/baseapi.h>
#include <tesseract/resultiterator.h>

#include <algorithm>
#include <mutex>

#include "base/log.h"
#include "base/process_stats.h"
#include "engine/page_text.h"

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

class TesseractEngine final : public Engine {
 public:
  TesseractEngine(ApiPtr api, Reservation fixed) : api_(std::move(api)), fixed_(std::move(fixed)) {}

  std::string_view name() const override { return "tesseract"; }

  std::optional<RenderRequest> PageRenderRequest() const override {
    return RenderRequest{TesseractWorkingBytes, 0};
  }

  StatusOr<PageText> Recognize(PageAccess& page) override {
    PF_ASSIGN_OR_RETURN(Raster raster, page.Render(*PageRenderRequest()));
    // Tesseract copies the pixels into its own image; both are paid by raster's reservation.
    SetPageModes(raster);
    api_->SetImage(raster.data(), raster.width(), raster.height(), raster.channels(),
                   static_cast<int>(raster.stride()));
    // Below 70 DPI (or unknown) the figure is not credible; Tesseract then estimates the
    // resolution from the text's x-height, as its CLI does for images without one.
    if (raster.dpi() >= 70) api_->SetSourceResolution(raster.dpi());
    if (api_->Recognize(nullptr) != 0) {
      api_->Clear();
      return Internal("tesseract could not recognize the page");
    }
    PageText out;
    out.engine = "tesseract";
    out.page_width = raster.width();
    out.page_height = raster.height();
    out.unit = Unit::kPixels;
    out.dpi = raster.dpi();
    std::unique_ptr<tesseract::ResultIterator> it(api_->GetIterator());
    if (it) ReadLines(*it, &out.lines);
    it.reset();
    api_->Clear();  // drop Tesseract's image copies before the reservation is returned
    if (!out.lines.empty()) out.lines.front().block_start = true;
    FinishPageText(out);
    return out;
  }

 private:
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
        while (!line.text.empty() && (line.text.back() == '\n' || line.text.back() == ' ')) {
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
      word.confidence = std::clamp(it.Confidence(tesseract::RIL_WORD) / 100.0f, 0.0f, 1.0f);
      lines->back().words.push_back(std::move(word));
    } while (it.Next(tesseract::RIL_WORD));
  }

  // Choices measured with `pageflow eval` on the dev corpus (see README, Accuracy).
  void SetPageModes(const Raster& raster) {
    // Sauvola's adaptive threshold (0.5 in window) reads gray scans and renders better
    // than Otsu (forms 0.339 -> 0.314 CER, Chinese 0.296 -> 0.120); color pictures keep
    // Tesseract's per-channel Otsu, which Sauvola made worse on receipts (0.310 -> 0.326).
    // Pages drawn from vector content are clean black on white: Otsu reads them as well
    // (B_pdfs/docs, 28 pages at 300 DPI: CER 0.325 either way) and Tesseract spends 11%
    // less CPU per page (R-data.pdf at 300 DPI: 1.02 s instead of 1.14 s).
    const bool otsu = raster.channels() == 3 || raster.drawn_from_vectors();
    api_->SetVariable("thresholding_method", otsu ? "0" : "2");
    // An image of a single text line (a line-level ground-truth strip, a cropped field)
    // is read as one line instead of being laid out as a page.
    const bool one_line = raster.height() < 200 && raster.width() > 6 * raster.height();
    api_->SetPageSegMode(one_line ? tesseract::PSM_SINGLE_LINE : tesseract::PSM_AUTO);
  }

  ApiPtr api_;
  Reservation fixed_;  // the loaded models, charged while this engine lives
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
  std::lock_guard<std::mutex> lock(g_load_mu);
  const int64_t before = CurrentRssBytes();
  ApiPtr api(new tesseract::TessBaseAPI());
  const char* datapath = options.tessdata_dir.empty() ? nullptr : options.tessdata_dir.c_str();
  if (api->Init(datapath, options.lang.c_str(), tesseract::OEM_LSTM_ONLY) != 0) {
    return Unavailable("cannot load Tesseract language data '" + options.lang +
                       "' (install tesseract-ocr-<lang>, e.g. tesseract-ocr-deu, or check --lang)");
  }
  api->SetVariable("thresholding_window_size", "0.5");
  // Tesseract 5 re-recognizes every low-confidence line inverted (white on black).
  // On R-data.pdf pages at 300 DPI that costs 17% of the time for identical text here.
  api->SetVariable("tessedit_do_invert", "0");
  // Tesseract prints "Estimating resolution" etc. to stderr; keep it quiet.
  api->SetVariable("debug_file", "/dev/null");
  // What the models cost; at least 16 MiB so a warm shared page cache cannot hide it.
  const int64_t cost = std::max<int64_t>(CurrentRssBytes() - before, 16ll << 20);
  StatusOr<Reservation> fixed = budget.ChargeFixed(cost, "Tesseract models '" + options.lang + "'");
  if (!fixed.ok()) return fixed.status();
  return std::unique_ptr<Engine>(new TesseractEngine(std::move(api), std::move(*fixed)));
}

}  // namespace pageflow
