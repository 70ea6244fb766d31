// Paragraphs: which lines of a reading-order group belong together, and their text with
// end-of-line hyphenation undone where the joined word is a word.
//
//   std::vector<size_t> starts = ParagraphStarts(lines, breaks, line_height);
//   std::string text = JoinLines(lines_of_one_paragraph, WordList::Default());
//   // "docu-" + "ment" -> "document"; "self-" + "explanatory" -> "self-explanatory"
//
// Pure functions; WordList::Default() loads once and is then read-only (thread-safe).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "layout/page_model.h"
#include "layout/word_list.h"

namespace pageflow {

// Joins line texts with a space. A line ending in a hyphen after a letter, followed by a
// line starting with a letter, is joined without the space; the hyphen is dropped when
// the joined word (trailing punctuation aside) is in `words`, kept otherwise (and always
// kept when `words` is empty). A soft hyphen (U+00AD) at a line's end is always dropped.
// An identifier broken after an underscore ("ASN1_" + "ARRAY_ERROR") is joined whole.
std::string JoinLines(const std::vector<std::string_view>& texts, const WordList& words);
std::string JoinLineTexts(const std::vector<LayoutLine>& lines, const WordList& words);

// What the caller already knows about line i (a heading or list item starts a block; a
// list item's indented second line continues it).
enum class LineBreak { kAuto, kStart, kContinue };

// Indices of the lines (one group, top to bottom, normalized) that start a paragraph;
// always begins with 0 when `lines` is not empty. A paragraph starts
//  - where `hints[i]` is kStart, never where it is kContinue; otherwise
//  - where the source's paragraph or block id changes (both known);
//  - after a vertical gap: with three lines or more, a gap over one line height, or a
//    pitch (the smaller of top to top and bottom to bottom) over 1.25 times the group's
//    median pitch with some space between the boxes; with two lines, a gap over half a
//    line height;
//  - at a first-line indent: the line starts more than one line height right of the
//    group's left edge while the line above does not.
std::vector<size_t> ParagraphStarts(const std::vector<LayoutLine>& lines,
                                    const std::vector<LineBreak>& hints,
                                    float line_height);

}  // namespace pageflow
