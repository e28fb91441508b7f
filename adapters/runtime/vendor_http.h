#ifndef MAKEGOOD_ADAPTERS_RUNTIME_VENDOR_HTTP_H_
#define MAKEGOOD_ADAPTERS_RUNTIME_VENDOR_HTTP_H_

// Calls to a vendor's REST API (libcurl), retried with exponential backoff
// while the vendor answers 429 or 5xx or cannot be reached, honouring
// Retry-After. Thread-safe: each call uses its own handle.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace makegood::adapters {

struct HttpResponse {
  long status = 0;
  std::string body;
};

struct RetryPolicy {
  // Attempts in all, the first included.
  int attempts = 5;
  // Wait before the second attempt; doubled each time, at most `longest`.
  absl::Duration first_wait = absl::Milliseconds(200);
  absl::Duration longest = absl::Seconds(10);
  // Per attempt.
  absl::Duration timeout = absl::Seconds(15);
};

// The string `field` of the JSON answer (Toast's and Clover's "message"),
// or "HTTP <status>" when it has none.
std::string ErrorField(const HttpResponse& response, const char* field);

// The vendor's last answer (any status, the caller judges it), or
// UNAVAILABLE naming the URL when every attempt failed to get one or was
// still 429/5xx.
absl::StatusOr<HttpResponse> CallVendor(const std::string& method,
                                        const std::string& url,
                                        const std::vector<std::string>& headers,
                                        const std::string& body,
                                        const RetryPolicy& retry = {});

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_RUNTIME_VENDOR_HTTP_H_
