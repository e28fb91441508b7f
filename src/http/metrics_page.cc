#include "http/metrics_page.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace makegood::http {
namespace {

constexpr char kTextPlain[] = "text/plain; charset=utf-8";
constexpr char kWhoMayScrape[] =
    "the bearer token of a METRICS, REPORTER or ADMIN credential";

void Refuse(httplib::Response& response, int status,
            const std::string& message) {
  response.status = status;
  response.set_content(absl::StrCat(message, "\n"), kTextPlain);
}

}  // namespace

void MetricsPage::Serve(const httplib::Request& request,
                        httplib::Response& response) const {
  const std::string authorization = request.get_header_value("Authorization");
  const absl::Status allowed =
      options_.authorize
          ? options_.authorize(authorization)
          : absl::PermissionDeniedError("no credential may scrape metrics");
  if (allowed.code() == absl::StatusCode::kPermissionDenied) {
    Refuse(response, 403,
           absl::StrCat(allowed.message(), ": GET ", kMetricsPath, " needs ",
                        kWhoMayScrape));
    return;
  }
  if (!allowed.ok()) {
    // RFC 6750: a bearer-protected resource names its scheme.
    response.set_header("WWW-Authenticate", "Bearer realm=\"makegood\"");
    Refuse(response, 401,
           absl::StrCat(authorization.empty() ? "no credentials"
                                              : std::string(allowed.message()),
                        ": send \"Authorization: Bearer <token>\" with ",
                        kWhoMayScrape));
    return;
  }
  response.status = 200;
  response.set_content(options_.registry->Render(),
                       telemetry::kExpositionContentType);
}

bool MetricsPage::RefuseOtherMethods(const httplib::Request& request,
                                     httplib::Response& response) {
  if (request.path != kMetricsPath || request.method == "GET" ||
      request.method == "HEAD") {
    return false;
  }
  response.set_header("Allow", "GET");
  Refuse(response, 405,
         absl::StrCat(request.method, " ", kMetricsPath,
                      ": the metrics are read with GET"));
  return true;
}

}  // namespace makegood::http
