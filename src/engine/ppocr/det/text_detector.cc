#include "engine/ppocr/det/text_detector.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace pageflow {
namespace {

// PP-OCRv4 detection normalisation: ImageNet mean/std, applied in the BGR order the
// model was trained with (PaddleOCR reads images with OpenCV).
constexpr float kMean[3] = {0.485f, 0.456f, 0.406f};
constexpr float kStd[3] = {0.229f, 0.224f, 0.225f};

int RoundTo32(int v) { return std::max(32, static_cast<int>(std::lround(v / 32.0)) * 32); }

// The minAreaRect's corners ordered top-left, top-right, bottom-right, bottom-left (as
// PaddleOCR's get_mini_boxes), and its shorter side.
std::array<cv::Point2f, 4> OrderedCorners(const cv::RotatedRect& rect, float* short_side) {
  cv::Point2f p[4];
  rect.points(p);
  std::sort(p, p + 4, [](const cv::Point2f& a, const cv::Point2f& b) { return a.x < b.x; });
  cv::Point2f tl, bl, tr, br;
  if (p[1].y > p[0].y) { tl = p[0]; bl = p[1]; } else { tl = p[1]; bl = p[0]; }
  if (p[3].y > p[2].y) { tr = p[2]; br = p[3]; } else { tr = p[3]; br = p[2]; }
  *short_side = std::min(rect.size.width, rect.size.height);
  return {tl, tr, br, bl};
}

// Mean probability inside the quad (PaddleOCR's box_score_fast).
float BoxScore(const cv::Mat& prob, const std::array<cv::Point2f, 4>& q) {
  float x0 = prob.cols, y0 = prob.rows, x1 = 0, y1 = 0;
  for (const auto& p : q) {
    x0 = std::min(x0, p.x); y0 = std::min(y0, p.y);
    x1 = std::max(x1, p.x); y1 = std::max(y1, p.y);
  }
  const int xmin = std::clamp(static_cast<int>(std::floor(x0)), 0, prob.cols - 1);
  const int xmax = std::clamp(static_cast<int>(std::ceil(x1)), 0, prob.cols - 1);
  const int ymin = std::clamp(static_cast<int>(std::floor(y0)), 0, prob.rows - 1);
  const int ymax = std::clamp(static_cast<int>(std::ceil(y1)), 0, prob.rows - 1);
  cv::Mat mask = cv::Mat::zeros(ymax - ymin + 1, xmax - xmin + 1, CV_8UC1);
  std::vector<cv::Point> poly;
  for (const auto& p : q) poly.emplace_back(static_cast<int>(p.x) - xmin, static_cast<int>(p.y) - ymin);
  cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{poly}, cv::Scalar(1));
  return static_cast<float>(cv::mean(prob(cv::Rect(xmin, ymin, mask.cols, mask.rows)), mask)[0]);
}

}  // namespace

int64_t TextDetector::BufferBytes(int side) {
  const int64_t px = int64_t{RoundTo32(side) + 32} * (RoundTo32(side) + 32);
  return px * (3 * 4 /*input tensor*/ + 4 /*probability map*/ + 1 /*bitmap*/ + 3 /*resized BGR*/);
}

StatusOr<std::vector<DetBox>> TextDetector::Detect(const cv::Mat& image) {
  const int h = RoundTo32(image.rows), w = RoundTo32(image.cols);
  // Paid by the page's reservation (PpocrWorkingBytes: detection buffers of one tile).
  cv::Mat resized;
  cv::resize(image, resized, cv::Size(w, h));
  std::vector<float> input(size_t{3} * h * w);
  const int ch = resized.channels();
  for (int y = 0; y < h; ++y) {
    const uint8_t* row = resized.ptr<uint8_t>(y);
    for (int x = 0; x < w; ++x) {
      for (int c = 0; c < 3; ++c) {
        const float v = row[x * ch + (ch == 3 ? c : 0)] / 255.0f;
        input[(static_cast<size_t>(c) * h + y) * w + x] = (v - kMean[c]) / kStd[c];
      }
    }
  }
  resized.release();
  PF_ASSIGN_OR_RETURN(OnnxOutput out, model_.Run(input.data(), {1, 3, h, w}));
  input = std::vector<float>();
  if (out.elements() != int64_t{h} * w) return Internal("detection output has an unexpected shape");
  const cv::Mat prob(h, w, CV_32FC1, const_cast<float*>(out.data));
  cv::Mat bitmap = prob > options_.threshold;  // 255 where text

  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(bitmap, contours, cv::RETR_LIST, cv::CHAIN_APPROX_SIMPLE);
  const float sx = static_cast<float>(image.cols) / w, sy = static_cast<float>(image.rows) / h;
  std::vector<DetBox> boxes;
  const size_t n = std::min(contours.size(), static_cast<size_t>(options_.max_candidates));
  for (size_t i = 0; i < n; ++i) {
    if (contours[i].size() < 4) continue;
    const cv::RotatedRect rect = cv::minAreaRect(contours[i]);
    float short_side = 0;
    const std::array<cv::Point2f, 4> q = OrderedCorners(rect, &short_side);
    if (short_side < 3) continue;
    const float score = BoxScore(prob, q);
    if (score < options_.box_threshold) continue;
    // Unclip: offsetting the rectangle outward by d grows each side by 2d; the
    // minAreaRect of the offset polygon is that enlarged rectangle.
    const float area = rect.size.width * rect.size.height;
    const float perimeter = 2 * (rect.size.width + rect.size.height);
    const float d = area * options_.unclip_ratio / std::max(perimeter, 1.0f);
    const cv::RotatedRect grown(rect.center, cv::Size2f(rect.size.width + 2 * d, rect.size.height + 2 * d),
                                rect.angle);
    const std::array<cv::Point2f, 4> g = OrderedCorners(grown, &short_side);
    if (short_side < 5) continue;
    DetBox box;
    for (int k = 0; k < 4; ++k) {
      box.quad[2 * k] = std::clamp(g[k].x * sx, 0.0f, static_cast<float>(image.cols));
      box.quad[2 * k + 1] = std::clamp(g[k].y * sy, 0.0f, static_cast<float>(image.rows));
    }
    box.score = score;
    boxes.push_back(box);
  }
  return boxes;
}

}  // namespace pageflow
