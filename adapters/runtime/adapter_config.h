#ifndef MAKEGOOD_ADAPTERS_RUNTIME_ADAPTER_CONFIG_H_
#define MAKEGOOD_ADAPTERS_RUNTIME_ADAPTER_CONFIG_H_

// Loading makegood.v1.AdapterConfig (proto/makegood/v1/adapter_config.proto)
// for one vendor: defaults applied, every missing setting named.

#include <string>

#include "absl/status/statusor.h"
#include "client/connection.h"
#include "makegood/v1/adapter_config.pb.h"

namespace makegood::adapters {

// INVALID_ARGUMENT with one "FILE: field: what is wrong" line per problem;
// NOT_FOUND when the file cannot be read. makegood.token_file is read here
// into makegood.token (a warning on stderr when other users may read it),
// and the makegood.tls_* files are checked (client::ReadTlsFiles).
absl::StatusOr<makegood::v1::AdapterConfig> LoadAdapterConfig(
    const std::string& path, const std::string& vendor);

// How to reach makegoodd as `endpoint` says (server and TLS files).
client::ConnectionOptions ConnectionOf(
    const makegood::v1::MakegoodEndpoint& endpoint);

// The makegood.tls_* fields' names, for errors.
client::TlsSettingNames MakegoodTlsSettingNames();

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_RUNTIME_ADAPTER_CONFIG_H_
