// Reads Markdown (a VLM engine's answer) into the page model every writer renders:
// ATX and setext headings, GitHub pipe tables, simple HTML tables (<tr>, <td>/<th> with
// rowspan/colspan), list items ("-", "*", "+", "1.", "1)"), fenced code (kept verbatim as
// a paragraph) and paragraphs. Blocks have no boxes, lines or words; confidence is 1.
//
//   PageModel model = ParseMarkdown(answer);
//   std::string md = RenderMarkdown(model);  // same structure as `answer`
//   std::string txt = RenderPlainText(model);
//
// Pure; thread-safe; never fails (anything unrecognized is paragraph text).
#pragma once

#include <string_view>

#include "layout/page_model.h"

namespace pageflow {

PageModel ParseMarkdown(std::string_view markdown);

}  // namespace pageflow
