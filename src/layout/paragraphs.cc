#include "layout/paragraphs.h"

#include <algorithm>
#include <cctype>

#include "layout/geometry.h"

namespace pageflow {
namespace {

constexpr std::string_view kSoftHyphen = "\xC2\xAD";

bool IsAsciiLetter(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }

// A letter, ASCII or any multi-byte UTF-8 character (accented letters, most scripts).
bool IsLetterByte(char c) {
  return IsAsciiLetter(c) || (static_cast<unsigned char>(c) & 0x80);
}

// The letters that end `text` (the part of a word before its line-end hyphen).
std::string_view TrailingWord(std::string_view text) {
  size_t start = text.size();
  while (start > 0 && IsLetterByte(text[start - 1])) --start;
  return text.substr(start);
}

// The letters that start `text` (the rest of the word).
std::string_view LeadingWord(std::string_view text) {
  size_t end = 0;
  while (end < text.size() && IsLetterByte(text[end])) ++end;
  return text.substr(0, end);
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string JoinLines(const std::vector<std::string_view>& texts, const WordList& words) {
  std::string out;
  for (std::string_view raw : texts) {
    const std::string_view text = Trim(raw);
    if (text.empty()) continue;
    if (out.empty()) {
      out = std::string(text);
      continue;
    }
    if (EndsWith(out, kSoftHyphen)) {
      out.resize(out.size() - kSoftHyphen.size());
      out += text;
      continue;
    }
    // An identifier broken after an underscore ("ASN1_" / "ARRAY_ERROR"): one word.
    if (out.size() >= 2 && out.back() == '_' &&
        std::isalnum(static_cast<unsigned char>(out[out.size() - 2])) &&
        (std::isalnum(static_cast<unsigned char>(text[0])) || text[0] == '_')) {
      out += text;
      continue;
    }
    const bool hyphen = out.size() >= 2 && out.back() == '-' &&
                        IsLetterByte(out[out.size() - 2]) && IsLetterByte(text[0]);
    if (!hyphen) {
      out += ' ';
      out += text;
      continue;
    }
    const std::string_view head =
        TrailingWord(std::string_view(out).substr(0, out.size() - 1));
    const std::string joined = std::string(head) + std::string(LeadingWord(text));
    // A capital after the hyphen ("Hewlett-Packard", "non-English") is a compound.
    const bool compound = std::isupper(static_cast<unsigned char>(text[0])) != 0;
    // A word the list lacks (a technical term: "lymphoe-dema", "hypogona-dism") is still
    // one word when neither piece is a word on its own; "self-explanatory" keeps its
    // hyphen because both are.
    const std::string_view tail = LeadingWord(text);
    const bool pieces = !words.empty() && head.size() >= 2 && tail.size() >= 2 &&
                        !words.Contains(head) && !words.Contains(tail);
    if (!compound && (words.Contains(joined) || pieces)) out.pop_back();
    out += text;
  }
  return out;
}

std::string JoinLineTexts(const std::vector<LayoutLine>& lines, const WordList& words) {
  std::vector<std::string_view> texts;
  texts.reserve(lines.size());
  for (const LayoutLine& l : lines) texts.push_back(l.text);
  return JoinLines(texts, words);
}

std::vector<size_t> ParagraphStarts(const std::vector<LayoutLine>& lines,
                                    const std::vector<LineBreak>& hints,
                                    float line_height) {
  std::vector<size_t> starts;
  if (lines.empty()) return starts;
  starts.push_back(0);
  int left = lines[0].box.x0;
  // Pitch (top to top) rather than the gap between boxes: OCR boxes are tight to the
  // glyphs, so a line without descenders leaves a larger gap; its top (capitals,
  // ascenders) is steady.
  std::vector<float> pitches;
  for (size_t i = 0; i < lines.size(); ++i) {
    left = std::min(left, lines[i].box.x0);
    if (i > 0) pitches.push_back(float(lines[i].box.y0 - lines[i - 1].box.y0));
  }
  const float usual_pitch = Median(pitches);
  const float indent = std::max(1.0f, line_height);
  for (size_t i = 1; i < lines.size(); ++i) {
    const LayoutLine& prev = lines[i - 1];
    const LayoutLine& cur = lines[i];
    const float gap = float(cur.box.y0 - prev.box.y1);
    const bool by_id =
        (cur.paragraph_id >= 0 && prev.paragraph_id >= 0 &&
         cur.paragraph_id != prev.paragraph_id) ||
        (cur.block_id >= 0 && prev.block_id >= 0 && cur.block_id != prev.block_id);
    // The smaller of the tops' and the bottoms' distances: a superscript raises a line's
    // top, a subscript lowers its bottom; a paragraph's space moves both.
    const float pitch =
        float(std::min(cur.box.y0 - prev.box.y0, cur.box.y1 - prev.box.y1));
    const bool by_gap = pitches.size() >= 2
                            ? gap > line_height || (pitch > 1.25f * usual_pitch &&
                                                    gap > 0.2f * line_height)
                            : gap > 0.5f * line_height;
    const bool by_indent = cur.box.x0 - left > indent && prev.box.x0 - left <= indent;
    const LineBreak hint = i < hints.size() ? hints[i] : LineBreak::kAuto;
    if (hint == LineBreak::kContinue) continue;
    if (hint == LineBreak::kStart || by_id || by_gap || by_indent) starts.push_back(i);
  }
  return starts;
}

}  // namespace pageflow
