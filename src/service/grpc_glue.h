#ifndef MAKEGOOD_SERVICE_GRPC_GLUE_H_
#define MAKEGOOD_SERVICE_GRPC_GLUE_H_

// The seam between absl::Status-speaking code and gRPC.

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <initializer_list>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "service/auth.h"

namespace makegood::service {

// Same code; the message and google.rpc error details a client may see
// (service/error_details.h).
grpc::Status ToGrpcStatus(const absl::Status& status);

// The call's "authorization" metadata, empty when it has none.
absl::string_view AuthorizationOf(const grpc::CallbackServerContext& context);

// Authorizes the call from its "authorization" metadata. Records who the
// call is from for its rpc line (service/rpc_log.h) and logs a refusal as
// auth_failed, by credential id (or "unknown"), never the token.
absl::StatusOr<Principal> AuthorizeCall(
    const grpc::CallbackServerContext& context, const Authenticator& auth,
    std::initializer_list<makegood::v1::Role> allowed);

// A read reactor that has already finished with `status` (a refused call).
template <typename Request>
class FinishedReadReactor final : public grpc::ServerReadReactor<Request> {
 public:
  explicit FinishedReadReactor(const grpc::Status& status) {
    this->Finish(status);
  }
  void OnDone() override { delete this; }
};

// A write reactor that has already finished with `status`.
template <typename Message>
class FinishedWriteReactor final : public grpc::ServerWriteReactor<Message> {
 public:
  explicit FinishedWriteReactor(const grpc::Status& status) {
    this->Finish(status);
  }
  void OnDone() override { delete this; }
};

// A list request's page_size: 0 (the default) to 1000; INVALID_ARGUMENT
// naming the field otherwise.
absl::Status CheckPageSize(int32_t page_size);

// Finishes a unary call with `status` and returns its reactor.
grpc::ServerUnaryReactor* FinishUnary(grpc::CallbackServerContext* context,
                                      const absl::Status& status);

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_GRPC_GLUE_H_
