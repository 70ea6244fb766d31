#include "output/workspace.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <system_error>

#include "output/atomic_file.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace pageflow {

std::string DocumentId(const std::string& path) {
  std::error_code ec;
  std::string abs = fs::absolute(path, ec).lexically_normal().string();
  if (ec) abs = path;
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : abs) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

StatusOr<Workspace> Workspace::Open(const std::string& out_dir, std::string fingerprint,
                                    bool remove_stale_temporaries) {
  Workspace ws(out_dir, std::move(fingerprint));
  std::error_code ec;
  for (const std::string& d : {out_dir + "/results", ws.state_dir() + "/ranges",
                               ws.state_dir() + "/done", ws.state_dir() + "/failed"}) {
    fs::create_directories(d, ec);
    if (ec) return IoError("cannot create output directory " + d + ": " + ec.message());
  }
  // Found now, not after every page is done: a results folder (or state folder) this
  // process cannot list or write to.
  for (const std::string& d : {out_dir + "/results", ws.state_dir() + "/done"}) {
    fs::directory_iterator it(d, ec);
    if (ec) return IoError("cannot read output directory " + d + ": " + ec.message());
    const std::string probe = d + "/.write-test-" + std::to_string(getpid());
    Status st = WriteFileAtomically(probe, "");
    if (!st.ok())
      return IoError("cannot write to output directory " + d + ": " + st.message());
    fs::remove(probe, ec);
  }
  if (remove_stale_temporaries) RemoveStaleTemporaries(out_dir);
  return ws;
}

std::string Workspace::ResultPath(const std::string& id) const {
  return dir_ + "/results/" + id + ".jsonl";
}

StatusOr<std::string> Workspace::MirrorPath(const std::string& relative,
                                            const std::string& ext) const {
  return MirrorPath(relative, ext, ext);
}

StatusOr<std::string> Workspace::MirrorPath(const std::string& relative,
                                            const std::string& subdir,
                                            const std::string& ext) const {
  fs::path rel = fs::path(relative).lexically_normal();
  const std::string first = rel.empty() ? std::string() : rel.begin()->string();
  if (rel.empty() || rel.is_absolute() || first == ".." || first == "." ||
      !rel.has_filename()) {
    return InvalidArgument("mirror path '" + relative +
                           "' is not a file path below --out");
  }
  rel.replace_extension(ext);
  return dir_ + "/" + subdir + "/" + rel.string();
}

std::string Workspace::RangePath(const std::string& id, PageRange range) const {
  char buf[48];
  std::snprintf(buf, sizeof buf, "/%06d-%06d.json", range.first + 1, range.last + 1);
  return state_dir() + "/ranges/" + id + buf;
}

std::string SourceStamp(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return "";
  char buf[96];
  std::snprintf(
      buf, sizeof buf, "size=%lld;mtime=%lld.%09ld", static_cast<long long>(st.st_size),
      static_cast<long long>(st.st_mtim.tv_sec), static_cast<long>(st.st_mtim.tv_nsec));
  return buf;
}

namespace {

// A string member of `doc`, "" when absent or of another type (a damaged file).
std::string StringMember(const json& doc, const char* key) {
  const auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// What a range or partial file holds besides its pages.
struct PagesFileHead {
  bool ours = false;  // a JSON object whose "fingerprint" is this run's
  bool has_source =
      false;           // it has a "source" member: the input version it was made from
  std::string source;  // that version (SourceStamp); "" when not a string
  size_t pages = 0;    // entries of its "pages" array
};

// Reads {"fingerprint":F[,"source":S],"pages":[P,...]} (WritePagesFile's form) from the
// file as a stream, a page at a time: what it holds at once is one page's JSON and, into
// `pages` (null: only count them), the pages' records — never the file's text or all of
// its JSON, which for a range of many long pages (--pages-per-range) would be several
// times the records. NOT_FOUND without the file; CORRUPT if it is not such an object or a
// page is damaged. A file of another run (another fingerprint) comes back with
// ours = false and no pages read.
StatusOr<PagesFileHead> ScanPagesFile(const std::string& path,
                                      const std::string& fingerprint,
                                      std::vector<PageRecord>* pages) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read " + path);
  PagesFileHead head;
  std::string key;  // the top-level member being read
  Status page_status;
  const json::parser_callback_t visit = [&](int depth, json::parse_event_t event,
                                            json& parsed) -> bool {
    using E = json::parse_event_t;
    if (depth == 1 && event == E::key) {
      key = parsed.is_string() ? parsed.get<std::string>() : std::string();
      return true;
    }
    if (depth == 1 && event == E::value && key == "fingerprint") {
      head.ours = parsed.is_string() && parsed.get<std::string>() == fingerprint;
      return true;
    }
    // A finished element of "pages": taken and dropped from the tree being built.
    if (depth == 2 && key == "pages" && (event == E::object_end || event == E::value)) {
      ++head.pages;
      if (head.ours && pages != nullptr && page_status.ok()) {
        StatusOr<PageRecord> p = PageRecordFromJson(parsed);
        if (p.ok()) {
          pages->push_back(std::move(*p));
        } else {
          page_status = p.status();
        }
      }
      return false;
    }
    return true;
  };
  // What is left of the file: its members but the pages.
  const json doc = json::parse(in, visit, /*allow_exceptions=*/false);
  const auto it = doc.is_object() ? doc.find("pages") : doc.end();
  if (it == doc.end() || !it->is_array()) return Corrupt("stale or damaged range file");
  head.ours = StringMember(doc, "fingerprint") == fingerprint;
  head.has_source = doc.contains("source");
  head.source = StringMember(doc, "source");
  if (!head.ours && pages != nullptr) pages->clear();
  PF_RETURN_IF_ERROR(page_status);
  return head;
}

// Whether a range file's head fits `range` of the input version `source_stamp`.
Status CheckRange(const PagesFileHead& head, PageRange range,
                  const std::string& source_stamp) {
  if (!head.ours || head.pages != static_cast<size_t>(range.size())) {
    return Corrupt("stale or damaged range file");
  }
  if (!source_stamp.empty() && head.has_source && head.source != source_stamp) {
    return Corrupt("range file of another version of the input");
  }
  return Status::Ok();
}

// Writes {"fingerprint":F[,"source":S],"pages":[P,...]} a page at a time, so a range of
// many long pages (--pages-per-range) is never in memory twice more (as JSON values and
// as their text, then thrice with the file's text): the pages' records alone, plus one
// page's JSON.
Status WritePagesFile(const std::string& path, const std::string& fingerprint,
                      const std::string* source, const std::vector<PageRecord>& pages) {
  PF_ASSIGN_OR_RETURN(AtomicFile file, AtomicFile::Create(path));
  json head = {{"fingerprint", fingerprint}};
  if (source != nullptr) head["source"] = *source;
  std::string text = head.dump(-1, ' ', false, json::error_handler_t::replace);
  text.pop_back();  // the closing brace: "pages" follows
  text += ",\"pages\":[";
  PF_RETURN_IF_ERROR(file.Write(text));
  for (size_t i = 0; i < pages.size(); ++i) {
    text = i == 0 ? "" : ",";
    text +=
        PageRecordToJson(pages[i]).dump(-1, ' ', false, json::error_handler_t::replace);
    PF_RETURN_IF_ERROR(file.Write(text));
  }
  PF_RETURN_IF_ERROR(file.Write("]}"));
  return file.Commit();
}

}  // namespace

bool Workspace::IsDone(const std::string& id, const std::string& source_stamp) const {
  StatusOr<std::string> marker = ReadSmallFile(state_dir() + "/done/" + id);
  if (!marker.ok()) return false;
  const size_t eol = marker->find('\n');
  if (marker->substr(0, eol) != fingerprint_) return false;
  if (eol == std::string::npos || source_stamp.empty()) return true;
  return marker->substr(eol + 1) == source_stamp;
}

bool Workspace::HasRange(const std::string& id, PageRange range,
                         const std::string& source_stamp) const {
  StatusOr<PagesFileHead> head =
      ScanPagesFile(RangePath(id, range), fingerprint_, nullptr);
  return head.ok() && CheckRange(*head, range, source_stamp).ok();
}

Status Workspace::WriteRange(const std::string& id, PageRange range,
                             const std::vector<PageRecord>& pages,
                             const std::string& source_stamp) {
  return WritePagesFile(RangePath(id, range), fingerprint_,
                        source_stamp.empty() ? nullptr : &source_stamp, pages);
}

StatusOr<std::vector<PageRecord>> Workspace::ReadRange(
    const std::string& id, PageRange range, const std::string& source_stamp) const {
  std::vector<PageRecord> pages;
  PF_ASSIGN_OR_RETURN(PagesFileHead head,
                      ScanPagesFile(RangePath(id, range), fingerprint_, &pages));
  PF_RETURN_IF_ERROR(CheckRange(head, range, source_stamp));
  return pages;
}

Status Workspace::MarkDone(const std::string& id, const std::string& source_stamp) {
  return WriteFileAtomically(
      state_dir() + "/done/" + id,
      source_stamp.empty() ? fingerprint_ : fingerprint_ + "\n" + source_stamp);
}

std::string Workspace::PartialPath(const std::string& id, PageRange range) const {
  std::string path = RangePath(id, range);
  return path.substr(0, path.size() - 5) + ".partial";  // ".json" -> ".partial"
}

Status Workspace::WritePartial(const std::string& id, PageRange range,
                               const std::vector<PageRecord>& pages,
                               const std::string& source_stamp) {
  return WritePagesFile(PartialPath(id, range), fingerprint_, &source_stamp, pages);
}

StatusOr<std::vector<PageRecord>> Workspace::ReadPartial(
    const std::string& id, PageRange range, const std::string& source_stamp) const {
  std::vector<PageRecord> pages;
  StatusOr<PagesFileHead> scanned =
      ScanPagesFile(PartialPath(id, range), fingerprint_, &pages);
  if (!scanned.ok() && scanned.status().code() == StatusCode::kNotFound)
    return scanned.status();
  const PagesFileHead head = scanned.ok() ? *scanned : PagesFileHead{};
  if (!scanned.ok() || !head.ours || head.source != source_stamp ||
      head.pages >= static_cast<size_t>(range.size())) {
    return Corrupt("stale or damaged partial range file");
  }
  for (const PageRecord& p : pages) {
    if (p.page < range.first + 1 || p.page > range.last + 1) {
      return Corrupt("partial range file holds a page outside its range");
    }
  }
  return pages;
}

void Workspace::RemovePartial(const std::string& id, PageRange range) {
  std::error_code ec;
  fs::remove(PartialPath(id, range), ec);
}

void Workspace::Cleanup(const std::string& id) {
  std::error_code ec;
  fs::remove_all(state_dir() + "/ranges/" + id, ec);
  fs::remove(state_dir() + "/failed/" + id + ".json", ec);
}

Status Workspace::RecordFailure(const std::string& id, const std::string& path,
                                const std::string& reason) {
  json j = {{"id", id}, {"source_file", path}, {"error", reason}};
  return WriteFileAtomically(
      state_dir() + "/failed/" + id + ".json",
      j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n");
}

}  // namespace pageflow
