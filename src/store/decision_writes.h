#ifndef MAKEGOOD_STORE_DECISION_WRITES_H_
#define MAKEGOOD_STORE_DECISION_WRITES_H_

// Persists a recovery decision of core (core/recovery/decision.h) inside
// the caller's write transaction: the case, its remedies, the money they
// take off, codes, the outbox's commands, problem keys, the guest's
// contact and follow-up, and the ledger rows, in an order the foreign keys
// accept. Writes only; every rule was applied by core.
//
// Errors: INTERNAL (SQLite failed).

#include <vector>

#include "absl/status/status.h"
#include "core/recovery/decision.h"
#include "makegood/v1/recovery.pb.h"
#include "makegood/v1/remedy_commands.pb.h"
#include "store/sqlite_connection.h"

namespace makegood::store {

// `contact` is the flag's guest contact when the decision keeps one.
// Returns the decision's commands as the adapters' live streams get them
// (a follow-up with the contact attached).
absl::StatusOr<std::vector<makegood::v1::RemedyCommand>> PersistDecision(
    Connection& db, const core::CaseDecision& decision,
    const makegood::v1::GuestContact* contact);

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_DECISION_WRITES_H_
