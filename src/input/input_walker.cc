#include "input/input_walker.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "input/format.h"

namespace fs = std::filesystem;

namespace pageflow {

InputWalker::InputWalker(std::vector<std::string> inputs) : inputs_(std::move(inputs)) {}
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
        if (auto item = StartInput(line)) return item;
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
                         NotFound("cannot read input list '" + list_name_ + "'")};
      }
      continue;
    }
    if (auto item = StartInput(input)) return item;
  }
}

std::optional<InputItem> InputWalker::StartInput(const std::string& input) {
  std::error_code ec;
  const fs::file_status st = fs::status(input, ec);
  if (ec || !fs::exists(st)) return InputItem{input, input, NotFound("no such file or directory")};
  if (!fs::is_directory(st)) {
    return InputItem{input, fs::path(input).filename().string(), Status::Ok()};
  }
  root_ = input;
  found_in_root_ = 0;
  dirs_.push_back(DirFrame{});
  fs::directory_iterator it(input, fs::directory_options::skip_permission_denied, ec);
  if (ec) {
    dirs_.clear();
    root_.clear();
    return InputItem{input, input, IoError("cannot list directory: " + ec.message())};
  }
  for (const auto& e : it) dirs_.back().entries.push_back(e.path().string());
  std::sort(dirs_.back().entries.begin(), dirs_.back().entries.end());
  return std::nullopt;
}

std::optional<InputItem> InputWalker::NextFromDirs() {
  DirFrame& top = dirs_.back();
  if (top.next >= top.entries.size()) {
    dirs_.pop_back();
    return std::nullopt;
  }
  const std::string path = top.entries[top.next++];
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    DirFrame frame;
    fs::directory_iterator it(path, fs::directory_options::skip_permission_denied, ec);
    if (!ec) {
      for (const auto& e : it) frame.entries.push_back(e.path().string());
    }
    std::sort(frame.entries.begin(), frame.entries.end());
    dirs_.push_back(std::move(frame));  // invalidates `top`
    return std::nullopt;
  }
  if (!HasDocumentExtension(path)) return std::nullopt;
  ++found_in_root_;
  return InputItem{path, fs::relative(path, root_, ec).string(), Status::Ok()};
}

}  // namespace pageflow
