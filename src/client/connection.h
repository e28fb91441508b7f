#ifndef MAKEGOOD_CLIENT_CONNECTION_H_
#define MAKEGOOD_CLIENT_CONNECTION_H_

// How a client reaches makegoodd: a channel, plaintext or TLS trusting a CA
// bundle, keepalive pings, and the bearer token on each call. Shared by the
// CLI, the vendor adapters and the POS plugin. Thread-safe (functions
// without state).

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace makegood::client {

// makegoodd's own default (server.keepalive_seconds).
inline constexpr absl::Duration kDefaultKeepalive = absl::Seconds(10);

struct ConnectionOptions {
  // host:port of makegoodd.
  std::string server = "127.0.0.1:50051";
  // PEM CA bundle: connect with TLS, trusting it; "" connects in plaintext.
  std::string tls_ca_file;
  // How often the client pings makegoodd while a call is open, and how long
  // it waits for the answer: a half-open connection ends the client's
  // streams with UNAVAILABLE in about two periods, instead of never.
  // Shorter than 1 s is taken as 1 s (makegoodd refuses pings more often
  // than every 500 ms); zero or less sends none.
  absl::Duration keepalive = kDefaultKeepalive;
};

// `arguments` with keepalive pings every `keepalive` (see
// ConnectionOptions::keepalive), also on a stream the client sends nothing
// on.
grpc::ChannelArguments WithKeepalive(
    grpc::ChannelArguments arguments,
    absl::Duration keepalive = kDefaultKeepalive);

// Plaintext credentials when `tls_ca_file` is "", else TLS trusting the
// bundle in it. INVALID_ARGUMENT ("cannot read FILE") when it cannot be
// read or is empty.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFor(
    const std::string& tls_ca_file);

// A channel to options.server with ChannelCredentialsFor(tls_ca_file) and
// options.keepalive, or that function's error. The channel connects when
// first used.
absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(
    const ConnectionOptions& options);

// Sends `token` with the call ("authorization: Bearer TOKEN"); nothing when
// it is empty.
void AddBearerToken(grpc::ClientContext& context, absl::string_view token);

}  // namespace makegood::client

#endif  // MAKEGOOD_CLIENT_CONNECTION_H_
