// A job's result as HTTP responses send it, in every format, followed from the job's
// result file as pages finish (one page in memory at a time; the file holds the rest):
//   ndjson    one line per page (the page record) and a closing summary line
//   json      {"summary": ..., "pages": [...]} once the job is done
//   jsonl     the Dolma record `pageflow run` writes for the same document
//   markdown  / text: the document as `run --format md|txt` writes it
//   hocr      / alto: the hOCR and ALTO v4 `run --format hocr|alto` write
//   pdf       the searchable PDF `run --format pdf` writes (from the job's upload)
// Page lines carry their boxes, and the Dolma record "page_boxes", only when asked
// (`boxes`, as `run --boxes`); the result file always keeps them.
// Markdown, text, hOCR, ALTO and the Dolma record come from the same DocumentAssembler
// `run` uses.
//
//   StatusOr<ResultFormat> f = ParseResultFormat(req.Query("format"));
//   res.stream = [=](StreamSink& sink) {
//     return StreamResult(job, {*f, /*boxes=*/false}, true, service, sink);
//   };
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "server/http_server.h"
#include "server/job.h"
#include "server/page_service.h"

namespace pageflow {

enum class ResultFormat { kNdjson, kJson, kJsonl, kText, kMarkdown, kHocr, kAlto, kPdf };

// What a response sends: the format, and whether page lines (ndjson, json) carry their
// boxes and the Dolma record (jsonl) its "page_boxes". hOCR and ALTO always have them.
struct ResultRequest {
  ResultFormat format = ResultFormat::kNdjson;
  bool boxes = false;
};

// "" and "ndjson" -> kNdjson, "json", "jsonl" (Dolma), "text"/"txt", "markdown"/"md",
// "hocr", "alto", "pdf". INVALID_ARGUMENT otherwise.
StatusOr<ResultFormat> ParseResultFormat(const std::string& name);
std::string ContentTypeOf(ResultFormat format);
// The file name extension a download in `format` gets.
std::string ExtensionOf(ResultFormat format);

// Page `index` (0-based, among the job's pages; one it has written) as the ndjson
// stream sends it. Reads the result file from the job's nearest indexed line before it
// (Job::LineStartFor), one line at a time. NOT_FOUND when the file no longer holds it.
StatusOr<std::string> ReadPageLine(const Job& job, int index, bool boxes);

// Streams the job's result. ndjson follows the job page by page; the others wait for it
// to finish (checking every 200 ms that the client is still there). A client that goes
// away cancels the job when cancel_on_disconnect. False when the stream was cut.
bool StreamResult(const std::shared_ptr<Job>& job, ResultRequest request,
                  bool cancel_on_disconnect, PageService* service, StreamSink& sink);

}  // namespace pageflow
