// `makegood health`: asks grpc.health.v1.Health/Check.

#include <grpcpp/generic/generic_stub.h>

#include <iostream>
#include <memory>
#include <string>

#include "absl/synchronization/notification.h"
#include "cli/commands.h"
#include "google/protobuf/unknown_field_set.h"

namespace makegood::cli {
namespace {

// grpc.health.v1.HealthCheckResponse.ServingStatus names, by number.
const char* ServingStatusName(uint64_t status) {
  switch (status) {
    case 1:
      return "SERVING";
    case 2:
      return "NOT_SERVING";
    case 3:
      return "SERVICE_UNKNOWN";
    default:
      return "UNKNOWN";
  }
}

int RunHealth(const ClientOptions& options, const std::string& service) {
  grpc::GenericStub stub(MakeChannel(options));
  grpc::ClientContext context;
  PrepareContext(options, context);
  // HealthCheckRequest{string service = 1}; the response is
  // HealthCheckResponse{status = 1 (enum)}. The health proto is not
  // installed with Debian's gRPC, so its wire form is written and read
  // directly.
  google::protobuf::UnknownFieldSet request_fields;
  if (!service.empty()) request_fields.AddLengthDelimited(1, service);
  std::string request_bytes;
  request_fields.SerializeToString(&request_bytes);
  grpc::ByteBuffer request, response;
  grpc::Slice request_slice(request_bytes);
  request = grpc::ByteBuffer(&request_slice, 1);
  absl::Notification done;
  grpc::Status status;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(),
                 &request, &response, [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  if (!status.ok()) return ReportRpcError(options, status);
  std::vector<grpc::Slice> slices;
  response.Dump(&slices);
  std::string bytes;
  for (const auto& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  google::protobuf::UnknownFieldSet fields;
  uint64_t serving = 0;
  if (fields.ParseFromString(bytes)) {
    for (int i = 0; i < fields.field_count(); ++i) {
      if (fields.field(i).number() == 1 &&
          fields.field(i).type() ==
              google::protobuf::UnknownField::TYPE_VARINT) {
        serving = fields.field(i).varint();
      }
    }
  }
  const char* name = ServingStatusName(serving);
  if (options.output == OutputFormat::kJson) {
    std::cout << "{\"status\":\"" << name << "\"}" << std::endl;
  } else {
    std::cout << name << std::endl;
    if (serving == 2) {
      std::cerr << "makegood: makegoodd is stopping, or its store cannot "
                   "write (a full or failing disk; writes are refused with "
                   "STORE_FULL or STORE_UNAVAILABLE until one commits "
                   "again); the daemon's log says which"
                << std::endl;
    }
  }
  return serving == 1 ? kExitOk : kExitServerSaidNo;
}

}  // namespace

void AddHealthCommand(CLI::App& app, const ClientOptions& options,
                      int* exit_code) {
  CLI::App* health = app.add_subcommand(
      "health",
      "Ask makegoodd whether it is serving (grpc.health.v1); no token needed. "
      "Prints SERVING and exits 0, or NOT_SERVING (stopping, or the store "
      "cannot write: a full or failing disk) and exits 1.");
  auto service = std::make_shared<std::string>();
  health->add_option("--service", *service,
                     "Ask about one service, e.g. makegood.v1.RecoveryService "
                     "(default: the daemon as a whole)");
  health->callback([&options, exit_code, service] {
    *exit_code = RunHealth(options, *service);
  });
}

}  // namespace makegood::cli
