#include "input/input_walker.h"

#include <algorithm>
#include <cstring>
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
  DirFrame frame;
  if (!List(input, &frame, ec)) {
    root_.clear();
    return InputItem{input, input, IoError("cannot list directory: " + ec.message())};
  }
  dirs_.push_back(std::move(frame));
  return std::nullopt;
}

bool InputWalker::List(const std::string& dir, DirFrame* frame, std::error_code& ec) {
  frame->dir = dir;
  fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) return false;
  for (const auto& e : it) {
    frame->order.push_back(static_cast<uint32_t>(frame->names.size()));
    frame->names += e.path().filename().string();
    frame->names += '\0';
  }
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
  const std::string path = (fs::path(top.dir) / (top.names.data() + top.order[top.next++])).string();
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    DirFrame frame;
    List(path, &frame, ec);  // an unreadable subdirectory lists as empty
    dirs_.push_back(std::move(frame));  // invalidates `top`
    return std::nullopt;
  }
  if (!HasDocumentExtension(path)) return std::nullopt;
  ++found_in_root_;
  return InputItem{path, fs::relative(path, root_, ec).string(), Status::Ok()};
}

}  // namespace pageflow
