#ifndef MAKEGOOD_HTTP_APP_PAGES_H_
#define MAKEGOOD_HTTP_APP_PAGES_H_

// The pages a browser loads from makegoodd: the web app (index, manifest,
// its assets under /assets/<hash>/) and the end-of-day report as HTML.
// Immutable after construction; thread-safe.

#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include <map>
#include <memory>
#include <string>

namespace makegood::http {

class AppPages {
 public:
  // `channel` reaches the report service in-process.
  explicit AppPages(std::shared_ptr<grpc::Channel> channel);
  AppPages(const AppPages&) = delete;
  AppPages& operator=(const AppPages&) = delete;

  // GET /: the app's index page, never cached (it names the assets).
  void Index(httplib::Response& response) const;
  // GET /manifest.webmanifest.
  void Manifest(httplib::Response& response) const;
  // GET /assets/<hash>/<path>: a file of the app, cached for a year. 404
  // for another build's hash or an unknown path.
  void Asset(const std::string& hash, const std::string& path,
             httplib::Response& response) const;
  // GET /reports/end-of-day?date=YYYY-MM-DD with the caller's bearer token:
  // the report page the CLI also renders, for the same roles.
  void EndOfDayReport(const httplib::Request& request,
                      httplib::Response& response) const;

 private:
  std::shared_ptr<grpc::Channel> channel_;
  // index.html and the manifest with the asset path filled in.
  std::string index_;
  std::string manifest_;
  std::map<std::string, absl::string_view, std::less<>> assets_;
};

}  // namespace makegood::http

#endif  // MAKEGOOD_HTTP_APP_PAGES_H_
