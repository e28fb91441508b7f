#ifndef MAKEGOOD_ADAPTERS_RUNTIME_ADAPTER_CONFIG_H_
#define MAKEGOOD_ADAPTERS_RUNTIME_ADAPTER_CONFIG_H_

// Loading makegood.v1.AdapterConfig (proto/makegood/v1/adapter_config.proto)
// for one vendor: defaults applied, every missing setting named.

#include <string>

#include "absl/status/statusor.h"
#include "makegood/v1/adapter_config.pb.h"

namespace makegood::adapters {

// INVALID_ARGUMENT with one "FILE: field: what is wrong" line per problem;
// NOT_FOUND when the file cannot be read.
absl::StatusOr<makegood::v1::AdapterConfig> LoadAdapterConfig(
    const std::string& path, const std::string& vendor);

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_RUNTIME_ADAPTER_CONFIG_H_
