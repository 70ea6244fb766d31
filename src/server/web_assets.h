// The web UI's static files (web/), embedded into the binary at build time by
// embed_web.cmake, so `pageflow serve` needs no files beside it.
//
//   const WebAsset* a = FindWebAsset("app.js");
//   if (a) Send(a->data, a->size, a->content_type);
#pragma once

#include <cstddef>
#include <string_view>

namespace pageflow {

struct WebAsset {
  const char* name;          // file name in web/, e.g. "app.js"
  const char* content_type;  // from the extension
  const unsigned char* data;
  size_t size;
};

// Null when there is no such file.
const WebAsset* FindWebAsset(std::string_view name);

}  // namespace pageflow
