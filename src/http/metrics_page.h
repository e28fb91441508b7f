#ifndef MAKEGOOD_HTTP_METRICS_PAGE_H_
#define MAKEGOOD_HTTP_METRICS_PAGE_H_

// GET /metrics: makegoodd's metrics in the Prometheus text format 0.0.4,
// for a scraper with the bearer token of a METRICS, REPORTER or ADMIN
// credential (README, "Metrics"):
//   200 with the exposition text (telemetry/metrics.h);
//   401 with "WWW-Authenticate: Bearer" when the token is missing, not
//       "Bearer <token>", or nobody's;
//   403 for a credential of another role;
//   405 with "Allow: GET" for a method other than GET or HEAD.
// Refusals are plain text and counted in makegood_auth_failures_total.
// Immutable after construction; thread-safe.

#include <httplib.h>

#include <functional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "telemetry/metrics.h"

namespace makegood::http {

inline constexpr char kMetricsPath[] = "/metrics";

struct MetricsPageOptions {
  // Whether a request with this Authorization header value ("" when it
  // has none) may scrape: OK, UNAUTHENTICATED (401) or PERMISSION_DENIED
  // (403). Unset: nobody may.
  std::function<absl::Status(absl::string_view authorization)> authorize;
  // What a scrape reads; must outlive the page. nullptr: the listener has
  // no /metrics (404).
  const telemetry::MetricsRegistry* registry = nullptr;
};

class MetricsPage {
 public:
  explicit MetricsPage(MetricsPageOptions options)
      : options_(std::move(options)) {}
  MetricsPage(const MetricsPage&) = delete;
  MetricsPage& operator=(const MetricsPage&) = delete;

  // GET (and HEAD) /metrics.
  void Serve(const httplib::Request& request,
             httplib::Response& response) const;

  // Before routing: answers 405 for /metrics asked with another method,
  // and says so; false for every other request.
  static bool RefuseOtherMethods(const httplib::Request& request,
                                 httplib::Response& response);

 private:
  const MetricsPageOptions options_;
};

}  // namespace makegood::http

#endif  // MAKEGOOD_HTTP_METRICS_PAGE_H_
