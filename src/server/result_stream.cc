#include "server/result_stream.h"

#include <chrono>
#include <fstream>

#include "output/document_writer.h"
#include "output/page_record.h"

namespace pageflow {
namespace {

// How often a response waiting for pages checks that its client is still there.
constexpr std::chrono::milliseconds kClientCheck{200};

// Reads page lines from a job's result file as the job writes them.
class ResultReader {
 public:
  // From byte `offset` (the start of a line).
  explicit ResultReader(const std::string& path, int64_t offset = 0)
      : in_(path, std::ios::binary) {
    if (offset > 0) in_.seekg(offset);
  }
  // The next complete line; the caller knows from the Job how many exist.
  bool Next(std::string* line) { return static_cast<bool>(std::getline(in_, *line)); }

 private:
  std::ifstream in_;
};

// What the Dolma record, Markdown and text of a served document say about it: the
// upload's file name stands where `run` names the source file.
DocumentMeta MetaOf(const Job& job) {
  DocumentMeta meta;
  meta.id = job.id();
  meta.source_path = job.filename();
  meta.page_count = job.document_pages();  // as run: the document's, selected or not
  meta.engine = job.settings().engine.kind;
  meta.lang = job.settings().engine.lang;
  meta.ranges = job.settings().pages;  // pages=, as run --pages
  if (meta.ranges.empty()) meta.ranges = {PageRange{0, job.page_count() - 1}};
  meta.created = job.admitted_time();
  // Text-layer pages (boxes in points) are stated at the job's dpi, as `run --dpi`.
  meta.points_dpi = job.settings().render.dpi;
  return meta;
}

// A page line as sent: the result file's line, without its boxes unless asked.
std::string PageLineOf(const std::string& line, bool boxes) {
  if (boxes || line.find("\"boxes\":") == std::string::npos) return line;
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return line;
  j.erase("boxes");
  // As PageRecordJson dumps it.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

StatusOr<std::string> ReadPageLine(const Job& job, int index, bool boxes) {
  const Job::LineStart start = job.LineStartFor(index);
  ResultReader reader(job.result_path(), start.offset);
  std::string line;
  for (int i = start.line; i <= index; ++i) {
    if (!reader.Next(&line)) {
      return NotFound("the result of job " + job.id() + " no longer holds its page " +
                      std::to_string(job.DocumentPage(index) + 1));
    }
  }
  return PageLineOf(line, boxes);
}

StatusOr<ResultFormat> ParseResultFormat(const std::string& s) {
  if (s.empty() || s == "ndjson") return ResultFormat::kNdjson;
  if (s == "json") return ResultFormat::kJson;
  if (s == "jsonl" || s == "dolma") return ResultFormat::kJsonl;
  if (s == "text" || s == "txt") return ResultFormat::kText;
  if (s == "markdown" || s == "md") return ResultFormat::kMarkdown;
  if (s == "hocr") return ResultFormat::kHocr;
  if (s == "alto") return ResultFormat::kAlto;
  if (s == "pdf") return ResultFormat::kPdf;
  return InvalidArgument("unknown format '" + s.substr(0, 40) +
                         "' (use ndjson, json, jsonl, text, markdown, hocr, alto, pdf)");
}

std::string ContentTypeOf(ResultFormat f) {
  switch (f) {
    case ResultFormat::kNdjson:
      return "application/x-ndjson";
    case ResultFormat::kJson:
      return "application/json";
    case ResultFormat::kJsonl:
      return "application/jsonl";
    case ResultFormat::kText:
      return "text/plain; charset=utf-8";
    case ResultFormat::kMarkdown:
      return "text/markdown; charset=utf-8";
    case ResultFormat::kHocr:
      // XHTML; text/html so that a browser shows it (as Tesseract's .hocr is served).
      return "text/html; charset=utf-8";
    case ResultFormat::kAlto:
      return "application/xml";
    case ResultFormat::kPdf:
      return "application/pdf";
  }
  return "application/octet-stream";
}

std::string ExtensionOf(ResultFormat f) {
  switch (f) {
    case ResultFormat::kNdjson:
      return "ndjson";
    case ResultFormat::kJson:
      return "json";
    case ResultFormat::kJsonl:
      return "jsonl";
    case ResultFormat::kText:
      return "txt";
    case ResultFormat::kMarkdown:
      return "md";
    case ResultFormat::kHocr:
      return "hocr";
    case ResultFormat::kAlto:
      return "xml";  // as `run` names DIR/alto/REL.xml
    case ResultFormat::kPdf:
      return "pdf";
  }
  return "bin";
}

bool StreamResult(const std::shared_ptr<Job>& job, ResultRequest request,
                  bool cancel_on_disconnect, PageService* service, StreamSink& sink) {
  const ResultFormat f = request.format;
  auto gone = [&] {
    if (cancel_on_disconnect) service->Cancel(job->id(), false);
    return false;
  };
  const bool follow = f == ResultFormat::kNdjson;  // others wait for the whole job
  if (!follow) {
    while (!job->finished()) {
      job->WaitForLines(job->page_count(), kClientCheck);
      if (!sink.IsOpen()) return gone();
    }
  }
  if (f == ResultFormat::kJson &&
      !sink.Write("{\"summary\":" + job->SummaryJson() + ",\"pages\":[")) {
    return gone();
  }
  const DocumentMeta meta = MetaOf(*job);
  DocumentAssembler::Sink write = [&](std::string_view s) {
    return sink.Write(s) ? Status::Ok() : Unavailable("the client went away");
  };
  DocumentAssembler::Sinks sinks;
  if (f == ResultFormat::kJsonl) sinks.jsonl = write;
  if (f == ResultFormat::kMarkdown) sinks.md = write;
  if (f == ResultFormat::kText) sinks.txt = write;
  if (f == ResultFormat::kHocr) sinks.hocr = write;
  if (f == ResultFormat::kAlto) sinks.alto = write;
  if (f == ResultFormat::kPdf) {
    // Built from the upload once the pages are done; qpdf's buffers are paid from the
    // server's budget (output/searchable_pdf.h).
    sinks.pdf = write;
    sinks.pdf_source = job->upload_path();
    sinks.budget = service->budget();
  }
  // The record's page boxes wait in an unlinked file in the spool directory until its
  // tail is written (DocumentAssembler), so memory stays flat in the document's length.
  sinks.boxes = request.boxes;
  sinks.spill_dir = service->options().spool_dir;
  std::unique_ptr<DocumentAssembler> assembler;
  if (sinks.jsonl || sinks.md || sinks.txt || sinks.hocr || sinks.alto || sinks.pdf) {
    assembler = std::make_unique<DocumentAssembler>(meta, std::move(sinks));
  }
  if (assembler) {
    // The job is finished: a first pass over its pages finds running headers and footers.
    ResultReader pass(job->result_path());
    std::string page_line;
    while (pass.Next(&page_line)) {
      StatusOr<PageRecord> page = ParsePageRecord(page_line);
      if (page.ok()) assembler->Observe(*page);
    }
  }
  ResultReader reader(job->result_path());
  int sent = 0;
  std::string line;
  for (;;) {
    const bool was_finished = job->finished();
    const int written = job->WaitForLines(sent, kClientCheck);
    for (; sent < written; ++sent) {
      if (!reader.Next(&line)) return false;  // the file went away: give up
      bool ok = true;
      if (f == ResultFormat::kNdjson) {
        ok = sink.Write(PageLineOf(line, request.boxes) + "\n");
      } else if (f == ResultFormat::kJson) {
        ok = sink.Write((sent == 0 ? "" : ",") + PageLineOf(line, request.boxes));
      } else {
        StatusOr<PageRecord> page = ParsePageRecord(line);
        ok = page.ok() && assembler->Add(*page).ok();
      }
      if (!ok) return gone();
    }
    if (was_finished) break;  // everything written before it finished is sent
    if (!sink.IsOpen()) return gone();
  }
  if (f == ResultFormat::kNdjson) return sink.Write(job->SummaryJson() + "\n");
  if (f == ResultFormat::kJson) return sink.Write("]}");
  DocumentSummary summary;
  return assembler->Finish(&summary).ok() && assembler->pdf_status().ok();
}

}  // namespace pageflow
