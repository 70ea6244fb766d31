#include "engine/ppocr/line_tensor.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace pageflow {

void WriteLineTensor(const cv::Mat& line, int width, float* dst) {
  const double ratio = static_cast<double>(line.cols) / std::max(1, line.rows);
  const int w = std::clamp(static_cast<int>(std::ceil(kLineHeight * ratio)), 1, width);
  cv::Mat resized;  // at most 48 x width x 3 bytes, inside the batch's reservation
  cv::resize(line, resized, cv::Size(w, kLineHeight));
  const size_t plane = size_t{kLineHeight} * width;
  std::fill(dst, dst + 3 * plane, 0.0f);
  for (int y = 0; y < kLineHeight; ++y) {
    const uint8_t* row = resized.ptr<uint8_t>(y);
    for (int x = 0; x < w; ++x) {
      for (int c = 0; c < 3; ++c) {
        dst[c * plane + static_cast<size_t>(y) * width + x] = row[x * 3 + c] / 127.5f - 1.0f;
      }
    }
  }
}

}  // namespace pageflow
