// What a re-run reads back from its output directory: range files, partial range files
// and done markers (Workspace), and the page records inside them. The first byte picks
// the range's length (1-4 pages); the rest is the file's content, written to each of the
// three places.
#include <filesystem>
#include <fstream>

#include "fuzz_target.h"
#include "output/page_record.h"
#include "output/workspace.h"

namespace {

void WriteTo(const std::string& path, std::string_view data) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

}  // namespace

PAGEFLOW_FUZZ_TARGET(resume, data) {
  using namespace pageflow;
  if (data.empty()) return;
  static const std::string dir = fuzz::ScratchDir() + "/out";
  static StatusOr<Workspace> ws = Workspace::Open(dir, "fingerprint");
  fuzz::Check(ws.ok(), "cannot open the workspace");
  const std::string id = "0123456789abcdef";
  const int pages = 1 + static_cast<unsigned char>(data[0]) % 4;
  const PageRange range{1, pages};  // pages 2..pages+1
  const std::string_view content = data.substr(1);
  char name[48];
  std::snprintf(name, sizeof name, "/%06d-%06d", range.first + 1, range.last + 1);
  const std::string base = dir + "/.pageflow/ranges/" + id + name;
  WriteTo(base + ".json", content);
  WriteTo(base + ".partial", content);
  WriteTo(dir + "/.pageflow/done/" + id, content);
  const std::string stamp = "size=1;mtime=2.000000000";
  (void)ws->IsDone(id, stamp);
  (void)ws->IsDone(id);
  StatusOr<std::vector<PageRecord>> ranged = ws->ReadRange(id, range, stamp);
  if (ranged.ok()) {
    fuzz::Check(ranged->size() == static_cast<size_t>(range.size()),
                "a range file read back with another page count");
  }
  StatusOr<std::vector<PageRecord>> partial = ws->ReadPartial(id, range, stamp);
  if (partial.ok()) {
    fuzz::Check(partial->size() < static_cast<size_t>(range.size()),
                "a partial range file holds the whole range");
  }
  // Result files are JSONL of the same records: each line alone.
  size_t start = 0;
  while (start <= content.size()) {
    size_t end = content.find('\n', start);
    if (end == std::string_view::npos) end = content.size();
    StatusOr<PageRecord> record = ParsePageRecord(content.substr(start, end - start));
    if (record.ok()) {
      StatusOr<PageRecord> back = ParsePageRecord(PageRecordJson(*record));
      fuzz::Check(back.ok(), "a page record's own JSON does not parse");
    }
    start = end + 1;
  }
}
