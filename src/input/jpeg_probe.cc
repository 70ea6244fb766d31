#include "input/jpeg_probe.h"

#include <csetjmp>
#include <cstdio>
#include <memory>

extern "C" {
#include <jpeglib.h>
}

namespace pageflow {
namespace {

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};

// libjpeg's default error handler exits the process; this one jumps back instead.
struct ErrorManager {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void ErrorExit(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

void Silent(j_common_ptr /*cinfo*/, int /*level*/) {}

int64_t RoundUp(int64_t n, int64_t multiple) {
  return (n + multiple - 1) / multiple * multiple;
}

}  // namespace

StatusOr<JpegLayout> ProbeJpeg(const std::string& path) {
  std::unique_ptr<FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) return IoError("cannot open the JPEG file");
  jpeg_decompress_struct cinfo;
  ErrorManager err;
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = ErrorExit;
  err.pub.emit_message = Silent;
  // Nothing with a destructor lives between setjmp and the longjmp that may return here.
  if (setjmp(err.jump) != 0) {
    jpeg_destroy_decompress(&cinfo);
    return Corrupt(std::string("cannot read the JPEG header: ") + err.message);
  }
  jpeg_create_decompress(&cinfo);
  jpeg_stdio_src(&cinfo, f.get());
  jpeg_read_header(&cinfo, TRUE);
  JpegLayout layout;
  layout.width = static_cast<int>(cinfo.image_width);
  layout.height = static_cast<int>(cinfo.image_height);
  layout.components = cinfo.num_components;
  // jdcoefct.c allocates whole-image coefficient arrays whenever the file has more than
  // one scan (progressive, or a sequential file with several scans).
  layout.progressive = cinfo.progressive_mode || jpeg_has_multiple_scans(&cinfo);
  if (layout.progressive) {
    for (int c = 0; c < cinfo.num_components; ++c) {
      const jpeg_component_info& comp = cinfo.comp_info[c];
      const int64_t blocks = RoundUp(comp.width_in_blocks, comp.h_samp_factor) *
                             RoundUp(comp.height_in_blocks, comp.v_samp_factor);
      layout.coefficient_bytes += blocks * DCTSIZE2 * static_cast<int64_t>(sizeof(JCOEF));
    }
  }
  jpeg_destroy_decompress(&cinfo);
  return layout;
}

}  // namespace pageflow
