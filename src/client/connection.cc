#include "client/connection.h"

#include <grpc/grpc.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace makegood::client {

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFor(
    const std::string& tls_ca_file) {
  if (tls_ca_file.empty()) return grpc::InsecureChannelCredentials();
  std::ifstream in(tls_ca_file, std::ios::binary);
  std::stringstream pem;
  // An empty bundle fails too (nothing inserted), rather than falling back
  // to gRPC's default roots.
  if (!in || !(pem << in.rdbuf())) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read ", tls_ca_file));
  }
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = pem.str();
  return grpc::SslCredentials(ssl);
}

grpc::ChannelArguments WithKeepalive(grpc::ChannelArguments arguments,
                                     absl::Duration keepalive) {
  if (keepalive <= absl::ZeroDuration()) return arguments;
  const int ms = static_cast<int>(
      absl::ToInt64Milliseconds(std::max(keepalive, absl::Seconds(1))));
  arguments.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, ms);
  arguments.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, ms);
  // A server stream's client sends no data after its request: without this
  // the pings would stop after two.
  arguments.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  return arguments;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(
    const ConnectionOptions& options) {
  auto credentials = ChannelCredentialsFor(options.tls_ca_file);
  if (!credentials.ok()) return credentials.status();
  return grpc::CreateCustomChannel(
      options.server, *credentials,
      WithKeepalive(grpc::ChannelArguments(), options.keepalive));
}

void AddBearerToken(grpc::ClientContext& context, absl::string_view token) {
  if (token.empty()) return;
  context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
}

}  // namespace makegood::client
