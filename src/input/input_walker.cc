#include "input/input_walker.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "input/format.h"

namespace fs = std::filesystem;

namespace pageflow {

InputWalker::InputWalker(std::vector<std::string> inputs) : inputs_(std::move(inputs)) {
  int dirs = 0;
  for (const std::string& input : inputs_) {
    std::error_code ec;
    if (!input.empty() && input[0] != '@' && fs::is_directory(input, ec)) ++dirs;
  }
  prefix_roots_ = dirs > 1;
}
InputWalker::~InputWalker() = default;

std::optional<InputItem> InputWalker::Next() {
  for (;;) {
    if (!dirs_.empty()) {
      if (auto item = NextFromDirs()) return item;
      continue;
    }
    if (!root_.empty()) {
      const std::string root = root_;
      root_.clear();
      if (found_in_root_ == 0) {
        return InputItem{root, root,
                         NotFound("directory '" + root + "' holds no PDF, PNG, JPEG or TIFF files")};
      }
    }
    if (list_) {
      std::string line;
      if (std::getline(*list_, line)) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        if (line.empty() || line[0] == '#') continue;
        if (auto item = StartInput(line, /*from_list=*/true)) return item;
        continue;
      }
      list_.reset();
      continue;
    }
    if (next_input_ >= inputs_.size()) return std::nullopt;
    const std::string input = inputs_[next_input_++];
    if (!input.empty() && input[0] == '@') {
      list_name_ = input.substr(1);
      list_ = std::make_unique<std::ifstream>(list_name_);
      if (!*list_) {
        list_.reset();
        return InputItem{list_name_, list_name_,
                         NotFound("cannot read input list '" + list_name_ +
                                  "': " + std::strerror(errno))};
      }
      continue;
    }
    if (auto item = StartInput(input, /*from_list=*/false)) return item;
  }
}

bool InputWalker::FirstVisit(const std::string& dir) {
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0) return false;
  return visited_dirs_
      .emplace(static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino))
      .second;
}

std::string InputWalker::RootPrefix(const std::string& input) {
  std::string name = fs::path(input).lexically_normal().filename().string();
  if (name.empty())
    name = fs::path(input).lexically_normal().parent_path().filename().string();
  if (name.empty() || name == "." || name == "..") {
    std::error_code ec;
    name = fs::absolute(input, ec).lexically_normal().parent_path().filename().string();
    if (name.empty()) name = "input";
  }
  std::string prefix = name;
  for (int n = 2; !root_prefixes_.insert(prefix).second; ++n) {
    prefix = name + "-" + std::to_string(n);
  }
  return prefix;
}

std::optional<InputItem> InputWalker::StartInput(const std::string& input,
                                                 bool from_list) {
  // "-" on the command line is the standard input, which the caller reads (spools).
  if (input == kStdinInput && !from_list) return InputItem{input, "stdin", Status::Ok()};
  std::error_code ec;
  const fs::file_status st = fs::status(input, ec);
  if (ec || !fs::exists(st)) return InputItem{input, input, NotFound("no such file or directory")};
  if (!fs::is_directory(st)) {
    return InputItem{input, fs::path(input).filename().string(), Status::Ok()};
  }
  if (!FirstVisit(input)) return std::nullopt;  // named twice: walked already
  DirFrame frame;
  if (!List(input, &frame, ec)) {
    return InputItem{input, input, IoError("cannot list directory: " + ec.message())};
  }
  if (prefix_roots_ || from_list) frame.relative = RootPrefix(input);
  root_ = input;
  found_in_root_ = 0;
  dirs_.push_back(std::move(frame));
  return std::nullopt;
}

bool InputWalker::List(const std::string& dir, DirFrame* frame, std::error_code& ec) {
  frame->dir = dir;
  // No skip_permission_denied: a folder we may not read is an error, not an empty one.
  fs::directory_iterator it(dir, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    frame->order.push_back(static_cast<uint32_t>(frame->names.size()));
    frame->names += it->path().filename().string();
    frame->names += '\0';
  }
  if (ec) return false;
  const char* base = frame->names.data();
  std::sort(frame->order.begin(), frame->order.end(),
            [base](uint32_t a, uint32_t b) { return std::strcmp(base + a, base + b) < 0; });
  return true;
}

std::optional<InputItem> InputWalker::NextFromDirs() {
  DirFrame& top = dirs_.back();
  if (top.next >= top.order.size()) {
    dirs_.pop_back();
    return std::nullopt;
  }
  const char* name = top.names.data() + top.order[top.next++];
  const std::string path = (fs::path(top.dir) / name).string();
  // As walked: a symlink's own name, never where it points.
  const std::string relative =
      top.relative.empty() ? std::string(name) : (fs::path(top.relative) / name).string();
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    if (!FirstVisit(path)) return std::nullopt;  // a loop, or a folder seen via a link
    DirFrame frame;
    if (!List(path, &frame, ec)) {
      ++found_in_root_;  // reported here: not also "holds no PDF"
      return InputItem{path, relative, IoError("cannot read folder: " + ec.message())};
    }
    frame.relative = relative;
    dirs_.push_back(std::move(frame));  // invalidates `top`
    return std::nullopt;
  }
  if (!HasDocumentExtension(path)) return std::nullopt;
  ++found_in_root_;
  return InputItem{path, relative, Status::Ok()};
}

}  // namespace pageflow
