// InputWalker: turns the command line's INPUTs (files, directories walked recursively
// in sorted order, and @list.txt files of one path per line) into a lazy stream of
// document paths. Memory is bounded by the largest single directory listing, never by
// the total number of documents.
//
//   InputWalker walker({"scans/", "@more.txt", "a.pdf"});
//   while (std::optional<InputItem> item = walker.Next()) { ... }
#pragma once

#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "base/status.h"

namespace pageflow {

// The INPUT that names the standard input: passed through as an item of its own (path
// "-", relative "stdin") for the caller to read; in an @list it is a file called "-".
inline constexpr char kStdinInput[] = "-";

struct InputItem {
  std::string path;      // as given or found (relative to the working directory)
  // Path below the INPUT it came from, as walked (never resolved through symlinks), for
  // output mirrors. When the command line names more than one directory (or the
  // directory comes from an @list), it starts with that directory's name
  // ("2019/report.pdf"), so equal names under different roots stay apart.
  std::string relative;
  Status error;          // non-OK: this input could not be used (message names it)
};

class InputWalker {
 public:
  explicit InputWalker(std::vector<std::string> inputs);
  ~InputWalker();
  InputWalker(const InputWalker&) = delete;
  InputWalker& operator=(const InputWalker&) = delete;

  // The next document (or input error), or nullopt when all inputs are exhausted.
  // A folder that cannot be listed is an error item. A folder already walked in this
  // run (by device and inode: a symlink loop such as `loop -> ..`, or a second link to
  // the same folder) is skipped, so each file is listed once.
  std::optional<InputItem> Next();

 private:
  // One directory's listing, sorted. Its names share one buffer (about 5 bytes per
  // entry beyond the name itself), so a folder of a million files lists in ~20 MB.
  // Not charged to the memory budget (the walker runs before any budget exists, e.g.
  // in `plan`); it is bounded by the largest folder, not by the collection.
  struct DirFrame {
    std::string dir;
    std::string relative;         // `dir` below the INPUT (with the root's prefix)
    std::string names;            // every entry's name, each followed by '\0'
    std::vector<uint32_t> order;  // offsets into `names`, in sorted order
    size_t next = 0;
  };
  static bool List(const std::string& dir, DirFrame* frame, std::error_code& ec);
  std::optional<InputItem> NextFromDirs();
  std::optional<InputItem> StartInput(const std::string& input, bool from_list);
  // False if the folder was walked before in this run (or cannot be stat'ed).
  bool FirstVisit(const std::string& dir);
  // "2019" for INPUT "data/2019/"; a repeated name gets "-2", "-3"...
  std::string RootPrefix(const std::string& input);

  std::vector<std::string> inputs_;
  size_t next_input_ = 0;
  std::unique_ptr<std::ifstream> list_;  // open @list.txt, if any
  std::string list_name_;
  std::string root_;                     // the directory INPUT being walked
  std::vector<DirFrame> dirs_;           // depth-first stack
  size_t found_in_root_ = 0;
  bool prefix_roots_ = false;  // more than one directory on the command line
  // Folders walked in this run, by (device, inode): about 50 bytes per folder (not per
  // file), the price of walking each folder once whatever links point at it.
  std::set<std::pair<uint64_t, uint64_t>> visited_dirs_;
  std::set<std::string> root_prefixes_;
};

}  // namespace pageflow
