// DirectionClassifier: PP-OCR mobile 0/180 text direction classifier on line crops.
//
//   DirectionClassifier cls(models_dir + "/ch_ppocr_mobile_v2.0_cls_infer.onnx", ort, &budget);
//   PF_RETURN_IF_ERROR(cls.Load());
//   StatusOr<std::vector<bool>> upside_down = cls.Classify(crops);
#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "engine/ppocr/onnx_model.h"

namespace pageflow {

class DirectionClassifier {
 public:
  static constexpr int kWidth = 192;  // model input width
  static constexpr float kMinScore = 0.9f;  // a 180 label below this is ignored

  DirectionClassifier(std::string model_path, OrtSettings ort, MemoryBudget* budget)
      : model_(std::move(model_path), "PP-OCR direction", ort, budget) {}

  Status Load() { return model_.Load(); }
  OnnxModel& model() { return model_; }

  // For each crop (8-bit BGR, height 48): true when it reads upside down (label 180
  // with score > kMinScore). Precondition: Load() succeeded.
  StatusOr<std::vector<bool>> Classify(const std::vector<cv::Mat>& crops);

  // Bytes Classify allocates for `batch` crops besides ORT's activations.
  static int64_t BufferBytes(int batch) { return int64_t{batch} * 3 * 3 * 48 * kWidth * 4; }

 private:
  OnnxModel model_;
};

}  // namespace pageflow
