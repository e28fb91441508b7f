#include "http/app_pages.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "http/connect_gateway.h"
#include "http/rpc_call.h"
#include "http/web_assets.h"
#include "makegood/v1/report.pb.h"
#include "report/render.h"

namespace makegood::http {
namespace {

constexpr char kAssetsPlaceholder[] = "{{ASSETS}}";
constexpr char kNoCache[] = "no-cache";
constexpr char kForever[] = "public, max-age=31536000, immutable";

std::string ContentTypeOf(absl::string_view path) {
  struct Type {
    const char* suffix;
    const char* type;
  };
  static constexpr Type kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".json", "application/json"},
      {".webmanifest", "application/manifest+json"},
  };
  for (const Type& type : kTypes) {
    if (absl::EndsWith(path, type.suffix)) return type.type;
  }
  return "application/octet-stream";
}

std::string WithAssetPath(absl::string_view text) {
  return absl::StrReplaceAll(
      text, {{kAssetsPlaceholder, absl::StrCat("/assets/", kWebAssetsHash)}});
}

}  // namespace

AppPages::AppPages(std::shared_ptr<grpc::Channel> channel)
    : channel_(std::move(channel)) {
  for (size_t i = 0; i < kWebAssetCount; ++i) {
    const WebAsset& asset = kWebAssets[i];
    assets_.emplace(std::string(asset.path), asset.bytes);
    if (asset.path == "index.html") index_ = WithAssetPath(asset.bytes);
    if (asset.path == "manifest.webmanifest") {
      manifest_ = WithAssetPath(asset.bytes);
    }
  }
}

void AppPages::Index(httplib::Response& response) const {
  response.set_header("Cache-Control", kNoCache);
  response.set_content(index_, "text/html; charset=utf-8");
}

void AppPages::Manifest(httplib::Response& response) const {
  response.set_header("Cache-Control", kNoCache);
  response.set_content(manifest_, "application/manifest+json");
}

void AppPages::Asset(const std::string& hash, const std::string& path,
                     httplib::Response& response) const {
  const auto found = assets_.find(path);
  if (hash != kWebAssetsHash || found == assets_.end()) {
    response.status = 404;
    response.set_content("Not found. The app was updated: reload the page.\n",
                         "text/plain; charset=utf-8");
    return;
  }
  response.set_header("Cache-Control", kForever);
  response.set_content(std::string(found->second), ContentTypeOf(path));
}

void AppPages::EndOfDayReport(const httplib::Request& request,
                              httplib::Response& response) const {
  makegood::v1::EndOfDayRequest report_request;
  report_request.set_business_date(request.get_param_value("date"));
  RpcCallOptions options;
  options.method_path = "/makegood.v1.ReportService/EndOfDay";
  options.authorization = request.get_header_value("Authorization");
  options.requests.push_back(report_request.SerializeAsString());
  const UnaryAnswer answer = CallUnary(channel_, std::move(options));
  if (!answer.status.ok()) {
    AnswerRpcError(response, answer.status);
    return;
  }
  makegood::v1::EndOfDayReport report;
  if (!answer.message.has_value() || !report.ParseFromString(*answer.message)) {
    RefuseRequest(response, 500, grpc::StatusCode::INTERNAL,
                  "the report service gave no readable report");
    return;
  }
  response.set_header("Cache-Control", "no-store");
  response.set_content(report::EndOfDayHtml(report),
                       "text/html; charset=utf-8");
}

}  // namespace makegood::http
