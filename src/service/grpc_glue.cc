#include "service/grpc_glue.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "service/error_details.h"

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
  return auth.Authorize(AuthorizationOf(context), allowed);
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
