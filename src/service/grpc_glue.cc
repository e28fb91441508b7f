#include "service/grpc_glue.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "service/error_details.h"
#include "service/rpc_log.h"
#include "telemetry/log.h"

namespace makegood::service {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const google::rpc::Status shown = ClientStatus(status);
  return grpc::Status(static_cast<grpc::StatusCode>(shown.code()),
                      shown.message(), shown.SerializeAsString());
}

absl::string_view AuthorizationOf(const grpc::CallbackServerContext& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) return absl::string_view();
  return absl::string_view(it->second.data(), it->second.size());
}

absl::StatusOr<Principal> AuthorizeCall(
    const grpc::CallbackServerContext& context, const Authenticator& auth,
    std::initializer_list<makegood::v1::Role> allowed) {
  AuthAttempt attempt = auth.TryAuthorize(AuthorizationOf(context), allowed);
  if (attempt.principal.ok()) {
    RecordCallPrincipal(context, attempt.principal->id,
                        attempt.principal->device_id);
    return std::move(attempt.principal);
  }
  RecordCallPrincipal(context, attempt.refused_id, attempt.device_id);
  // By credential id (or "unknown" with a hash prefix), never the token.
  const std::string method = CallMethod(context);
  const std::string peer = context.peer();
  const std::string code(
      absl::StatusCodeToString(attempt.principal.status().code()));
  std::vector<telemetry::LogField> fields = {
      {"credential", attempt.refused_id}};
  if (!attempt.device_id.empty()) {
    fields.push_back({"device", attempt.device_id});
  }
  if (!attempt.token_sha256_prefix.empty()) {
    fields.push_back({"token_sha256_prefix", attempt.token_sha256_prefix});
  }
  fields.push_back({"failure", attempt.failure});
  fields.push_back({"code", code});
  if (!method.empty()) fields.push_back({"method", method});
  fields.push_back({"peer", peer});
  telemetry::LogEvent(telemetry::LogLevel::kWarning, "auth_failed", fields);
  return std::move(attempt.principal);
}

absl::Status CheckPageSize(int32_t page_size) {
  if (page_size < 0 || page_size > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must be 0 to 1000, got ", page_size));
  }
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* FinishUnary(grpc::CallbackServerContext* context,
                                      const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

}  // namespace makegood::service
