#include "output/document_writer.h"

#include <sys/stat.h>

#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "output/atomic_file.h"

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
    if (item == "jsonl") f.jsonl = true;
    else if (item == "md" || item == "markdown") f.md = true;
    else if (item == "txt" || item == "text") f.txt = true;
    else if (!item.empty()) return InvalidArgument("unknown output format '" + item + "' (use jsonl, md, txt)");
  }
  if (!f.jsonl && !f.md && !f.txt) return InvalidArgument("--format names no output format");
  return f;
}

int64_t CountCodePoints(std::string_view s) {
  int64_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

Status WriteDocument(const Workspace& ws, const DocumentMeta& meta, const OutputFormats& formats,
                     DocumentSummary* summary) {
  std::optional<AtomicFile> jsonl, md, txt;
  if (formats.jsonl) {
    PF_ASSIGN_OR_RETURN(AtomicFile f, AtomicFile::Create(ws.ResultPath(meta.id)));
    jsonl.emplace(std::move(f));
    PF_RETURN_IF_ERROR(jsonl->Write("{\"id\":" + json(meta.id).dump() + ",\"text\":\""));
  }
  if (formats.md) {
    PF_ASSIGN_OR_RETURN(std::string path, ws.MirrorPath(meta.relative, "md"));
    PF_ASSIGN_OR_RETURN(AtomicFile f, AtomicFile::Create(path));
    md.emplace(std::move(f));
  }
  if (formats.txt) {
    PF_ASSIGN_OR_RETURN(std::string path, ws.MirrorPath(meta.relative, "txt"));
    PF_ASSIGN_OR_RETURN(AtomicFile f, AtomicFile::Create(path));
    txt.emplace(std::move(f));
  }

  json spans = json::array();
  json failed = json::array();
  json notes = json::array();
  json fallbacks = json::array();
  json page_attributes = json::array();
  int64_t prompt_tokens = 0, completion_tokens = 0;
  std::map<std::string, int> engines;
  int64_t offset = 0;
  bool first_page = true;
  double seconds = 0;
  for (const PageRange& range : meta.ranges) {
    // One range in memory at a time.
    StatusOr<std::vector<PageRecord>> pages = ws.ReadRange(meta.id, range);
    if (!pages.ok()) return pages.status().WithContext("pages " + std::to_string(range.first + 1) + "-" + std::to_string(range.last + 1));
    for (const PageRecord& p : *pages) {
      seconds += p.seconds;
      prompt_tokens += p.prompt_tokens;
      completion_tokens += p.completion_tokens;
      if (!p.attributes.empty()) {
        json a = json::parse(p.attributes, nullptr, /*allow_exceptions=*/false);
        if (a.is_object()) {
          a["page"] = p.page;
          page_attributes.push_back(std::move(a));
        }
      }
      if (!p.fallback.empty()) fallbacks.push_back({{"page", p.page}, {"engine", p.engine}, {"reason", p.fallback}});
      if (!p.error.empty()) {
        failed.push_back({{"page", p.page}, {"error", p.error}});
        if (md) PF_RETURN_IF_ERROR(md->Write("<!-- page " + std::to_string(p.page) + " failed: " + p.error + " -->\n\n"));
        if (txt && !first_page) PF_RETURN_IF_ERROR(txt->Write("\f"));
        first_page = false;
        continue;
      }
      ++engines[p.engine];
      if (!p.note.empty()) notes.push_back({{"page", p.page}, {"note", p.note}});
      if (jsonl) {
        if (!first_page) PF_RETURN_IF_ERROR(jsonl->Write(Escaped(kPageSeparator)));
        if (!first_page) offset += CountCodePoints(kPageSeparator);
        const int64_t len = CountCodePoints(p.text);
        spans.push_back({offset, offset + len, p.page});
        offset += len;
        PF_RETURN_IF_ERROR(jsonl->Write(Escaped(p.text)));
      }
      if (md) PF_RETURN_IF_ERROR(md->Write("<!-- page " + std::to_string(p.page) + " -->\n\n" + p.text + "\n\n"));
      if (txt) {
        if (!first_page) PF_RETURN_IF_ERROR(txt->Write("\f"));
        PF_RETURN_IF_ERROR(txt->Write(p.text + "\n"));
      }
      first_page = false;
    }
  }
  summary->pages_failed = static_cast<int>(failed.size());
  summary->pages_fallback = static_cast<int>(fallbacks.size());
  int64_t pages_total = 0;
  for (const PageRange& range : meta.ranges) pages_total += range.size();
  if (pages_total > 0 &&
      static_cast<double>(summary->pages_failed + summary->pages_fallback) / pages_total > meta.max_page_error_rate) {
    summary->over_error_rate = true;
    return Unavailable(std::to_string(summary->pages_failed) + " pages failed and " +
                       std::to_string(summary->pages_fallback) + " fell back of " + std::to_string(pages_total) +
                       ", more than --max-page-error-rate " + json(meta.max_page_error_rate).dump());
  }

  if (jsonl) {
    struct stat st {};
    const std::time_t created = stat(meta.source_path.c_str(), &st) == 0 ? st.st_mtime : std::time(nullptr);
    json metadata = {{"source_file", meta.source_path},
                     {"pdf_total_pages", meta.page_count},
                     {"engine", meta.engine},
                     {"lang", meta.lang},
                     {"engines_used", engines},
                     {"failed_pages", failed},
                     {"page_notes", notes},
                     {"processing_seconds", seconds}};
    if (prompt_tokens > 0 || completion_tokens > 0 || !page_attributes.empty()) {
      metadata["tokens"] = {{"prompt", prompt_tokens}, {"completion", completion_tokens}};
      metadata["page_attributes"] = page_attributes;
    }
    if (!fallbacks.empty()) metadata["fallback_pages"] = fallbacks;
    json tail = {{"source", "pageflow"},
                 {"added", IsoTime(std::time(nullptr))},
                 {"created", IsoTime(created)},
                 {"metadata", metadata},
                 {"attributes", {{"pdf_page_numbers", spans}}}};
    std::string rest = tail.dump(-1, ' ', false, json::error_handler_t::replace);
    rest[0] = ',';  // splice the remaining fields after "text"
    PF_RETURN_IF_ERROR(jsonl->Write("\"" + rest + "\n"));
    PF_RETURN_IF_ERROR(jsonl->Commit());
  }
  if (md) PF_RETURN_IF_ERROR(md->Commit());
  if (txt) PF_RETURN_IF_ERROR(txt->Commit());
  return Status::Ok();
}

}  // namespace pageflow
