#ifndef MAKEGOOD_ADAPTERS_RUNTIME_ADAPTER_CONFIG_H_
#define MAKEGOOD_ADAPTERS_RUNTIME_ADAPTER_CONFIG_H_

// Loading makegood.v1.AdapterConfig (proto/makegood/v1/adapter_config.proto)
// for one vendor: defaults applied, every missing setting named.

#include <string>

#include "absl/status/statusor.h"
#include "client/connection.h"
#include "makegood/v1/adapter_config.pb.h"
#include "vendor_payload.h"

namespace makegood::adapters {

// INVALID_ARGUMENT with one "FILE: field: what is wrong" line per problem
// (a staff_map or table_map entry: "FILE: staff_map: 'E1': the staff id is
// empty"); NOT_FOUND when the file cannot be read. makegood.token_file is read
// here into makegood.token (a warning on stderr when other users may read it),
// and the makegood.tls_* files are checked (client::ReadTlsFiles).
absl::StatusOr<makegood::v1::AdapterConfig> LoadAdapterConfig(
    const std::string& path, const std::string& vendor);

// What the vendor's translator needs of `config` (a loaded one): the
// events' source (`vendor`), the locations, staff and tables maps and the
// currency.
VendorContext VendorContextOf(const makegood::v1::AdapterConfig& config,
                              const std::string& vendor);

// How to reach makegoodd as `endpoint` says (server and TLS files).
client::ConnectionOptions ConnectionOf(
    const makegood::v1::MakegoodEndpoint& endpoint);

// The makegood.tls_* fields' names, for errors.
client::TlsSettingNames MakegoodTlsSettingNames();

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_RUNTIME_ADAPTER_CONFIG_H_
