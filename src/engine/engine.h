// The engine interface: one page in, lines of text out. Engines never see documents
// or files; they ask the page for what they need (its text layer, or a raster sized
// and paid for by the pipeline) through PageAccess.
//
//   StatusOr<PageText> text = engine.Recognize(page_access);
//   if (text.ok()) Store(text->text, text->lines);
//
// An Engine instance is used by one worker thread at a time; make one per worker.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/text_line.h"
#include "input/document.h"
#include "raster/raster.h"

namespace pageflow {

// An engine's estimate of its working memory for a width x height raster, in bytes,
// beyond the raster itself.
using WorkingBytesFn = std::function<int64_t(int width, int height)>;

// How an engine wants a page rendered, when the pipeline's --dpi is not what it needs.
struct RenderRequest {
  WorkingBytesFn working_bytes;  // as for Render(working_bytes)
  // > 0: the longest side of the raster in pixels (PDF pages are scaled to it, ignoring
  // --dpi; pictures are only ever reduced to it). Still capped by what the budget can
  // grant: a page that does not fit is downscaled as usual (see render_note).
  int target_long_side = 0;
};

// What an engine may ask of the page it is given. Implemented by the pipeline.
class PageAccess {
 public:
  virtual ~PageAccess() = default;
  // The page's own text (PDF text layer). UNSUPPORTED for images.
  virtual StatusOr<TextLayerPage> TextLayer() = 0;
  // Renders the page to 8-bit gray for OCR. Before any pixel exists it reserves the
  // raster plus working_bytes(w, h) from the budget (waiting if needed); the returned
  // Raster's reservation pays for both. RESOURCE_EXHAUSTED if the page cannot fit even
  // downscaled; CORRUPT if the page cannot be decoded.
  virtual StatusOr<Raster> Render(const WorkingBytesFn& working_bytes) = 0;
  // Render with a request; the same reservation contract. The default ignores the target.
  virtual StatusOr<Raster> Render(const RenderRequest& request) { return Render(request.working_bytes); }
  // Human-readable page label for messages: "page 3 of a.pdf".
  virtual std::string Label() const = 0;
  // The engine will not touch the page's source for a while (it waits on a server): the
  // pipeline may close the document meanwhile; a later TextLayer/Render reopens it.
  virtual void ReleaseSource() {}
  // True once the page is no longer wanted (its job was cancelled, its client went away,
  // the process is stopping). An engine waiting on something outside the process (a
  // server, a backoff) checks it at least once a second and returns CANCELLED; work
  // inside a library (Tesseract, ONNX Runtime) may finish first.
  virtual bool Cancelled() const { return false; }
};

struct PageText {
  // Reading order as the source or engine sees it; words, fonts and source blocks where
  // it knows them (the layout stage's input, layout/layout.h).
  std::vector<TextLine> lines;
  // The page the boxes refer to: the raster (pixels) or the PDF page (points). 0 when
  // the lines have no boxes (vlm).
  int page_width = 0, page_height = 0;
  Unit unit = Unit::kPixels;
  int dpi = 0;  // pixels: the raster's resolution (Raster::dpi), 0 = unknown; points: 72
  std::vector<Box> rulings;  // lines and rectangles drawn on the page (text layer)
  // `text` is Markdown already (vlm): the layout stage reads it instead of the lines.
  bool markdown = false;
  std::string text;             // lines joined: "\n" inside a block, "\n\n" between blocks
  std::string engine;           // the path that produced it: "text-layer", "tesseract"
  std::string note;             // e.g. why a text layer was rejected, or downscaling
  float mean_confidence = 0;    // 0..1, over lines weighted by length
  // Remote engines (vlm): usage summed over the page's requests, and what happened.
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  int attempts = 0;             // requests that got an answer or an HTTP error
  std::string fallback;         // non-empty: why the primary engine failed; `engine` is the fallback's
  std::string attributes_json;  // engine-specific page metadata, a JSON object (vlm: olmOCR front matter)
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual std::string_view name() const = 0;
  // Errors carry a message without the page label (the caller adds it).
  virtual StatusOr<PageText> Recognize(PageAccess& page) = 0;
  // The engine's own working set: how it asks for a page to be rendered (the same request
  // Recognize makes for a page it OCRs), or nullopt when it never renders (text-layer).
  // Admission (serve), planning and run's page access all size a page with it. The
  // request owns what it refers to: it stays valid after the engine is destroyed, and
  // may be used from any thread.
  virtual std::optional<RenderRequest> PageRenderRequest() const = 0;
  // Run-wide metrics as a JSON object (the vlm engines: requests, retries, latency,
  // tokens), shared by the engines of a run; empty if the engine has none.
  virtual std::string StatsJson() const { return ""; }
};

}  // namespace pageflow
