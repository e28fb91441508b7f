#ifndef MAKEGOOD_HTTP_WEB_ASSETS_H_
#define MAKEGOOD_HTTP_WEB_ASSETS_H_

// The files of src/web (the tablet and manager app), embedded into
// makegoodd at build time (embed_web_assets.cmake writes web_assets.cc),
// so that a built daemon serves its screens with no files beside it.

#include <cstddef>

#include "absl/strings/string_view.h"

namespace makegood::http {

struct WebAsset {
  // Relative to src/web: "app.js", "views/checks.js".
  absl::string_view path;
  absl::string_view bytes;
};

// Every file of src/web but its README files, sorted by path.
extern const WebAsset kWebAssets[];
extern const size_t kWebAssetCount;
// The first 16 hex digits of a SHA-256 over every file: assets are served
// under /assets/<hash>/ with a year-long cache, and a new build's files get
// new URLs.
extern const absl::string_view kWebAssetsHash;

}  // namespace makegood::http

#endif  // MAKEGOOD_HTTP_WEB_ASSETS_H_
