#ifndef MAKEGOOD_STORE_RECOVERY_QUERIES_H_
#define MAKEGOOD_STORE_RECOVERY_QUERIES_H_

// Reads of recovery cases, on a reader connection.
//
// Errors: NOT_FOUND (unknown case), INVALID_ARGUMENT (page size or token),
// INTERNAL (SQLite failed).

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "makegood/v1/recovery.pb.h"
#include "makegood/v1/remedy_commands.pb.h"
#include "store/recovery_types.h"
#include "store/sqlite_connection.h"

namespace makegood::store {

absl::StatusOr<makegood::v1::RecoveryCase> ReadRecovery(
    Connection& db, absl::string_view location_id, absl::string_view case_id,
    bool with_contact, int64_t now_us);

absl::StatusOr<RecoveryPage> ReadRecoveryPage(Connection& db,
                                              absl::string_view location_id,
                                              const RecoveryListQuery& query,
                                              int64_t now_us);

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_RECOVERY_QUERIES_H_
