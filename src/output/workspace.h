// Workspace: a run's output directory is also its memory of what is done.
//
//   DIR/results/ID.jsonl          finished documents (see docs/output-format.md)
//   DIR/md/REL.md, DIR/txt/REL.txt  optional mirrors of the input tree (also
//   DIR/hocr/REL.hocr, DIR/alto/REL.xml)
//   DIR/.pageflow/ranges/ID/FIRST-LAST.json  finished page ranges of unfinished documents
//   DIR/.pageflow/ranges/ID/FIRST-LAST.partial  the finished pages of a range a stop
//                                 (SIGINT/SIGTERM) left unfinished
//   DIR/.pageflow/done/ID         finished document marker: the fingerprint, then the
//                                 input's size and modification time (SourceStamp)
//   DIR/.pageflow/failed/ID.json  documents that could not be opened, with the reason
//
// Every file is written atomically, so a killed run leaves only whole files; a re-run
// with the same options (same fingerprint) skips done documents and done ranges.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "output/page_record.h"

namespace pageflow {

struct PageRange {
  int first = 0;  // 0-based, inclusive
  int last = 0;   // 0-based, inclusive
  int size() const { return last - first + 1; }
};

class Workspace {
 public:
  // Creates the directory tree and (unless told not to: other live processes may be
  // writing there) removes temporaries left by killed runs.
  static StatusOr<Workspace> Open(const std::string& out_dir, std::string fingerprint,
                                  bool remove_stale_temporaries = true);

  const std::string& dir() const { return dir_; }
  const std::string& fingerprint() const { return fingerprint_; }
  std::string ResultPath(const std::string& id) const;
  // DIR/EXT/RELATIVE.EXT. INVALID_ARGUMENT when `relative` is empty, absolute or
  // would leave DIR/EXT once normalized ("../../x"): nothing is written outside DIR.
  StatusOr<std::string> MirrorPath(const std::string& relative,
                                   const std::string& ext) const;
  // DIR/SUBDIR/RELATIVE.EXT, the same checks (alto/REL.xml).
  StatusOr<std::string> MirrorPath(const std::string& relative, const std::string& subdir,
                                   const std::string& ext) const;
  // Where temporary spill files of document assembly go (DIR/.pageflow).
  std::string spill_dir() const { return state_dir(); }

  // `source_stamp` (SourceStamp of the input, may be empty): a marker or range file made
  // from another version of the input (another size or modification time) does not
  // count, so a changed input is done again. Markers and ranges without a stamp count.
  bool IsDone(const std::string& id, const std::string& source_stamp = "") const;
  bool HasRange(const std::string& id, PageRange range,
                const std::string& source_stamp = "") const;
  Status WriteRange(const std::string& id, PageRange range,
                    const std::vector<PageRecord>& pages,
                    const std::string& source_stamp = "");
  StatusOr<std::vector<PageRecord>> ReadRange(const std::string& id, PageRange range,
                                              const std::string& source_stamp = "") const;
  Status MarkDone(const std::string& id, const std::string& source_stamp = "");
  // The finished pages (any subset, in any order) of a range left unfinished, so that a
  // re-run does only the rest. ReadPartial: NOT_FOUND without one; CORRUPT if it is
  // stale (other options or another version of the input) or damaged.
  Status WritePartial(const std::string& id, PageRange range,
                      const std::vector<PageRecord>& pages,
                      const std::string& source_stamp);
  StatusOr<std::vector<PageRecord>> ReadPartial(const std::string& id, PageRange range,
                                                const std::string& source_stamp) const;
  void RemovePartial(const std::string& id, PageRange range);
  // Drops a finished document's ranges and any earlier failure record.
  void Cleanup(const std::string& id);
  Status RecordFailure(const std::string& id, const std::string& path, const std::string& reason);

 private:
  Workspace(std::string dir, std::string fingerprint)
      : dir_(std::move(dir)), fingerprint_(std::move(fingerprint)) {}
  std::string RangePath(const std::string& id, PageRange range) const;
  std::string PartialPath(const std::string& id, PageRange range) const;
  std::string state_dir() const { return dir_ + "/.pageflow"; }

  std::string dir_;
  std::string fingerprint_;
};

// Stable 16-hex-digit id of a document path (FNV-1a of its absolute, normalized path).
std::string DocumentId(const std::string& path);

// "size=12345;mtime=1764633600.123456789": what tells a changed input from the one a
// marker was made from. Empty if the file cannot be stat'ed.
std::string SourceStamp(const std::string& path);

}  // namespace pageflow
