// TextDetector: PP-OCRv4 DB text detection on one image of at most one tile, returning
// text boxes in that image's pixel coordinates.
//
//   TextDetector det(models_dir + "/ch_PP-OCRv4_det_infer.onnx", {}, ort, &budget);
//   PF_RETURN_IF_ERROR(det.Load());
//   StatusOr<std::vector<DetBox>> boxes = det.Detect(tile_bgr);
#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "engine/ppocr/det/tiling.h"
#include "engine/ppocr/onnx_model.h"

namespace pageflow {

struct DetOptions {
  float threshold = 0.3f;      // pixel probability -> text
  float box_threshold = 0.6f;  // mean probability inside a box to keep it
  float unclip_ratio = 1.5f;   // expansion distance = area * ratio / perimeter
  int max_candidates = 1000;   // contours examined per image
};

class TextDetector {
 public:
  TextDetector(std::string model_path, DetOptions options, OrtSettings ort, MemoryBudget* budget)
      : options_(options), model_(std::move(model_path), "PP-OCR detection", ort, budget) {}

  Status Load() { return model_.Load(); }
  OnnxModel& model() { return model_; }

  // `image`: 8-bit gray or BGR. Its sides are rounded to multiples of 32 for the model
  // (the caller keeps them <= the tile size, which bounds the memory). Boxes are quads in
  // `image` coordinates. Precondition: Load() succeeded.
  StatusOr<std::vector<DetBox>> Detect(const cv::Mat& image);

  // Bytes Detect allocates for an image of at most side x side pixels, besides ORT's own
  // activations (see PpocrWorkingBytes): input tensor, probability map, bitmap, BGR copy.
  static int64_t BufferBytes(int side);

 private:
  DetOptions options_;
  OnnxModel model_;
};

}  // namespace pageflow
