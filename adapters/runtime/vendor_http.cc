#include "vendor_http.h"

#include <curl/curl.h>

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "nlohmann/json.hpp"
#include "vendor_payload.h"

namespace makegood::adapters {
namespace {

size_t AppendBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// Collects Retry-After (seconds) from the response headers.
size_t ReadHeader(char* data, size_t size, size_t count, void* out) {
  const std::string line(data, size * count);
  constexpr char kRetryAfter[] = "retry-after:";
  std::string lower = line;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  if (lower.rfind(kRetryAfter, 0) == 0) {
    int seconds = 0;
    std::string value = line.substr(sizeof(kRetryAfter) - 1);
    value.erase(std::remove_if(value.begin(), value.end(), ::isspace),
                value.end());
    if (absl::SimpleAtoi(value, &seconds)) {
      *static_cast<absl::Duration*>(out) = absl::Seconds(seconds);
    }
  }
  return size * count;
}

struct Attempt {
  CURLcode code = CURLE_OK;
  HttpResponse response;
  absl::Duration retry_after = absl::ZeroDuration();
};

Attempt Once(const std::string& method, const std::string& url,
             const std::vector<std::string>& headers, const std::string& body,
             absl::Duration timeout) {
  Attempt attempt;
  CURL* curl = curl_easy_init();
  curl_slist* list = nullptr;
  for (const std::string& header : headers) {
    list = curl_slist_append(list, header.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  if (method != "GET") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE,
                     static_cast<long>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(timeout)));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &attempt.response.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, ReadHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &attempt.retry_after);
  attempt.code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &attempt.response.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return attempt;
}

}  // namespace

RetryPolicy WriteOnce(RetryPolicy policy) {
  policy.attempts = 1;
  return policy;
}

std::string ErrorField(const HttpResponse& response, const char* field) {
  const nlohmann::json body =
      nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  const std::string text = TextAt(body, field);
  return text.empty() ? absl::StrCat("HTTP ", response.status) : text;
}

absl::StatusOr<HttpResponse> CallVendor(const std::string& method,
                                        const std::string& url,
                                        const std::vector<std::string>& headers,
                                        const std::string& body,
                                        const RetryPolicy& retry) {
  static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == 0;
  (void)initialised;
  absl::Duration wait = retry.first_wait;
  std::string last_problem;
  for (int i = 1; i <= retry.attempts; ++i) {
    Attempt attempt = Once(method, url, headers, body, retry.timeout);
    const long status = attempt.response.status;
    if (attempt.code == CURLE_OK && status != 429 && status < 500) {
      return std::move(attempt.response);
    }
    last_problem = attempt.code != CURLE_OK ? curl_easy_strerror(attempt.code)
                                            : absl::StrCat("HTTP ", status);
    if (i == retry.attempts) break;
    const absl::Duration pause = std::max(wait, attempt.retry_after);
    if (retry.wait) {
      if (!retry.wait(pause)) {
        return absl::UnavailableError(absl::StrCat(
            method, " ", url, ": ", last_problem, "; stopped retrying"));
      }
    } else {
      absl::SleepFor(pause);
    }
    wait = std::min(wait * 2, retry.longest);
  }
  return absl::UnavailableError(absl::StrCat(
      method, " ", url, ": ", last_problem, " after ", retry.attempts,
      retry.attempts == 1 ? " attempt" : " attempts"));
}

bool AuthFailed(const HttpResponse& response) {
  return response.status == 401 || response.status == 403;
}

absl::Status VendorAuthError(absl::string_view what,
                             const HttpResponse& response,
                             absl::string_view detail) {
  const std::string message =
      absl::StrCat(what, ": HTTP ", response.status, " (", detail,
                   "): the vendor refused the adapter's credentials");
  return response.status == 403 ? absl::PermissionDeniedError(message)
                                : absl::UnauthenticatedError(message);
}

bool IsVendorAuthError(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnauthenticated ||
         status.code() == absl::StatusCode::kPermissionDenied;
}

}  // namespace makegood::adapters
