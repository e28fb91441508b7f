#ifndef MAKEGOOD_CLIENT_CONNECTION_H_
#define MAKEGOOD_CLIENT_CONNECTION_H_

// How a client reaches makegoodd: a channel, plaintext or TLS trusting a CA
// bundle, and the bearer token on each call. Shared by the CLI, the vendor
// adapters and the POS plugin. Thread-safe (functions without state).

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace makegood::client {

struct ConnectionOptions {
  // host:port of makegoodd.
  std::string server = "127.0.0.1:50051";
  // PEM CA bundle: connect with TLS, trusting it; "" connects in plaintext.
  std::string tls_ca_file;
};

// Plaintext credentials when `tls_ca_file` is "", else TLS trusting the
// bundle in it. INVALID_ARGUMENT ("cannot read FILE") when it cannot be
// read or is empty.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFor(
    const std::string& tls_ca_file);

// A channel to options.server with ChannelCredentialsFor(tls_ca_file), or
// that function's error. The channel connects when first used.
absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(
    const ConnectionOptions& options);

// Sends `token` with the call ("authorization: Bearer TOKEN"); nothing when
// it is empty.
void AddBearerToken(grpc::ClientContext& context, absl::string_view token);

}  // namespace makegood::client

#endif  // MAKEGOOD_CLIENT_CONNECTION_H_
