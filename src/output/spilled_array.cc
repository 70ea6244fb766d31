#include "output/spilled_array.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace pageflow {

StatusOr<std::FILE*> OpenSpillFile(const std::string& dir) {
  std::string path = (dir.empty() ? std::string(".") : dir) + "/spill-XXXXXX";
  const int fd = mkstemp(path.data());
  if (fd < 0)
    return IoError("cannot create a spill file in " + dir + ": " + std::strerror(errno));
  unlink(path.c_str());
  std::FILE* f = fdopen(fd, "w+b");
  if (f == nullptr) {
    close(fd);
    return IoError("cannot open a spill file: " + std::string(std::strerror(errno)));
  }
  return f;
}

Status SpilledJsonArray::Append(const nlohmann::json& element) {
  if (!file_) {
    PF_ASSIGN_OR_RETURN(std::FILE * f, OpenSpillFile(dir_));
    file_.reset(f);
  }
  const std::string text =
      (size_ > 0 ? "," : "") +
      element.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (std::fwrite(text.data(), 1, text.size(), file_.get()) != text.size())
    return IoError("cannot write to a spill file: " + std::string(std::strerror(errno)));
  ++size_;
  return Status::Ok();
}

Status SpilledJsonArray::CopyTo(const Sink& sink) {
  PF_RETURN_IF_ERROR(sink("["));
  if (file_) {
    if (std::fflush(file_.get()) != 0 || std::fseek(file_.get(), 0, SEEK_SET) != 0)
      return IoError("cannot read back a spill file: " +
                     std::string(std::strerror(errno)));
    // A fixed 64 KiB window whatever the array's length, for the moment of the copy:
    // below what the budget charges for (page-sized buffers), like an output file's
    // own stdio buffer.
    std::string chunk(64 << 10, '\0');
    size_t n = 0;
    while ((n = std::fread(chunk.data(), 1, chunk.size(), file_.get())) > 0) {
      PF_RETURN_IF_ERROR(sink(std::string_view(chunk.data(), n)));
    }
    if (std::ferror(file_.get()))
      return IoError("cannot read back a spill file: " +
                     std::string(std::strerror(errno)));
  }
  return sink("]");
}

}  // namespace pageflow
