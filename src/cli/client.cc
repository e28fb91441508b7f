#include "cli/client.h"

#include <chrono>
#include <iostream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "client/connection.h"
#include "client/connection_flags.h"
#include "core/discount_code.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "nlohmann/json.hpp"

namespace makegood::cli {

std::string NewRequestId() {
  return absl::StrCat("cli-",
                      core::RandomSymbols(core::SecureRandomBytes(), 16));
}

std::shared_ptr<grpc::Channel> MakeChannel(
    const ClientOptions& options, const grpc::ChannelArguments& arguments) {
  auto credentials =
      client::ChannelCredentialsFor(options.connection, client::TlsFlagNames());
  // A `watch` stream notices a dead connection too.
  const grpc::ChannelArguments with_keepalive =
      client::WithKeepalive(arguments, options.connection.keepalive);
  if (credentials.ok()) {
    return grpc::CreateCustomChannel(options.connection.server, *credentials,
                                     with_keepalive);
  }
  std::cerr << "makegood: " << credentials.status().message()
            << "; trying the system's CA certificates" << std::endl;
  return grpc::CreateCustomChannel(
      options.connection.server,
      grpc::SslCredentials(grpc::SslCredentialsOptions()), with_keepalive);
}

void PrepareContext(const ClientOptions& options,
                    grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(options.timeout_seconds));
  client::AddBearerToken(context, options.token);
}

RpcError ReadRpcError(const grpc::Status& status) {
  RpcError error;
  // gRPC's codes are numbered as abseil's, which can name them.
  error.code = absl::StatusCodeToString(
      static_cast<absl::StatusCode>(status.error_code()));
  error.message = status.error_message();
  google::rpc::Status details;
  if (status.error_details().empty() ||
      !details.ParseFromString(status.error_details())) {
    return error;  // An older makegoodd, or the connection failed.
  }
  for (const google::protobuf::Any& any : details.details()) {
    if (any.Is<google::rpc::ErrorInfo>()) {
      google::rpc::ErrorInfo info;
      if (error.reason.empty() && any.UnpackTo(&info) &&
          info.domain() == "makegood.v1") {
        error.reason = info.reason();
      }
    } else if (any.Is<google::rpc::BadRequest>()) {
      google::rpc::BadRequest bad;
      if (!error.field.empty() || !any.UnpackTo(&bad)) continue;
      for (const auto& violation : bad.field_violations()) {
        if (!violation.field().empty()) {
          error.field = violation.field();
          break;
        }
      }
    }
  }
  return error;
}

std::string RpcErrorText(const RpcError& error) {
  if (error.reason.empty())
    return absl::StrCat(error.code, ": ", error.message);
  return absl::StrCat(error.code, " (", error.reason, "): ", error.message);
}

std::string RpcErrorJson(const RpcError& error, absl::Duration retry_in) {
  nlohmann::ordered_json json;
  json["code"] = error.code;
  json["message"] = error.message;
  if (!error.reason.empty()) json["reason"] = error.reason;
  if (!error.field.empty()) json["field"] = error.field;
  if (retry_in > absl::ZeroDuration()) {
    json["retry_in_seconds"] = absl::ToDoubleSeconds(retry_in);
  }
  // A message is not guaranteed to be UTF-8: replace what is not.
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

int ReportRpcError(const ClientOptions& options, const grpc::Status& status) {
  const RpcError error = ReadRpcError(status);
  if (options.output == OutputFormat::kJson) {
    std::cerr << RpcErrorJson(error) << std::endl;
    return kExitServerSaidNo;
  }
  std::cerr << "makegood: " << RpcErrorText(error) << std::endl;
  if (status.error_code() != grpc::StatusCode::UNAVAILABLE) {
    return kExitServerSaidNo;
  }
  if (options.connection.tls_ca_file.empty()) {
    std::cerr << "makegood: is makegoodd running and listening there? "
                 "(--server, default 127.0.0.1:50051; --tls-ca when it has "
                 "server.tls)"
              << std::endl;
  } else {
    // A refused handshake is UNAVAILABLE too, with gRPC's own words.
    std::cerr << "makegood: is makegoodd running there, and does the TLS "
                 "handshake pass? --tls-ca must name the CA that signed its "
                 "certificate and, when its server.tls.client_ca_file asks "
                 "for one, --tls-cert and --tls-key a client certificate "
                 "that CA signed"
              << std::endl;
  }
  return kExitServerSaidNo;
}

void PrintJson(const google::protobuf::Message& message,
               bool print_zero_values) {
  std::string json;
  google::protobuf::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  print.always_print_primitive_fields = print_zero_values;
  google::protobuf::util::MessageToJsonString(message, &json, print);
  std::cout << json << std::endl;
}

int PrintAnswer(const ClientOptions& options, const grpc::Status& status,
                const google::protobuf::Message& message,
                const std::function<void()>& print_table) {
  if (!status.ok()) return ReportRpcError(options, status);
  if (options.output == OutputFormat::kJson) {
    PrintJson(message);
  } else {
    print_table();
  }
  return kExitOk;
}

}  // namespace makegood::cli
