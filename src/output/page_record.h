// PageRecord: one page's outcome, as every face of pageflow stores and shows it. The
// page executor builds it; range files (run, worker), a job's result file (serve) and
// the NDJSON lines serve streams all hold it in one JSON form, and a document's
// Markdown, text and Dolma record are made from it by one writer (document_writer.h).
//
//   std::string line = PageRecordJson(record);            // one JSON object, no newline
//   StatusOr<PageRecord> back = ParsePageRecord(line);
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "output/page_boxes.h"

namespace pageflow {

struct PageRecord {
  int page = 0;  // 1-based
  std::string text;
  std::string engine;  // path taken: "text-layer", "tesseract"; empty on error
  float confidence = 0;
  std::string note;   // downscaling, rejected text layer...
  std::string error;  // non-empty: the page failed, with the reason
  int lines = 0;
  double seconds = 0;
  // Remote engines (vlm): tokens used, and why the page fell back to a local engine.
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  std::string fallback = {};  // non-empty: the primary engine failed for this reason
  std::string attributes =
      {};  // engine-specific page metadata, a JSON object; empty if none
  // `text` is Markdown made by the layout stage (headings, paragraphs, lists, tables);
  // false: the engine's lines as they came (--layout none).
  bool markdown = false;
  // Running headers, footers and page numbers the layout stage kept out of `text`, in
  // the page's order from the top; at most kMaxFurniture.
  struct Furniture {
    std::string kind;  // "header", "footer", "page_number"
    std::string text;
  };
  std::vector<Furniture> furniture = {};
  static constexpr size_t kMaxFurniture = 16;
  // Lines alone at the top or bottom edge of the page, each its own paragraph, that may
  // be a running header or footer: whether they are is known only from the document's
  // other pages, so they are kept out of `text` here and the document's assembly decides
  // (DocumentAssembler): text repeated at the same height on another page becomes
  // furniture, the rest goes back where it was (top ones before `text`, bottom ones
  // after, in order). At most kMaxMargins; `text` is Markdown like the page's.
  struct Margin {
    bool bottom = false;
    int y_permille = 0;  // the line's centre, thousandths of the page's height
    std::string text;
  };
  std::vector<Margin> margins = {};
  static constexpr size_t kMaxMargins = 6;
  // The page's blocks, lines and words with boxes (output/page_boxes.h), when the run
  // asked for them (--boxes, or the hocr/alto formats, which are drawn from them);
  // nullopt otherwise and for failed pages.
  std::optional<PageBoxes> boxes = std::nullopt;
};

// The record as a JSON object: page, text, engine, confidence, lines, seconds always;
// note, error, prompt_tokens, completion_tokens, fallback, attributes, format
// ("markdown"), furniture ([{"kind","text"}]), margins ([{"at":"top"|"bottom","y",
// "text"}]) and boxes (PageBoxesToJson) when set.
nlohmann::json PageRecordToJson(const PageRecord& record);
// The inverse; CORRUPT when `j` is not such an object (wrong types included).
StatusOr<PageRecord> PageRecordFromJson(const nlohmann::json& j);

// One line of a job's result or an NDJSON stream: {"type":"page", ...the record...}.
std::string PageRecordJson(const PageRecord& record);
// Parses such a line (or a bare record object). CORRUPT if it is not one.
StatusOr<PageRecord> ParsePageRecord(std::string_view line);

// The page's text with all its margins put back where they were: how the page reads
// when no other page says they are furniture.
std::string TextWithMargins(const PageRecord& record);
// The record with its margins resolved: those for which `is_furniture` is true become
// furniture (kind "header" or "footer"), the others go back into `text`.
PageRecord ResolveMargins(PageRecord record,
                          const std::function<bool(const PageRecord::Margin&)>& is_furniture);

// How a page reads in a document's Markdown: "<!-- page N -->\n\nTEXT\n\n", or a comment
// saying why it failed.
std::string PageMarkdown(const PageRecord& record);
// How a page reads in a document's plain text: pages are separated by a form feed
// (`first` is true for the document's first page); a failed page is empty. Markdown
// text is read back into blocks and written as plain text in reading order.
std::string PagePlainText(const PageRecord& record, bool first);

}  // namespace pageflow
