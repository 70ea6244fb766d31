#include "engine/text_layer/text_layer_engine.h"

#include <cmath>

#include "engine/page_text.h"
#include "engine/text_layer/text_quality.h"

namespace pageflow {
namespace {

PageText FromLayer(TextLayerPage layer) {
  PageText out;
  out.engine = "text-layer";
  out.lines = std::move(layer.lines);
  out.page_width = static_cast<int>(std::lround(layer.width_pt));
  out.page_height = static_cast<int>(std::lround(layer.height_pt));
  out.unit = Unit::kPoints;
  out.dpi = 72;
  out.rulings = std::move(layer.rulings);
  if (!out.lines.empty()) out.lines.front().block_start = true;
  FinishPageText(out);
  return out;
}

class TextLayerEngine final : public Engine {
 public:
  explicit TextLayerEngine(bool checked) : checked_(checked) {}
  std::string_view name() const override { return "text-layer"; }
  std::optional<RenderRequest> PageRenderRequest() const override { return std::nullopt; }

  StatusOr<PageText> Recognize(PageAccess& page) override {
    StatusOr<TextLayerPage> layer = page.TextLayer();
    if (!layer.ok()) {
      if (layer.status().code() == StatusCode::kUnsupported) {
        return Unsupported("images have no text layer; use --engine auto or tesseract");
      }
      return layer.status();
    }
    const TextQuality quality = AssessTextLayer(*layer);
    if (checked_ && !quality.usable)
      return Unavailable("text layer not used: " + quality.reason);
    PageText out = FromLayer(std::move(*layer));
    out.note = quality.usable ? UnmappedNote(quality) : quality.reason;
    return out;
  }

 private:
  bool checked_;
};

class AutoEngine final : public Engine {
 public:
  explicit AutoEngine(std::unique_ptr<Engine> ocr) : ocr_(std::move(ocr)) {}

  std::string_view name() const override { return "auto"; }
  // The worst case: a page without a good text layer is OCRed.
  std::optional<RenderRequest> PageRenderRequest() const override {
    return ocr_->PageRenderRequest();
  }

  StatusOr<PageText> Recognize(PageAccess& page) override {
    StatusOr<TextLayerPage> layer = page.TextLayer();
    std::string why;
    if (layer.ok()) {
      const TextQuality quality = AssessTextLayer(*layer);
      if (quality.usable) {
        PageText out = FromLayer(std::move(*layer));
        out.note = UnmappedNote(quality);
        return out;
      }
      why = quality.reason;
    } else if (layer.status().code() != StatusCode::kUnsupported) {
      why = layer.status().message();
    }
    PF_ASSIGN_OR_RETURN(PageText out, ocr_->Recognize(page));
    if (!why.empty()) out.note = why + (out.note.empty() ? "" : "; " + out.note);
    return out;
  }

 private:
  std::unique_ptr<Engine> ocr_;
};

}  // namespace

std::unique_ptr<Engine> CreateTextLayerEngine() {
  return std::make_unique<TextLayerEngine>(false);
}

std::unique_ptr<Engine> CreateCheckedTextLayerEngine() {
  return std::make_unique<TextLayerEngine>(true);
}

std::unique_ptr<Engine> CreateAutoEngine(std::unique_ptr<Engine> ocr) {
  return std::make_unique<AutoEngine>(std::move(ocr));
}

}  // namespace pageflow
