#ifndef MAKEGOOD_CORE_SHA256_H_
#define MAKEGOOD_CORE_SHA256_H_

// SHA-256 (OpenSSL), for token hashes, request fingerprints and the ledger's
// hash chain. Thread-safe.

#include <string>

#include "absl/strings/string_view.h"

namespace makegood::core {

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(absl::string_view data);

}  // namespace makegood::core

#endif  // MAKEGOOD_CORE_SHA256_H_
