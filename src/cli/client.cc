#include "cli/client.h"

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/discount_code.h"
#include "google/protobuf/util/json_util.h"

namespace makegood::cli {

std::string NewRequestId() {
  return absl::StrCat("cli-",
                      core::RandomSymbols(core::SecureRandomBytes(), 16));
}

std::shared_ptr<grpc::Channel> MakeChannel(const ClientOptions& options) {
  if (options.tls_ca_file.empty()) {
    return grpc::CreateChannel(options.server,
                               grpc::InsecureChannelCredentials());
  }
  std::ifstream in(options.tls_ca_file);
  std::ostringstream pem;
  pem << in.rdbuf();
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = pem.str();
  return grpc::CreateChannel(options.server, grpc::SslCredentials(ssl));
}

void PrepareContext(const ClientOptions& options,
                    grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(options.timeout_seconds));
  if (!options.token.empty()) {
    context.AddMetadata("authorization", "Bearer " + options.token);
  }
}

int ReportRpcError(const grpc::Status& status) {
  // gRPC's codes are numbered as abseil's, which can name them.
  std::cerr << "makegood: "
            << absl::StatusCodeToString(
                   static_cast<absl::StatusCode>(status.error_code()))
            << ": " << status.error_message() << std::endl;
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    std::cerr << "makegood: is makegoodd running and listening there? "
                 "(--server, default 127.0.0.1:50051)"
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
  if (!status.ok()) return ReportRpcError(status);
  if (options.output == OutputFormat::kJson) {
    PrintJson(message);
  } else {
    print_table();
  }
  return kExitOk;
}

}  // namespace makegood::cli
