#ifndef MAKEGOOD_ADAPTERS_RUNTIME_VENDOR_HTTP_H_
#define MAKEGOOD_ADAPTERS_RUNTIME_VENDOR_HTTP_H_

// Calls to a vendor's REST API (libcurl). Reads are retried with
// exponential backoff while the vendor answers 429 or 5xx or cannot be
// reached, honouring Retry-After. Writes the vendor cannot deduplicate
// (Toast, Clover and Shopify have no idempotency key) are made once
// (WriteOnce): a timeout may come after the vendor applied the write, so
// the caller reads the order back and looks for makegood's marker
// (remedy_marker.h) before it writes again. Thread-safe: each call uses
// its own handle.

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
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
  // Waits between attempts; false gives up (the adapter is stopping).
  // Empty: sleeps. Tests pass one that records the waits.
  std::function<bool(absl::Duration)> wait;
};

// `policy` for a write: one attempt, the same timeout.
RetryPolicy WriteOnce(RetryPolicy policy);

// The string `field` of the JSON answer (Toast's and Clover's "message"),
// or "HTTP <status>" when it has none.
std::string ErrorField(const HttpResponse& response, const char* field);

// The vendor's last answer (any status, the caller judges it), or
// UNAVAILABLE naming the URL when every attempt failed to get one or was
// still 429/5xx, or when `retry.wait` gave up.
absl::StatusOr<HttpResponse> CallVendor(const std::string& method,
                                        const std::string& url,
                                        const std::vector<std::string>& headers,
                                        const std::string& body,
                                        const RetryPolicy& retry = {});

// True when the vendor refused the adapter's credentials: 401 (an expired
// token) or 403 (revoked, or a scope missing).
bool AuthFailed(const HttpResponse& response);

// The status for such an answer to `what` ("Square RetrieveOrder X"):
// UNAUTHENTICATED for 401, PERMISSION_DENIED for 403, with the vendor's
// `detail`. The runtime keeps the delivery or command waiting, logs once
// and raises an alert; it never rejects a command for it.
absl::Status VendorAuthError(absl::string_view what,
                             const HttpResponse& response,
                             absl::string_view detail);

// True for a status made by VendorAuthError.
bool IsVendorAuthError(const absl::Status& status);

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_RUNTIME_VENDOR_HTTP_H_
