#ifndef MAKEGOOD_STORE_RECOVERY_ROWS_H_
#define MAKEGOOD_STORE_RECOVERY_ROWS_H_

// Row access for recovery: cases, guest contacts, remedies and the money
// they take off, discount codes (commands: store/outbox.h). Used inside
// transactions only (the writer's, or a reader's BEGIN).
//
// Invariants:
//  1. A case row's body is the whole RecoveryCase without guest contact;
//     the remedies table mirrors body.remedies for queries, written in the
//     same transaction.
//  2. Money counts (spending, what is left of a check) include only
//     remedies in status SENT or APPLIED.
//
// Errors: NOT_FOUND (unknown case or command), INTERNAL (SQLite failed).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/authority.h"
#include "core/discount_code.h"
#include "core/recovery/id_source.h"
#include "core/recovery/snapshot.h"
#include "makegood/v1/recovery.pb.h"
#include "makegood/v1/remedy_commands.pb.h"
#include "store/sqlite_connection.h"

namespace makegood::store {

absl::StatusOr<makegood::v1::RecoveryCase> LoadCase(
    Connection& db, absl::string_view location_id, absl::string_view case_id);
// A new case row. `guest_id` (the check's guest) and `business_day` (of
// the flag) never change afterwards.
absl::Status InsertCase(Connection& db,
                        const makegood::v1::RecoveryCase& recovery,
                        absl::string_view guest_id,
                        absl::string_view business_day);
// Stores the changed status and body of an existing case.
absl::Status UpdateCase(Connection& db,
                        const makegood::v1::RecoveryCase& recovery);

absl::Status SaveContact(Connection& db, absl::string_view case_id,
                         const makegood::v1::GuestContact& contact,
                         int64_t delete_after_us);
// The case's contact, unless none was stored or it is past its retention
// at `now_us` (then it is never shown, even before the cleanup deletes it).
absl::StatusOr<std::optional<makegood::v1::GuestContact>> LoadContact(
    Connection& db, absl::string_view case_id, int64_t now_us);

// Record ids and discount codes for the decisions, from the process's
// CSPRNG.
core::IdSource& StoreIds();

// Inserts or updates the remedies row of `remedy`. `charged_to` is whose
// authority it is counted against (empty while pending or when refused);
// `business_day` is the day it counts in, set by the first save.
absl::Status SaveRemedy(Connection& db, const makegood::v1::RecoveryCase& in,
                        const makegood::v1::AppliedRemedy& remedy,
                        absl::string_view charged_to,
                        absl::string_view business_day);
absl::Status SaveMoneyOff(Connection& db, absl::string_view application_id,
                          absl::string_view location_id,
                          absl::string_view check_id, absl::string_view line_id,
                          int64_t amount_minor);

// Money already taken off a check by makegood: per line ('' for the check
// itself) and in total.
using MoneyOff = core::MoneyOff;
absl::StatusOr<MoneyOff> MoneyOffCheck(Connection& db,
                                       absl::string_view location_id,
                                       absl::string_view check_id);

// Spending that counts against `staff_id` and the location.
absl::StatusOr<core::Spent> SpentSoFar(Connection& db,
                                       absl::string_view location_id,
                                       absl::string_view case_id,
                                       absl::string_view staff_id,
                                       absl::string_view business_day);

// Every case of the check (open or closed), oldest first, and when the
// guest's earlier cases were flagged.
absl::StatusOr<std::vector<makegood::v1::RecoveryCase>> CasesOnCheck(
    Connection& db, absl::string_view location_id, absl::string_view check_id);
absl::StatusOr<std::vector<absl::Time>> GuestCaseTimes(
    Connection& db, absl::string_view location_id, absl::string_view guest_id);

absl::Status InsertCode(Connection& db, absl::string_view code,
                        absl::string_view location_id,
                        absl::string_view case_id,
                        absl::string_view application_id, int64_t issued_at_us,
                        int64_t expires_at_us);

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_RECOVERY_ROWS_H_
