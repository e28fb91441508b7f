#ifndef MAKEGOOD_STORE_CHECK_QUERIES_H_
#define MAKEGOOD_STORE_CHECK_QUERIES_H_

// Reads of the check projection, on a reader connection.

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "makegood/v1/checks.pb.h"
#include "store/sqlite_connection.h"
#include "store/store.h"

namespace makegood::store {

// The check with its items. NOT_FOUND when no event of it is stored.
absl::StatusOr<makegood::v1::Check> ReadCheck(Connection& db,
                                              absl::string_view location_id,
                                              absl::string_view check_id);

// ReadCheck inside a transaction the caller holds (the writer's).
absl::StatusOr<makegood::v1::Check> ReadCheckInTransaction(
    Connection& db, absl::string_view location_id, absl::string_view check_id);

// A page of checks without items, most recently started first.
// INVALID_ARGUMENT for a malformed page token.
absl::StatusOr<CheckPage> ReadCheckPage(Connection& db,
                                        absl::string_view location_id,
                                        const CheckListQuery& query);

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_CHECK_QUERIES_H_
