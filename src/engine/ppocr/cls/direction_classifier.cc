#include "engine/ppocr/cls/direction_classifier.h"

#include <algorithm>

#include "engine/ppocr/line_tensor.h"

namespace pageflow {
namespace {

// The model sees 192 x 48: a longer line squeezed into that is unreadable and was
// measured to come out "180" with high scores (an English line read upside down). Long
// lines are classified on three unsqueezed windows (left, middle, right) instead.
std::vector<cv::Mat> Windows(const cv::Mat& crop) {
  const int window = crop.rows * DirectionClassifier::kWidth / kLineHeight;
  if (crop.cols <= window) return {crop};
  const int last = crop.cols - window;
  return {crop(cv::Rect(0, 0, window, crop.rows)), crop(cv::Rect(last / 2, 0, window, crop.rows)),
          crop(cv::Rect(last, 0, window, crop.rows))};
}

}  // namespace

StatusOr<std::vector<bool>> DirectionClassifier::Classify(const std::vector<cv::Mat>& crops) {
  std::vector<bool> flip(crops.size(), false);
  if (crops.empty()) return flip;
  std::vector<cv::Mat> windows;
  std::vector<size_t> owner;
  for (size_t i = 0; i < crops.size(); ++i) {
    for (cv::Mat& w : Windows(crops[i])) {
      windows.push_back(w);
      owner.push_back(i);
    }
  }
  const size_t slot = size_t{3} * kLineHeight * kWidth;
  // Paid by the page's reservation (PpocrWorkingBytes: one batch of cls input, three
  // windows per crop).
  std::vector<float> input(slot * windows.size());
  for (size_t i = 0; i < windows.size(); ++i) WriteLineTensor(windows[i], kWidth, input.data() + i * slot);
  const int64_t n = static_cast<int64_t>(windows.size());
  PF_ASSIGN_OR_RETURN(OnnxOutput out, model_.Run(input.data(), {n, 3, kLineHeight, kWidth}));
  if (out.elements() != n * 2) return Internal("direction classifier output has an unexpected shape");
  std::vector<float> p180(crops.size(), 0.0f);
  std::vector<int> count(crops.size(), 0);
  for (size_t i = 0; i < windows.size(); ++i) {
    p180[owner[i]] += out.data[2 * i + 1];
    ++count[owner[i]];
  }
  for (size_t i = 0; i < crops.size(); ++i) flip[i] = p180[i] / count[i] > kMinScore;
  return flip;
}

}  // namespace pageflow
