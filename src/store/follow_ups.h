#ifndef MAKEGOOD_STORE_FOLLOW_UPS_H_
#define MAKEGOOD_STORE_FOLLOW_UPS_H_

// Follow-ups: a guest who consented is contacted `follow_up.after_days`
// after their case. The flag's decision schedules the follow-up row and a
// GuestFollowUp command for CRM adapters (store/decision_writes.h). Neither the
// command row nor the ledger holds contact details: they live only in
// guest_contacts (deleted after the retention) and are attached when a
// command or follow-up is read.

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "makegood/v1/recovery.pb.h"
#include "makegood/v1/remedy_commands.pb.h"
#include "makegood/v1/report.pb.h"
#include "store/recovery_types.h"
#include "store/sqlite_connection.h"

namespace makegood::store {

// Marks the follow-up done. NOT_FOUND without one, FAILED_PRECONDITION when
// already done. The answer carries no contact details.
absl::StatusOr<makegood::v1::FollowUp> CompleteFollowUpInTransaction(
    Connection& db, const RecoveryCall& call,
    const makegood::v1::CompleteFollowUpRequest& request);

// One page of the follow-ups not done and due at or before query.due_by,
// soonest first (due time, then case id), with the contact details still
// kept at `now_us`. A page token is "<due micros>:<case id>" of the page's
// last follow-up (store/page_token.h); the next page starts after it.
// INVALID_ARGUMENT for a page size out of range or a token no page gave.
absl::StatusOr<FollowUpPage> ReadDueFollowUps(Connection& db,
                                              absl::string_view location_id,
                                              const FollowUpQuery& query,
                                              int64_t now_us);

// Attaches the kept contact details to the GuestFollowUp commands.
absl::Status AttachFollowUpContacts(
    Connection& db, std::vector<makegood::v1::RemedyCommand>& commands,
    int64_t now_us);

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_FOLLOW_UPS_H_
