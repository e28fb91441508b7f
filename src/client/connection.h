#ifndef MAKEGOOD_CLIENT_CONNECTION_H_
#define MAKEGOOD_CLIENT_CONNECTION_H_

// How a client reaches makegoodd: a channel, plaintext or TLS trusting a CA
// bundle (with a client certificate when makegoodd asks for one), keepalive
// pings, and the bearer token on each call. Shared by the CLI, the vendor
// adapters and the POS plugin. Thread-safe (functions without state).

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
  // For a certificate from a public CA, the system's bundle
  // (/etc/ssl/certs/ca-certificates.crt).
  std::string tls_ca_file;
  // PEM certificate (chain) and its unencrypted private key, presented to
  // makegoodd when its server.tls.client_ca_file asks for one (mutual TLS).
  // Both or neither, and only with tls_ca_file.
  std::string tls_cert_file;
  std::string tls_key_file;
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

// What a program calls the TLS settings, so that an error names what its
// user wrote: a flag ("--tls-cert"), a configuration field
// ("makegood.tls_cert_file").
struct TlsSettingNames {
  std::string ca_file = "tls_ca_file";      // ConnectionOptions::tls_ca_file
  std::string cert_file = "tls_cert_file";  // ...::tls_cert_file
  std::string key_file = "tls_key_file";    // ...::tls_key_file
};

// The PEM text of the TLS files of `options`; all empty for plaintext.
struct TlsFiles {
  std::string ca;    // The CA bundle; "" for plaintext.
  std::string cert;  // The client certificate; "" for none.
  std::string key;   // Its private key; "" for none.
};

// Reads the TLS files of `options`. INVALID_ARGUMENT, naming the setting
// by `names`, when a certificate comes without its key or the other way
// round, when they come without a CA file, or when a file cannot be read
// or does not hold what it should ("--tls-key: FILE holds no PEM private
// key"). Each call reads the files anew; a channel keeps what it was made
// with.
absl::StatusOr<TlsFiles> ReadTlsFiles(const ConnectionOptions& options,
                                      const TlsSettingNames& names = {});

// Plaintext credentials when options.tls_ca_file is "", else TLS trusting
// the bundle in it, presenting the client certificate when one is given;
// or ReadTlsFiles's error.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFor(
    const ConnectionOptions& options, const TlsSettingNames& names = {});

// A channel to options.server with ChannelCredentialsFor(options, names)
// and options.keepalive added to `arguments`, or that function's error.
// The channel connects when first used.
absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(
    const ConnectionOptions& options, const TlsSettingNames& names = {},
    const grpc::ChannelArguments& arguments = grpc::ChannelArguments());

// Sends `token` with the call ("authorization: Bearer TOKEN"); nothing when
// it is empty.
void AddBearerToken(grpc::ClientContext& context, absl::string_view token);

}  // namespace makegood::client

#endif  // MAKEGOOD_CLIENT_CONNECTION_H_
