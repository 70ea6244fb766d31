#include "engine/ppocr/rec/text_recognizer.h"

#include <algorithm>
#include <fstream>

#include "engine/ppocr/line_tensor.h"

namespace pageflow {

StatusOr<std::vector<std::string>> TextRecognizer::ReadKeys(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Unavailable("dictionary " + path + " is missing or unreadable");
  std::vector<std::string> keys;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    keys.push_back(line);
  }
  if (keys.empty()) return Unavailable("dictionary " + path + " is empty");
  return keys;
}

Status TextRecognizer::Load() {
  if (keys_.empty()) {
    PF_ASSIGN_OR_RETURN(keys_, ReadKeys(keys_path_));
  }
  return model_.Load();
}

std::string TextRecognizer::Spell(const std::vector<std::pair<int64_t, int64_t>>& chars,
                                  const std::vector<float>& space_probability) const {
  const int64_t space = static_cast<int64_t>(keys_.size()) + 1;
  auto is_ascii_glyph = [&](int64_t c) { return c != space && keys_[c - 1].size() == 1; };
  std::string text;
  for (size_t i = 0; i < chars.size(); ++i) {
    const int64_t c = chars[i].second;
    // The Chinese model often drops the space between Latin words while still giving it
    // some probability in the gap: put it back there (never between CJK characters).
    if (i > 0 && is_ascii_glyph(chars[i - 1].second) && is_ascii_glyph(c) &&
        space_probability[i] > kMinSpaceProbability) {
      text += ' ';
    }
    text += c == space ? std::string(" ") : keys_[c - 1];
  }
  return text;
}

int64_t TextRecognizer::BufferBytes(int64_t columns) const {
  const int64_t classes = keys_.empty() ? 6625 : static_cast<int64_t>(keys_.size()) + 2;
  return columns * 3 * kLineHeight * 4 + (columns / 8 + 1) * classes * 4;
}

StatusOr<std::vector<RecognizedLine>> TextRecognizer::Recognize(const std::vector<cv::Mat>& crops,
                                                                int width) {
  std::vector<RecognizedLine> lines(crops.size());
  if (crops.empty()) return lines;
  const size_t slot = size_t{3} * kLineHeight * width;
  // Paid by the page's reservation (PpocrWorkingBytes: one recognition batch).
  std::vector<float> input(slot * crops.size());
  for (size_t i = 0; i < crops.size(); ++i) WriteLineTensor(crops[i], width, input.data() + i * slot);
  const int64_t n = static_cast<int64_t>(crops.size());
  PF_ASSIGN_OR_RETURN(OnnxOutput out, model_.Run(input.data(), {n, 3, kLineHeight, width}));
  input = std::vector<float>();
  const int64_t classes = static_cast<int64_t>(keys_.size()) + 2;
  if (out.shape.size() != 3 || out.shape[0] != n || out.shape[2] != classes) {
    return Internal("recognition output has " + std::to_string(out.shape.size() == 3 ? out.shape[2] : -1) +
                    " classes; the dictionary " + keys_path_ + " implies " + std::to_string(classes));
  }
  const int64_t steps = out.shape[1];
  for (int64_t b = 0; b < n; ++b) {
    std::vector<std::pair<int64_t, int64_t>> chars;  // (time step, class)
    std::vector<float> space_since_last;  // per kept char: max space probability before it
    float space_max = 0;
    double score_sum = 0;
    int64_t previous = -1;
    for (int64_t t = 0; t < steps; ++t) {
      const float* p = out.data + (b * steps + t) * classes;
      space_max = std::max(space_max, p[classes - 1]);
      int64_t best = 0;
      for (int64_t c = 1; c < classes; ++c) {
        if (p[c] > p[best]) best = c;
      }
      if (best != 0 && best != previous) {
        chars.emplace_back(t, best);
        space_since_last.push_back(space_max);
        space_max = 0;
        score_sum += p[best];
      }
      previous = best;
    }
    lines[b] = {Spell(chars, space_since_last), chars.empty() ? 0.0f : static_cast<float>(score_sum / chars.size())};
  }
  return lines;
}

}  // namespace pageflow
