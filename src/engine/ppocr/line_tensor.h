// Line images to model input: the PP-OCR recognition/classification preprocessing
// shared by cls/ and rec/.
#pragma once

#include <opencv2/core.hpp>

namespace pageflow {

constexpr int kLineHeight = 48;  // PP-OCRv4 rec and mobile cls input height

// Writes `line` (8-bit BGR, any size) into one 3 x kLineHeight x width slot of a batch
// tensor: resized to height 48 keeping its aspect (at most `width` wide), normalised as
// (x/255 - 0.5) / 0.5, zero-padded on the right. `dst` holds 3*48*width floats.
void WriteLineTensor(const cv::Mat& line, int width, float* dst);

}  // namespace pageflow
