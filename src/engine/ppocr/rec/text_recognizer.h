// TextRecognizer: PP-OCRv4 CTC line recognition on batches of line crops, decoded
// greedily with the ppocr_keys_v1.txt dictionary (index 0 = CTC blank, last = space).
//
//   TextRecognizer rec(dir + "/ch_PP-OCRv4_rec_infer.onnx", dir + "/ppocr_keys_v1.txt", ort, &budget);
//   PF_RETURN_IF_ERROR(rec.Load());
//   StatusOr<std::vector<RecognizedLine>> lines = rec.Recognize(crops, 960);
#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <utility>
#include <vector>

#include "engine/ppocr/onnx_model.h"

namespace pageflow {

struct RecognizedLine {
  std::string text;  // UTF-8
  float score = 0;   // mean probability of the kept characters; 0 when empty
};

class TextRecognizer {
 public:
  // PaddleOCR pads every batch to at least this width (the training width).
  static constexpr int kMinWidth = 320;

  TextRecognizer(std::string model_path, std::string keys_path, OrtSettings ort, MemoryBudget* budget)
      : keys_path_(std::move(keys_path)), model_(std::move(model_path), "PP-OCR recognition", ort, budget) {}

  // Reads the dictionary, then loads the model.
  Status Load();
  OnnxModel& model() { return model_; }

  // Recognizes crops (8-bit BGR, height 48) as one batch padded to `width` pixels.
  // Precondition: Load() succeeded.
  StatusOr<std::vector<RecognizedLine>> Recognize(const std::vector<cv::Mat>& crops, int width);

  // Bytes Recognize allocates for a batch of `columns` total padded width, besides
  // ORT's activations: input tensor and the output probabilities (one step per 8 px).
  int64_t BufferBytes(int64_t columns) const;

  // Reads a PaddleOCR dictionary: one character per line. UNAVAILABLE naming the file
  // when it is missing or empty.
  static StatusOr<std::vector<std::string>> ReadKeys(const std::string& path);

 private:
  // CTC output (time step, class) to text, restoring dropped spaces between Latin words;
  // space_probability[i]: the highest space probability since the glyph before chars[i].
  std::string Spell(const std::vector<std::pair<int64_t, int64_t>>& chars,
                    const std::vector<float>& space_probability) const;
  // Space probability in the gap between two Latin glyphs above which a dropped space
  // is restored. Chosen with `pageflow eval` on sroie_receipts (README): 0.005 -> CER
  // 0.276, 0.02 -> 0.270, 0.05 -> 0.271, 0.1 -> 0.275; without restoring, 0.296.
  static constexpr float kMinSpaceProbability = 0.02f;

  std::string keys_path_;
  std::vector<std::string> keys_;  // model class i (1..N) is keys_[i-1]; N+1 is a space
  OnnxModel model_;
};

}  // namespace pageflow
