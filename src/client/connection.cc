#include "client/connection.h"

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

absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(
    const ConnectionOptions& options) {
  auto credentials = ChannelCredentialsFor(options.tls_ca_file);
  if (!credentials.ok()) return credentials.status();
  return grpc::CreateChannel(options.server, *credentials);
}

void AddBearerToken(grpc::ClientContext& context, absl::string_view token) {
  if (token.empty()) return;
  context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
}

}  // namespace makegood::client
