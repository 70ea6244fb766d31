#include "engine/ppocr/ppocr_engine.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <opencv2/imgproc.hpp>

#include "engine/page_text.h"
#include "engine/ppocr/cls/direction_classifier.h"
#include "engine/ppocr/det/text_detector.h"
#include "engine/ppocr/det/tiling.h"
#include "engine/ppocr/line_tensor.h"
#include "engine/ppocr/rec/text_recognizer.h"
#include "layout/ocr_lines.h"

namespace pageflow {
namespace {

constexpr char kDetFile[] = "ch_PP-OCRv4_det_infer.onnx";
constexpr char kRecFile[] = "ch_PP-OCRv4_rec_infer.onnx";
constexpr char kClsFile[] = "ch_ppocr_mobile_v2.0_cls_infer.onnx";
constexpr char kKeysFile[] = "ppocr_keys_v1.txt";

// ORT's own activations, beyond the tensors we allocate, measured as peak RSS growth
// during inference with the arena and memory patterns off (README, "ppocr memory"):
// detection per input pixel, recognition per padded input column.
constexpr int64_t kDetOrtBytesPerPixel = 240;
constexpr int64_t kRecOrtBytesPerColumn = 24 << 10;
// Box lists, line texts and OpenCV contour scratch of one page.
constexpr int64_t kPageScratchBytes = 4ll << 20;
// Crops are warped at no more than twice the recognition height, then resized to it.
constexpr int kCropMaxHeight = 2 * kLineHeight;

std::string ModelsDir(const PpocrOptions& options) {
  if (!options.models_dir.empty()) return options.models_dir;
  if (const char* env = std::getenv("PAGEFLOW_PPOCR_MODELS"); env != nullptr && *env != '\0') return env;
  return PAGEFLOW_PPOCR_MODELS_DIR;
}

OrtSettings SettingsOf(const PpocrOptions& o) {
  OrtSettings s;
  s.threads = o.ort_threads;
  s.arena = o.ort_arena == 0 ? OrtArena::kOff : o.ort_arena == 1 ? OrtArena::kDefault : OrtArena::kCapped;
  s.mem_pattern = o.ort_mem_pattern;
  return s;
}

int RoundUp(int v, int multiple) { return (v + multiple - 1) / multiple * multiple; }

float Distance(float x0, float y0, float x1, float y1) { return std::hypot(x1 - x0, y1 - y0); }

// A detected line in raster coordinates, on its way to recognition.
struct LineCandidate {
  DetBox box;           // raster coordinates
  bool vertical = false;  // taller than wide: rotated 90 degrees before reading
  float ratio = 1;      // reading-direction length / line height
  RecognizedLine result;
};

LineCandidate MakeCandidate(const DetBox& box) {
  LineCandidate c;
  c.box = box;
  const auto& q = box.quad;
  const float w = std::max(Distance(q[0], q[1], q[2], q[3]), Distance(q[6], q[7], q[4], q[5]));
  const float h = std::max(Distance(q[0], q[1], q[6], q[7]), Distance(q[2], q[3], q[4], q[5]));
  c.vertical = h >= 1.5f * w;  // as PaddleOCR: a tall box is a vertical line
  c.ratio = std::max(1.0f, c.vertical ? h : w) / std::max(1.0f, c.vertical ? w : h);
  return c;
}

// The line's pixels, straightened, at most kCropMaxHeight tall, as 8-bit BGR. The crop
// is at most kCropMaxHeight x (max_width * 2) x 3 bytes, inside the batch's share of the
// page reservation.
cv::Mat CropLine(const cv::Mat& page, bool page_is_rgb, const LineCandidate& c, int max_width) {
  const auto& q = c.box.quad;
  const float w = std::max(Distance(q[0], q[1], q[2], q[3]), Distance(q[6], q[7], q[4], q[5]));
  const float h = std::max(Distance(q[0], q[1], q[6], q[7]), Distance(q[2], q[3], q[4], q[5]));
  const float across = c.vertical ? w : h, along = c.vertical ? h : w;
  float s = std::min(1.0f, kCropMaxHeight / std::max(1.0f, across));
  s = std::min(s, 2.0f * max_width / std::max(1.0f, along));
  const int ow = std::max(1, static_cast<int>(std::lround(w * s)));
  const int oh = std::max(1, static_cast<int>(std::lround(h * s)));
  const cv::Point2f src[4] = {{q[0], q[1]}, {q[2], q[3]}, {q[4], q[5]}, {q[6], q[7]}};
  const cv::Point2f dst[4] = {{0, 0}, {static_cast<float>(ow), 0}, {static_cast<float>(ow), static_cast<float>(oh)},
                              {0, static_cast<float>(oh)}};
  cv::Mat crop;
  cv::warpPerspective(page, crop, cv::getPerspectiveTransform(src, dst), cv::Size(ow, oh), cv::INTER_CUBIC,
                      cv::BORDER_REPLICATE);
  if (c.vertical) cv::rotate(crop, crop, cv::ROTATE_90_COUNTERCLOCKWISE);
  cv::Mat bgr;
  cv::cvtColor(crop, bgr, page_is_rgb ? cv::COLOR_RGB2BGR : cv::COLOR_GRAY2BGR);
  return bgr;
}

// The kept boxes in reading order, as lines (layout/ocr_lines.h: the layout stage's
// XY-cut, rows within each column piece).
std::vector<TextLine> ReadingOrder(const std::vector<LineCandidate>& kept) {
  std::vector<RecognizedBox> boxes;
  boxes.reserve(kept.size());
  for (const LineCandidate& c : kept) {
    boxes.push_back({c.box.min_x(), c.box.min_y(), c.box.max_x(), c.box.max_y(), c.result.text,
                     c.result.score});
  }
  return LinesFromBoxes(std::move(boxes));
}

class PpocrEngine final : public Engine {
 public:
  PpocrEngine(const PpocrOptions& options, const std::string& dir, MemoryBudget* budget)
      : options_(options),
        det_(dir + "/" + kDetFile,
             DetOptions{options.det_threshold, options.det_box_threshold, options.det_unclip_ratio},
             SettingsOf(options), budget),
        cls_(dir + "/" + kClsFile, SettingsOf(options), budget),
        rec_(dir + "/" + kRecFile, dir + "/" + kKeysFile, SettingsOf(options), budget),
        working_bytes_(PpocrWorkingBytes(options)) {
    if (options_.idle_unload_ms > 0) reaper_ = std::thread([this] { UnloadWhenIdle(); });
  }

  ~PpocrEngine() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (reaper_.joinable()) reaper_.join();
  }

  std::string_view name() const override { return "ppocr"; }

  // Its working set does not grow with the page: one detection tile and one recognition
  // batch (PpocrWorkingBytes).
  std::optional<RenderRequest> PageRenderRequest() const override {
    const int64_t working = working_bytes_;
    return RenderRequest{[working](int, int) { return working; }, 0};
  }

  StatusOr<PageText> Recognize(PageAccess& page) override {
    // While busy_ is set the reaper leaves the models alone; mu_ itself is not held
    // during inference.
    {
      std::lock_guard<std::mutex> lock(mu_);
      busy_ = true;
    }
    StatusOr<PageText> text = Internal("ppocr: no result");
    try {
      text = RecognizeLoaded(page);
    } catch (const cv::Exception& e) {  // OpenCV reports bad input by throwing
      text = Internal(std::string("ppocr image operation failed: ") + e.what());
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      busy_ = false;
      last_use_ = std::chrono::steady_clock::now();
    }
    cv_.notify_all();
    return text;
  }

 private:
  // The reaper thread (idle_unload_ms > 0): unloads the models once no page has come
  // for idle_unload_ms.
  void UnloadWhenIdle() {
    const auto idle = std::chrono::milliseconds(options_.idle_unload_ms);
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      // The models are only touched by Recognize while busy_, so reading them is safe here.
      if (busy_ || !(det_.model().loaded() || cls_.model().loaded() || rec_.model().loaded())) {
        cv_.wait(lock);
        continue;
      }
      if (std::chrono::steady_clock::now() - last_use_ < idle) {
        cv_.wait_until(lock, last_use_ + idle);
        continue;
      }
      det_.model().Unload();
      cls_.model().Unload();
      rec_.model().Unload();
    }
  }

  StatusOr<PageText> RecognizeLoaded(PageAccess& page) {
    // Models load on the first page, before its raster is reserved: a worker never waits
    // for model memory while holding a page.
    PF_RETURN_IF_ERROR(det_.Load());
    if (options_.use_direction_classifier) PF_RETURN_IF_ERROR(cls_.Load());
    PF_RETURN_IF_ERROR(rec_.Load());
    PF_ASSIGN_OR_RETURN(Raster raster, page.Render(*PageRenderRequest()));
    const cv::Mat pixels(raster.height(), raster.width(), raster.channels() == 3 ? CV_8UC3 : CV_8UC1,
                         raster.data(), static_cast<size_t>(raster.stride()));
    const bool rgb = raster.channels() == 3;

    std::string note;
    PF_ASSIGN_OR_RETURN(std::vector<DetBox> boxes, DetectPage(pixels, rgb, raster.dpi(), &note));
    std::vector<LineCandidate> lines;
    lines.reserve(boxes.size());
    for (const DetBox& b : boxes) lines.push_back(MakeCandidate(b));
    boxes = std::vector<DetBox>();
    PF_RETURN_IF_ERROR(RecognizeLines(pixels, rgb, lines));

    std::vector<LineCandidate> kept;
    for (LineCandidate& c : lines) {
      if (!c.result.text.empty() && c.result.score >= options_.rec_min_score) kept.push_back(std::move(c));
    }
    PageText out;
    out.engine = "ppocr";
    out.page_width = raster.width();
    out.page_height = raster.height();
    out.unit = Unit::kPixels;
    out.dpi = raster.dpi();
    out.note = std::move(note);
    out.lines = ReadingOrder(kept);
    FinishPageText(out);
    return out;
  }

  // Boxes in raster coordinates. The page is scaled to the detection resolution and cut
  // into tiles; each tile is resized straight from the raster, so no scaled copy of the
  // whole page exists.
  StatusOr<std::vector<DetBox>> DetectPage(const cv::Mat& pixels, bool rgb, int dpi, std::string* note) {
    double s = 1.0;
    if (dpi >= 70 && dpi > options_.det_dpi) s = static_cast<double>(options_.det_dpi) / dpi;
    const int longest = std::max(pixels.cols, pixels.rows);
    if (longest * s > options_.det_max_page_px) s = static_cast<double>(options_.det_max_page_px) / longest;
    const int width = std::max(1, static_cast<int>(std::lround(pixels.cols * s)));
    const int height = std::max(1, static_cast<int>(std::lround(pixels.rows * s)));
    const std::vector<TileRect> tiles =
        PlanTiles(width, height, options_.det_tile_px, options_.det_tile_overlap_px);
    if (tiles.size() > 1) {
      char text[96];
      std::snprintf(text, sizeof text, "ppocr detection on %dx%d (%.2fx) in %zu tiles", width, height, s, tiles.size());
      *note = text;
    }
    std::vector<DetBox> boxes;
    for (size_t t = 0; t < tiles.size(); ++t) {
      const TileRect& tile = tiles[t];
      const int x0 = static_cast<int>(std::floor(tile.x / s));
      const int y0 = static_cast<int>(std::floor(tile.y / s));
      const int x1 = std::min(pixels.cols, static_cast<int>(std::ceil((tile.x + tile.width) / s)));
      const int y1 = std::min(pixels.rows, static_cast<int>(std::ceil((tile.y + tile.height) / s)));
      // Paid by the page's reservation (PpocrWorkingBytes: one tile, 3 bytes per pixel).
      cv::Mat image;
      cv::resize(pixels(cv::Rect(x0, y0, x1 - x0, y1 - y0)), image, cv::Size(tile.width, tile.height), 0, 0,
                 s < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
      if (rgb) cv::cvtColor(image, image, cv::COLOR_RGB2BGR);
      PF_ASSIGN_OR_RETURN(std::vector<DetBox> found, det_.Detect(image));
      for (DetBox& b : found) {
        for (int k = 0; k < 4; ++k) {
          b.quad[2 * k] += tile.x;
          b.quad[2 * k + 1] += tile.y;
        }
        b.tile = static_cast<int>(t);
        boxes.push_back(b);
      }
    }
    if (tiles.size() > 1) boxes = MergeTileBoxes(std::move(boxes));
    for (DetBox& b : boxes) {
      for (float& v : b.quad) v = static_cast<float>(v / s);
    }
    return boxes;
  }

  // Reads every candidate, in batches of similar width (sorted by aspect ratio, so
  // padding is small) whose padded widths sum to at most rec_batch_columns.
  Status RecognizeLines(const cv::Mat& pixels, bool rgb, std::vector<LineCandidate>& lines) {
    const int max_width = std::max(TextRecognizer::kMinWidth, options_.rec_batch_columns);
    std::vector<size_t> order(lines.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return lines[a].ratio < lines[b].ratio; });
    size_t begin = 0;
    while (begin < order.size()) {
      size_t end = begin;
      int width = TextRecognizer::kMinWidth;
      while (end < order.size()) {
        // Width bucket: the widest crop so far, rounded up to 32 px.
        const int w = std::min(
            max_width, std::max(width, RoundUp(static_cast<int>(std::ceil(kLineHeight * lines[order[end]].ratio)), 32)));
        if (end > begin && static_cast<int64_t>(end - begin + 1) * w > options_.rec_batch_columns) break;
        width = w;
        ++end;
      }
      // The batch's crops and tensors are paid by the page's reservation
      // (PpocrWorkingBytes: one recognition batch).
      std::vector<cv::Mat> crops;
      for (size_t i = begin; i < end; ++i) crops.push_back(CropLine(pixels, rgb, lines[order[i]], max_width));
      if (options_.use_direction_classifier) {
        PF_ASSIGN_OR_RETURN(std::vector<bool> flip, cls_.Classify(crops));
        for (size_t i = 0; i < crops.size(); ++i) {
          if (flip[i]) cv::rotate(crops[i], crops[i], cv::ROTATE_180);
        }
      }
      PF_ASSIGN_OR_RETURN(std::vector<RecognizedLine> read, rec_.Recognize(crops, width));
      for (size_t i = begin; i < end; ++i) lines[order[i]].result = std::move(read[i - begin]);
      begin = end;
    }
    return Status::Ok();
  }

  PpocrOptions options_;
  TextDetector det_;
  DirectionClassifier cls_;
  TextRecognizer rec_;
  int64_t working_bytes_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool busy_ = false;       // guarded by mu_; a page is being recognized
  bool stopping_ = false;   // guarded by mu_
  std::chrono::steady_clock::time_point last_use_;  // guarded by mu_
  std::thread reaper_;      // only with idle_unload_ms > 0
};

}  // namespace

int64_t PpocrWorkingBytes(const PpocrOptions& o) {
  const int tile = o.det_tile_px;
  const int64_t tile_px = int64_t{RoundUp(tile, 32)} * RoundUp(tile, 32);
  const int64_t det = TextDetector::BufferBytes(tile) + tile_px * 3 + tile_px * kDetOrtBytesPerPixel;
  const int64_t columns = std::max(TextRecognizer::kMinWidth, o.rec_batch_columns);
  const int64_t batch = columns / TextRecognizer::kMinWidth + 1;
  const int64_t crops = columns * 2 * kCropMaxHeight * 3;
  const int64_t rec = columns * 3 * kLineHeight * 4 + (columns / 8 + 1) * 6625 * 4 + crops +
                      columns * kRecOrtBytesPerColumn + DirectionClassifier::BufferBytes(static_cast<int>(batch));
  // Detection and recognition run one after the other; their buffers never coexist.
  return std::max(det, rec) + kPageScratchBytes;
}

bool PpocrAvailable() { return true; }

// Measurement knobs (README, "ppocr memory"): environment overrides of the ORT settings
// and the tile size, so their effect on peak RSS can be measured without a rebuild.
PpocrOptions WithEnvironment(PpocrOptions o) {
  auto flag = [](const char* name) { const char* v = std::getenv(name); return v != nullptr && *v == '1'; };
  if (const char* v = std::getenv("PAGEFLOW_PPOCR_ORT_ARENA"); v != nullptr && *v != '\0') o.ort_arena = std::atoi(v);
  if (flag("PAGEFLOW_PPOCR_ORT_MEM_PATTERN")) o.ort_mem_pattern = true;
  if (const char* v = std::getenv("PAGEFLOW_PPOCR_TILE_PX"); v != nullptr && *v != '\0') o.det_tile_px = std::atoi(v);
  return o;
}

StatusOr<std::unique_ptr<Engine>> CreatePpocrEngine(const PpocrOptions& requested, MemoryBudget& budget) {
  const PpocrOptions options = WithEnvironment(requested);
  if (options.det_tile_px < 256 || options.det_tile_px > 1024 || options.det_tile_overlap_px < 0 ||
      options.det_tile_overlap_px >= options.det_tile_px / 2) {
    return InvalidArgument("ppocr detection tiles must be 256..1024 px with an overlap below half a tile");
  }
  const std::string dir = ModelsDir(options);
  // Only the files are checked here; the models load on the first page.
  PF_RETURN_IF_ERROR(CheckOnnxFile(dir + "/" + kDetFile));
  PF_RETURN_IF_ERROR(CheckOnnxFile(dir + "/" + kRecFile));
  if (options.use_direction_classifier) PF_RETURN_IF_ERROR(CheckOnnxFile(dir + "/" + kClsFile));
  StatusOr<std::vector<std::string>> keys = TextRecognizer::ReadKeys(dir + "/" + kKeysFile);
  if (!keys.ok()) return keys.status();
  return std::unique_ptr<Engine>(new PpocrEngine(options, dir, &budget));
}

}  // namespace pageflow
