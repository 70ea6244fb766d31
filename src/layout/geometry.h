// Small helpers the layout stage shares: box arithmetic, medians, UTF-8 counting, and
// filling in what a source left out of a line (its text, word boxes, font size).
//
//   Box all = Union(a, b);
//   if (VerticalOverlap(a, b) > 0.5f * std::min(a.height(), b.height())) ...
//   NormalizeLine(&line);  // words and text both set afterwards
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/text_line.h"
#include "layout/page_model.h"

namespace pageflow {

Box Union(const Box& a, const Box& b);
// Length of the overlap of the boxes' y (x) ranges; <= 0 when they do not overlap.
int VerticalOverlap(const Box& a, const Box& b);
int HorizontalOverlap(const Box& a, const Box& b);
bool Contains(const Box& outer, int x, int y);

// The median of `values` (the upper one for an even count); 0 for none.
float Median(std::vector<float> values);

// Code points in UTF-8 `text` (continuation bytes are not counted).
size_t Utf8Length(std::string_view text);
std::string_view Trim(std::string_view text);
// Space-separated tokens of `text`.
std::vector<std::string_view> SplitWords(std::string_view text);

// Gives `line` both text and words: text from the words when empty; words from the text
// when none, with boxes spread over the line's box by character count; the font size
// from the words' median; bold when every word is; the baseline when unknown.
void NormalizeLine(LayoutLine* line);

// Joins `b` after `a`, left to right: text with a space, words, box, confidence weighted
// by characters. `a` keeps its ids and font.
void AppendLine(LayoutLine* a, LayoutLine b);

// Character-weighted mean confidence of `lines`; 1 for none.
float MeanConfidence(const std::vector<LayoutLine>& lines);

}  // namespace pageflow
