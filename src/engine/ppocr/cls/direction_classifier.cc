#include "engine/ppocr/cls/direction_classifier.h"

#include "engine/ppocr/line_tensor.h"

namespace pageflow {

StatusOr<std::vector<bool>> DirectionClassifier::Classify(const std::vector<cv::Mat>& crops) {
  std::vector<bool> flip(crops.size(), false);
  if (crops.empty()) return flip;
  const size_t slot = size_t{3} * kLineHeight * kWidth;
  // Paid by the page's reservation (PpocrWorkingBytes: one batch of cls input).
  std::vector<float> input(slot * crops.size());
  for (size_t i = 0; i < crops.size(); ++i) WriteLineTensor(crops[i], kWidth, input.data() + i * slot);
  const int64_t n = static_cast<int64_t>(crops.size());
  PF_ASSIGN_OR_RETURN(OnnxOutput out, model_.Run(input.data(), {n, 3, kLineHeight, kWidth}));
  if (out.elements() != n * 2) return Internal("direction classifier output has an unexpected shape");
  for (size_t i = 0; i < crops.size(); ++i) {
    const float p0 = out.data[2 * i], p180 = out.data[2 * i + 1];
    flip[i] = p180 > p0 && p180 > kMinScore;
  }
  return flip;
}

}  // namespace pageflow
