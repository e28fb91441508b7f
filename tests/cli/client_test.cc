// How the CLI shows a failed call: the code, the stable reason and the
// field read from the google.rpc details makegoodd sends, for people and
// (--output json) for programs; a status without details (an older
// makegoodd, a connection that failed) shows the code and message alone.

#include "cli/client.h"

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace makegood::cli {
namespace {

// A status as makegoodd sends it: ErrorInfo(reason, domain) and, when
// `field` is set, a BadRequest naming it.
grpc::Status WithDetails(grpc::StatusCode code, const std::string& message,
                         const std::string& reason,
                         const std::string& field = "",
                         const std::string& domain = "makegood.v1") {
  google::rpc::Status details;
  details.set_code(static_cast<int>(code));
  details.set_message(message);
  google::rpc::ErrorInfo info;
  info.set_reason(reason);
  info.set_domain(domain);
  details.add_details()->PackFrom(info);
  if (!field.empty()) {
    google::rpc::BadRequest bad;
    auto* violation = bad.add_field_violations();
    violation->set_field(field);
    violation->set_description(message);
    details.add_details()->PackFrom(bad);
  }
  return grpc::Status(code, message, details.SerializeAsString());
}

TEST(RpcErrorTest, ARefusalShowsItsReason) {
  const grpc::Status status =
      WithDetails(grpc::StatusCode::FAILED_PRECONDITION,
                  "cannot approve: over the MANAGER limit of 200.00 per case",
                  "OVER_AUTHORITY");
  const RpcError error = ReadRpcError(status);
  EXPECT_EQ(error.code, "FAILED_PRECONDITION");
  EXPECT_EQ(error.reason, "OVER_AUTHORITY");
  EXPECT_EQ(error.field, "");
  EXPECT_EQ(RpcErrorText(error),
            "FAILED_PRECONDITION (OVER_AUTHORITY): cannot approve: over the "
            "MANAGER limit of 200.00 per case");
  EXPECT_EQ(RpcErrorJson(error),
            "{\"code\":\"FAILED_PRECONDITION\",\"message\":\"cannot approve: "
            "over the MANAGER limit of 200.00 per case\",\"reason\":\"OVER_"
            "AUTHORITY\"}");
}

TEST(RpcErrorTest, ABadFieldIsNamedAndTheMessageEscaped) {
  const grpc::Status status = WithDetails(
      grpc::StatusCode::INVALID_ARGUMENT,
      "line_ids[1]: '7' is listed \"twice\"", "INVALID_FIELD", "line_ids[1]");
  const RpcError error = ReadRpcError(status);
  EXPECT_EQ(error.field, "line_ids[1]");
  EXPECT_EQ(RpcErrorText(error),
            "INVALID_ARGUMENT (INVALID_FIELD): line_ids[1]: '7' is listed "
            "\"twice\"");
  EXPECT_EQ(RpcErrorJson(error),
            "{\"code\":\"INVALID_ARGUMENT\",\"message\":\"line_ids[1]: '7' is "
            "listed \\\"twice\\\"\",\"reason\":\"INVALID_FIELD\",\"field\":"
            "\"line_ids[1]\"}");
}

TEST(RpcErrorTest, AStatusWithoutDetailsShowsCodeAndMessageOnly) {
  // An older makegoodd, or the connection itself failed.
  const grpc::Status status(grpc::StatusCode::UNAVAILABLE,
                            "failed to connect to all addresses");
  const RpcError error = ReadRpcError(status);
  EXPECT_EQ(error.code, "UNAVAILABLE");
  EXPECT_EQ(error.message, "failed to connect to all addresses");
  EXPECT_EQ(error.reason, "");
  EXPECT_EQ(error.field, "");
  EXPECT_EQ(RpcErrorText(error),
            "UNAVAILABLE: failed to connect to all addresses");
  EXPECT_EQ(RpcErrorJson(error),
            "{\"code\":\"UNAVAILABLE\",\"message\":\"failed to connect to all "
            "addresses\"}");
}

TEST(RpcErrorTest, DetailsThatAreNotOursOrNotAProtoAreIgnored) {
  const RpcError garbage = ReadRpcError(
      grpc::Status(grpc::StatusCode::INTERNAL, "boom", "not a proto \xff"));
  EXPECT_EQ(garbage.code, "INTERNAL");
  EXPECT_EQ(garbage.reason, "");
  EXPECT_EQ(RpcErrorText(garbage), "INTERNAL: boom");

  // Another service's ErrorInfo (a proxy in between) is not a reason of
  // makegood.v1.
  const RpcError other = ReadRpcError(
      WithDetails(grpc::StatusCode::PERMISSION_DENIED, "denied by the proxy",
                  "ACCESS_TOKEN_EXPIRED", "", "googleapis.com"));
  EXPECT_EQ(other.reason, "");
  EXPECT_EQ(RpcErrorText(other), "PERMISSION_DENIED: denied by the proxy");
}

TEST(RpcErrorTest, AReconnectingWatchSaysWhenItRetries) {
  RpcError error;
  error.code = "UNAVAILABLE";
  error.message = "Socket closed";
  EXPECT_EQ(RpcErrorJson(error, absl::Milliseconds(500)),
            "{\"code\":\"UNAVAILABLE\",\"message\":\"Socket closed\","
            "\"retry_in_seconds\":0.5}");
}

TEST(ReportRpcErrorTest, TextForPeopleJsonOnStderrForPrograms) {
  const grpc::Status status = WithDetails(grpc::StatusCode::FAILED_PRECONDITION,
                                          "the case is closed", "CASE_CLOSED");
  ClientOptions options;

  ::testing::internal::CaptureStderr();
  EXPECT_EQ(ReportRpcError(options, status), kExitServerSaidNo);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(),
            "makegood: FAILED_PRECONDITION (CASE_CLOSED): the case is "
            "closed\n");

  options.output = OutputFormat::kJson;
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(ReportRpcError(options, status), kExitServerSaidNo);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(),
            "{\"code\":\"FAILED_PRECONDITION\",\"message\":\"the case is "
            "closed\",\"reason\":\"CASE_CLOSED\"}\n");
}

}  // namespace
}  // namespace makegood::cli
