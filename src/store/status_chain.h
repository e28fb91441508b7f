#ifndef MAKEGOOD_STORE_STATUS_CHAIN_H_
#define MAKEGOOD_STORE_STATUS_CHAIN_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace makegood::store {

// `status`, the outcome of some work, with `then`, that of what had to
// follow it whatever the outcome (`what`: ending its transaction, putting
// its cache size back): the first error, naming the second when both
// failed. The merged status carries the payloads of both (the work's where
// both have one: its SQLite code), so a mark on either stays.
absl::Status WithFollowUp(absl::Status status, const absl::Status& then,
                          absl::string_view what);

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_STATUS_CHAIN_H_
