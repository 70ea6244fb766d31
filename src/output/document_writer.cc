#include "output/document_writer.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "output/atomic_file.h"
#include "output/markup_writers.h"

using nlohmann::json;

namespace pageflow {
namespace {

constexpr const char* kPageSeparator = "\n\n";

std::string IsoTime(std::time_t t) {
  char buf[32];
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// JSON string body (escaped, without quotes).
std::string Escaped(const std::string& s) {
  std::string q = json(s).dump(-1, ' ', false, json::error_handler_t::replace);
  return q.substr(1, q.size() - 2);
}

}  // namespace

StatusOr<OutputFormats> ParseFormats(const std::string& list) {
  OutputFormats f{false, false, false};
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item == "jsonl")
      f.jsonl = true;
    else if (item == "md" || item == "markdown")
      f.md = true;
    else if (item == "txt" || item == "text")
      f.txt = true;
    else if (item == "hocr")
      f.hocr = true;
    else if (item == "alto")
      f.alto = true;
    else if (item == "pdf")
      f.pdf = true;
    else if (!item.empty())
      return InvalidArgument("unknown output format '" + item +
                             "' (use jsonl, md, txt, hocr, alto, pdf)");
  }
  if (!f.jsonl && !f.md && !f.txt && !f.hocr && !f.alto && !f.pdf)
    return InvalidArgument("--format names no output format");
  return f;
}

int64_t CountCodePoints(std::string_view s) {
  int64_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

DocumentAssembler::DocumentAssembler(const DocumentMeta& meta, Sinks sinks)
    : meta_(meta),
      sinks_(std::move(sinks)),
      spans_(sinks_.spill_dir),
      failed_(sinks_.spill_dir),
      notes_(sinks_.spill_dir),
      fallbacks_(sinks_.spill_dir),
      furniture_(sinks_.spill_dir),
      page_attributes_(sinks_.spill_dir),
      boxes_(sinks_.spill_dir) {
  if (sinks_.jsonl)
    started_ = sinks_.jsonl("{\"id\":" + json(meta_.id).dump() + ",\"text\":\"");
  if (started_.ok() && sinks_.hocr) started_ = sinks_.hocr(HocrHeader(meta_.name()));
  if (started_.ok() && sinks_.alto) started_ = sinks_.alto(AltoHeader(meta_.name()));
  if (sinks_.pdf) {
    pdf_ = std::make_unique<SearchablePdf>(
        sinks_.pdf_source.empty() ? meta_.source_path : sinks_.pdf_source,
        SearchablePdfOptions{sinks_.spill_dir, sinks_.budget});
  }
}

void DocumentAssembler::Observe(const PageRecord& p) {
  for (const PageRecord::Margin& m : p.margins)
    margins_seen_.ObserveAt(p.page, m.text, m.y_permille);
}

Status DocumentAssembler::Add(const PageRecord& record) {
  PF_RETURN_IF_ERROR(started_);
  const PageRecord p = ResolveMargins(record, [this](const PageRecord::Margin& m) {
    return margins_seen_.PagesSeen(m.text, m.y_permille) >= 2;
  });
  ++pages_;
  seconds_ += p.seconds;
  prompt_tokens_ += p.prompt_tokens;
  completion_tokens_ += p.completion_tokens;
  if (!p.attributes.empty()) {
    json a = json::parse(p.attributes, nullptr, /*allow_exceptions=*/false);
    if (a.is_object()) {
      a["page"] = p.page;
      PF_RETURN_IF_ERROR(page_attributes_.Append(a));
    }
  }
  if (!p.fallback.empty()) {
    PF_RETURN_IF_ERROR(fallbacks_.Append(
        {{"page", p.page}, {"engine", p.engine}, {"reason", p.fallback}}));
  }
  if (sinks_.md) PF_RETURN_IF_ERROR(sinks_.md(PageMarkdown(p)));
  if (sinks_.txt) PF_RETURN_IF_ERROR(sinks_.txt(PagePlainText(p, first_page_)));
  if (sinks_.hocr)
    PF_RETURN_IF_ERROR(sinks_.hocr(HocrPage(p, meta_.name(), meta_.points_dpi)));
  if (sinks_.alto) PF_RETURN_IF_ERROR(sinks_.alto(AltoPage(p, meta_.points_dpi)));
  if (pdf_) PF_RETURN_IF_ERROR(pdf_->Add(p));
  if (!p.error.empty()) {
    PF_RETURN_IF_ERROR(failed_.Append({{"page", p.page}, {"error", p.error}}));
    first_page_ = false;
    return Status::Ok();
  }
  ++engines_[p.engine];
  any_text_ = any_text_ || p.text.find_first_not_of(" \t\r\n") != std::string::npos;
  if (!p.note.empty())
    PF_RETURN_IF_ERROR(notes_.Append({{"page", p.page}, {"note", p.note}}));
  for (const PageRecord::Furniture& f : p.furniture) {
    PF_RETURN_IF_ERROR(
        furniture_.Append({{"page", p.page}, {"kind", f.kind}, {"text", f.text}}));
  }
  if (sinks_.jsonl) {
    if (!first_page_) {
      PF_RETURN_IF_ERROR(sinks_.jsonl(Escaped(kPageSeparator)));
      offset_ += CountCodePoints(kPageSeparator);
    }
    const int64_t len = CountCodePoints(p.text);
    PF_RETURN_IF_ERROR(spans_.Append({offset_, offset_ + len, p.page}));
    offset_ += len;
    PF_RETURN_IF_ERROR(sinks_.jsonl(Escaped(p.text)));
  }
  if (sinks_.jsonl && sinks_.boxes && p.boxes) {
    json entry = {{"page", p.page}};
    entry.update(PageBoxesToJson(*p.boxes));
    PF_RETURN_IF_ERROR(boxes_.Append(entry));
  }
  first_page_ = false;
  return Status::Ok();
}

Status DocumentAssembler::Finish(DocumentSummary* summary) {
  PF_RETURN_IF_ERROR(started_);
  summary->pages_failed = static_cast<int>(failed_.size());
  summary->pages_fallback = static_cast<int>(fallbacks_.size());
  if (pages_ > 0 &&
      static_cast<double>(summary->pages_failed + summary->pages_fallback) / pages_ >
          meta_.max_page_error_rate) {
    summary->over_error_rate = true;
    return Unavailable(std::to_string(summary->pages_failed) + " pages failed and " +
                       std::to_string(summary->pages_fallback) + " fell back of " +
                       std::to_string(pages_) + ", more than --max-page-error-rate " +
                       json(meta_.max_page_error_rate).dump());
  }
  summary->no_text = pages_ > summary->pages_failed && !any_text_;
  if (sinks_.hocr) PF_RETURN_IF_ERROR(sinks_.hocr(HocrFooter()));
  if (sinks_.alto) PF_RETURN_IF_ERROR(sinks_.alto(AltoFooter()));
  // A PDF that cannot be made (a file qpdf cannot read, a stream too large for the
  // budget) costs the PDF alone: the other outputs are written and the record says why.
  if (pdf_) pdf_status_ = pdf_->Write(sinks_.pdf);
  if (!pdf_status_.ok()) summary->pdf_error = pdf_status_.message();
  if (!sinks_.jsonl) return Status::Ok();
  std::time_t created = meta_.created;
  if (created == 0) {
    struct stat st {};
    created =
        stat(meta_.source_path.c_str(), &st) == 0 ? st.st_mtime : std::time(nullptr);
  }
  // The small members as JSON; the per-page lists copied from their spill files
  // behind them (so "attributes" and "metadata" end the record, lists last).
  json metadata = {{"source_file", meta_.name()}, {"pdf_total_pages", meta_.page_count},
                   {"engine", meta_.engine},      {"lang", meta_.lang},
                   {"engines_used", engines_},    {"processing_seconds", seconds_}};
  const bool tokens =
      prompt_tokens_ > 0 || completion_tokens_ > 0 || !page_attributes_.empty();
  if (tokens)
    metadata["tokens"] = {{"prompt", prompt_tokens_}, {"completion", completion_tokens_}};
  json document_notes = meta_.notes;
  if (summary->no_text) document_notes.push_back(kNoTextNote);
  if (!pdf_status_.ok())
    document_notes.push_back("searchable PDF not written: " + pdf_status_.message());
  if (!document_notes.empty()) metadata["document_notes"] = std::move(document_notes);
  const json head = {{"source", "pageflow"},
                     {"added", IsoTime(std::time(nullptr))},
                     {"created", IsoTime(created)}};
  auto open_object = [](const json& j) {  // {"a":1,"b":2} -> "a":1,"b":2
    const std::string s = j.dump(-1, ' ', false, json::error_handler_t::replace);
    return s.substr(1, s.size() - 2);
  };
  const Sink& out = sinks_.jsonl;
  PF_RETURN_IF_ERROR(
      out("\"," + open_object(head) + ",\"attributes\":{\"pdf_page_numbers\":"));
  PF_RETURN_IF_ERROR(spans_.CopyTo(out));
  PF_RETURN_IF_ERROR(out("},\"metadata\":{" + open_object(metadata)));
  const std::pair<const char*, SpilledJsonArray*> lists[] = {
      {"failed_pages", &failed_},
      {"page_notes", &notes_},
      {"fallback_pages", &fallbacks_},
      {"page_furniture", &furniture_},
      {"page_attributes", &page_attributes_},
      {"page_boxes", &boxes_}};
  for (const auto& [name, list] : lists) {
    const std::string key = name;
    // Always: failed_pages, page_notes; the others when they have entries (page_boxes
    // with --boxes, page_attributes beside tokens).
    const bool always = key == "failed_pages" || key == "page_notes" ||
                        (key == "page_boxes" && sinks_.boxes) ||
                        (key == "page_attributes" && tokens);
    if (!always && list->empty()) continue;
    PF_RETURN_IF_ERROR(out(",\"" + key + "\":"));
    PF_RETURN_IF_ERROR(list->CopyTo(out));
  }
  return out("}}\n");
}

Status WriteDocument(const Workspace& ws, const DocumentMeta& meta,
                     const OutputFormats& formats, DocumentSummary* summary,
                     MemoryBudget* budget) {
  std::optional<AtomicFile> jsonl, md, txt, hocr, alto, pdf;
  DocumentAssembler::Sinks sinks;
  sinks.boxes = formats.boxes;
  sinks.spill_dir = ws.spill_dir();
  auto open = [&](std::optional<AtomicFile>* file, const std::string& path,
                  DocumentAssembler::Sink* sink) -> Status {
    PF_ASSIGN_OR_RETURN(AtomicFile f, AtomicFile::Create(path));
    file->emplace(std::move(f));
    *sink = [file](std::string_view s) { return (*file)->Write(s); };
    return Status::Ok();
  };
  if (formats.jsonl)
    PF_RETURN_IF_ERROR(open(&jsonl, ws.ResultPath(meta.id), &sinks.jsonl));
  if (formats.md) {
    PF_ASSIGN_OR_RETURN(std::string path, ws.MirrorPath(meta.relative, "md"));
    PF_RETURN_IF_ERROR(open(&md, path, &sinks.md));
  }
  if (formats.txt) {
    PF_ASSIGN_OR_RETURN(std::string path, ws.MirrorPath(meta.relative, "txt"));
    PF_RETURN_IF_ERROR(open(&txt, path, &sinks.txt));
  }
  if (formats.hocr) {
    PF_ASSIGN_OR_RETURN(std::string path, ws.MirrorPath(meta.relative, "hocr"));
    PF_RETURN_IF_ERROR(open(&hocr, path, &sinks.hocr));
  }
  if (formats.alto) {
    PF_ASSIGN_OR_RETURN(std::string path, ws.MirrorPath(meta.relative, "alto", "xml"));
    PF_RETURN_IF_ERROR(open(&alto, path, &sinks.alto));
  }
  if (formats.pdf) {
    if (budget == nullptr) return Internal("a searchable PDF needs a memory budget");
    PF_ASSIGN_OR_RETURN(std::string path, ws.MirrorPath(meta.relative, "pdf"));
    PF_RETURN_IF_ERROR(open(&pdf, path, &sinks.pdf));
    sinks.budget = budget;
  }
  DocumentAssembler assembler(meta, std::move(sinks));
  // Two passes over the ranges, one range in memory at a time: the first finds the
  // running headers and footers among the pages' margins, the second writes.
  for (const bool observe : {true, false}) {
    for (const PageRange& range : meta.ranges) {
      StatusOr<std::vector<PageRecord>> pages =
          ws.ReadRange(meta.id, range, meta.source_stamp);
      if (!pages.ok()) {
        return pages.status().WithContext("pages " + std::to_string(range.first + 1) +
                                          "-" + std::to_string(range.last + 1));
      }
      for (const PageRecord& p : *pages) {
        if (observe) {
          assembler.Observe(p);
        } else {
          PF_RETURN_IF_ERROR(assembler.Add(p));
        }
      }
    }
  }
  PF_RETURN_IF_ERROR(assembler.Finish(summary));
  if (jsonl) PF_RETURN_IF_ERROR(jsonl->Commit());
  if (md) PF_RETURN_IF_ERROR(md->Commit());
  if (txt) PF_RETURN_IF_ERROR(txt->Commit());
  if (hocr) PF_RETURN_IF_ERROR(hocr->Commit());
  if (alto) PF_RETURN_IF_ERROR(alto->Commit());
  if (pdf && assembler.pdf_status().ok()) PF_RETURN_IF_ERROR(pdf->Commit());
  return Status::Ok();
}

}  // namespace pageflow
