#include "service/error_details.h"

#include <atomic>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "core/refusal.h"
#include "google/rpc/error_details.pb.h"
#include "sqlite/connection.h"
#include "telemetry/log.h"

namespace makegood::service {
namespace {

using makegood::v1::Error;

// The reason of a status that names none: one per code.
Error::Reason DefaultReason(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return Error::INVALID_FIELD;
    case absl::StatusCode::kUnauthenticated:
      return Error::UNAUTHENTICATED;
    case absl::StatusCode::kPermissionDenied:
      return Error::ROLE_NOT_ALLOWED;
    case absl::StatusCode::kAlreadyExists:
      return Error::REQUEST_ID_REUSED;
    case absl::StatusCode::kNotFound:
      return Error::NOT_FOUND;
    case absl::StatusCode::kFailedPrecondition:
      return Error::FAILED_PRECONDITION;
    default:
      return Error::SERVER_ERROR;
  }
}

// Whether the message is for the log only.
bool IsServerFault(const absl::Status& status) {
  return status.code() == absl::StatusCode::kInternal ||
         status.code() == absl::StatusCode::kUnknown ||
         status.code() == absl::StatusCode::kDataLoss ||
         status.GetPayload(sqlite::kInternalDetailPayload).has_value();
}

// An id to find the logged detail by: the time and a counter.
std::string NewIncidentId() {
  static std::atomic<uint32_t> counter{0};
  return absl::StrFormat("ERR-%d-%u", absl::ToUnixSeconds(absl::Now()),
                         counter.fetch_add(1) + 1);
}

}  // namespace

google::rpc::Status ClientStatus(const absl::Status& status) {
  google::rpc::Status out;
  out.set_code(static_cast<int>(status.code()));
  if (IsServerFault(status)) {
    const std::string incident = NewIncidentId();
    telemetry::LogEvent(telemetry::LogLevel::kError, "internal_error",
                        {{"incident", incident},
                         {"code", absl::StatusCodeToString(status.code())},
                         {"error", status.message()}});
    out.set_message(absl::StrCat(
        "internal error; the daemon's log has the details under ", incident));
  } else {
    out.set_message(std::string(status.message()));
  }
  google::rpc::ErrorInfo info;
  info.set_reason(Error::Reason_Name(
      core::ReasonOf(status).value_or(DefaultReason(status.code()))));
  info.set_domain(kErrorDomain);
  out.add_details()->PackFrom(info);
  if (status.code() == absl::StatusCode::kInvalidArgument) {
    google::rpc::BadRequest bad;
    auto* violation = bad.add_field_violations();
    violation->set_field(core::FieldOf(status));
    violation->set_description(std::string(status.message()));
    out.add_details()->PackFrom(bad);
  }
  if (auto delay = core::RetryAfterOf(status); delay.has_value()) {
    google::rpc::RetryInfo retry;
    const int64_t ms = absl::ToInt64Milliseconds(*delay);
    retry.mutable_retry_delay()->set_seconds(ms / 1000);
    retry.mutable_retry_delay()->set_nanos(static_cast<int32_t>(ms % 1000) *
                                           1000000);
    out.add_details()->PackFrom(retry);
  }
  return out;
}

}  // namespace makegood::service
