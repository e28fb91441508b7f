#include "client/connection.h"

#include <grpc/grpc.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace makegood::client {

namespace {

// The whole of `path`; nullopt when it cannot be opened or read.
std::optional<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}

absl::Status Refuse(const std::string& name, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(name, ": ", what));
}

// A PEM file that must hold at least one certificate.
absl::StatusOr<std::string> ReadCertificates(const std::string& name,
                                             const std::string& path) {
  std::optional<std::string> pem = ReadWholeFile(path);
  if (!pem) return Refuse(name, absl::StrCat("cannot read ", path));
  // An empty bundle fails too, rather than falling back to gRPC's default
  // roots.
  if (!absl::StrContains(*pem, "-----BEGIN CERTIFICATE-----")) {
    return Refuse(name, absl::StrCat(path, " holds no PEM certificate"));
  }
  return *std::move(pem);
}

absl::StatusOr<std::string> ReadPrivateKey(const std::string& name,
                                           const std::string& path) {
  std::optional<std::string> pem = ReadWholeFile(path);
  if (!pem) return Refuse(name, absl::StrCat("cannot read ", path));
  if (absl::StrContains(*pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----") ||
      absl::StrContains(*pem, "Proc-Type: 4,ENCRYPTED")) {
    return Refuse(name, absl::StrCat(path,
                                     " is encrypted: give the key without a "
                                     "passphrase, in a file only its user "
                                     "may read"));
  }
  const size_t begin = pem->find("-----BEGIN ");
  if (begin == std::string::npos ||
      pem->find("PRIVATE KEY-----", begin) == std::string::npos) {
    return Refuse(name, absl::StrCat(path, " holds no PEM private key"));
  }
  return *std::move(pem);
}

}  // namespace

absl::StatusOr<TlsFiles> ReadTlsFiles(const ConnectionOptions& options,
                                      const TlsSettingNames& names) {
  const bool has_cert = !options.tls_cert_file.empty();
  const bool has_key = !options.tls_key_file.empty();
  if (has_cert != has_key) {
    return has_cert
               ? Refuse(names.cert_file, absl::StrCat("needs ", names.key_file,
                                                      ", its private key"))
               : Refuse(names.key_file,
                        absl::StrCat("needs ", names.cert_file,
                                     ", the certificate it is the key of"));
  }
  TlsFiles files;
  if (options.tls_ca_file.empty()) {
    if (has_cert) {
      return Refuse(names.cert_file,
                    absl::StrCat("needs ", names.ca_file,
                                 ", the CA that signed makegoodd's "
                                 "certificate: a client certificate is only "
                                 "sent over TLS"));
    }
    return files;
  }
  auto ca = ReadCertificates(names.ca_file, options.tls_ca_file);
  if (!ca.ok()) return ca.status();
  files.ca = *std::move(ca);
  if (!has_cert) return files;
  auto cert = ReadCertificates(names.cert_file, options.tls_cert_file);
  if (!cert.ok()) return cert.status();
  files.cert = *std::move(cert);
  auto key = ReadPrivateKey(names.key_file, options.tls_key_file);
  if (!key.ok()) return key.status();
  files.key = *std::move(key);
  return files;
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFor(
    const ConnectionOptions& options, const TlsSettingNames& names) {
  auto files = ReadTlsFiles(options, names);
  if (!files.ok()) return files.status();
  if (files->ca.empty()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = std::move(files->ca);
  ssl.pem_cert_chain = std::move(files->cert);
  ssl.pem_private_key = std::move(files->key);
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
    const ConnectionOptions& options, const TlsSettingNames& names,
    const grpc::ChannelArguments& arguments) {
  auto credentials = ChannelCredentialsFor(options, names);
  if (!credentials.ok()) return credentials.status();
  return grpc::CreateCustomChannel(options.server, *credentials,
                                   WithKeepalive(arguments, options.keepalive));
}

void AddBearerToken(grpc::ClientContext& context, absl::string_view token) {
  if (token.empty()) return;
  context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
}

}  // namespace makegood::client
