#ifndef MAKEGOOD_TESTS_INTEGRATION_ERROR_DETAILS_H_
#define MAKEGOOD_TESTS_INTEGRATION_ERROR_DETAILS_H_

// Reading a refusal the way a gRPC client program does: the google.rpc.Status
// in the grpc-status-details-bin trailer, with its ErrorInfo, BadRequest and
// RetryInfo details.

#include <grpcpp/grpcpp.h>

#include <optional>
#include <string>

#include "absl/time/time.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace makegood {

// What a refusal tells a program: the google.rpc.Status in the
// grpc-status-details-bin trailer.
struct ErrorDetails {
  bool parsed = false;
  int code = 0;
  std::string message;
  std::string reason;             // ErrorInfo.reason
  std::string domain;             // ErrorInfo.domain
  std::string field;              // BadRequest's first field violation
  std::string field_description;  // and its description
  std::optional<absl::Duration> retry_delay;  // RetryInfo.retry_delay
};

inline ErrorDetails DetailsOf(const grpc::Status& status) {
  ErrorDetails out;
  google::rpc::Status rpc;
  if (status.error_details().empty() ||
      !rpc.ParseFromString(status.error_details())) {
    return out;
  }
  out.parsed = true;
  out.code = rpc.code();
  out.message = rpc.message();
  for (const google::protobuf::Any& detail : rpc.details()) {
    if (detail.Is<google::rpc::ErrorInfo>()) {
      google::rpc::ErrorInfo info;
      if (detail.UnpackTo(&info)) {
        out.reason = info.reason();
        out.domain = info.domain();
      }
    } else if (detail.Is<google::rpc::BadRequest>()) {
      google::rpc::BadRequest bad;
      if (detail.UnpackTo(&bad) && bad.field_violations_size() > 0) {
        out.field = bad.field_violations(0).field();
        out.field_description = bad.field_violations(0).description();
      }
    } else if (detail.Is<google::rpc::RetryInfo>()) {
      google::rpc::RetryInfo retry;
      if (detail.UnpackTo(&retry)) {
        out.retry_delay = absl::Seconds(retry.retry_delay().seconds()) +
                          absl::Nanoseconds(retry.retry_delay().nanos());
      }
    }
  }
  return out;
}

// The ErrorInfo reason of `status`, empty without one.
inline std::string ReasonOf(const grpc::Status& status) {
  return DetailsOf(status).reason;
}

// The BadRequest field path of `status`, empty without one.
inline std::string FieldOf(const grpc::Status& status) {
  return DetailsOf(status).field;
}

}  // namespace makegood

#endif  // MAKEGOOD_TESTS_INTEGRATION_ERROR_DETAILS_H_
