#ifndef MAKEGOOD_TESTS_SOAK_DB_AUDIT_H_
#define MAKEGOOD_TESTS_SOAK_DB_AUDIT_H_

// The invariants a makegoodd database holds whatever happened to the
// daemon (a SIGKILL at any moment, connections cut at random), checked on
// the file itself, read-only and in one read transaction, so that it works
// on the file of a killed daemon as well as on a live one:
//  1. Every answer a client received is there: the request id is stored
//     for its caller and method (a retry gets that answer), the case and
//     each remedy of the answer exist at the answer's state or a later one
//     of the remedy state machine, options declined stay declined, a
//     closed case stays closed; every acked command is recorded with the
//     answer given; every order event a PublishSummary counted is stored.
//  2. No case is half-written: each case's body parses and agrees with its
//     row; its remedies are exactly the remedies rows of the case, with the
//     same status, cost and kind; each remedy sent has its outbox command,
//     whose answer (none, APPLIED with the POS reference, REJECTED) is the
//     remedy's status; the total cost is the sum of what counts; the
//     ledger has one "flagged" row, one "remedy_sent" per remedy sent, one
//     "command_applied" or "command_rejected" per answer, one
//     "remedy_pending" per remedy that waited and one "remedy_denied" per
//     denial; no command, remedy or ledger row belongs to a case that is
//     not there.
//  3. The spending totals (per business day and staff member, and for the
//     location) equal the sum of the remedies sent or applied charged to
//     them.
//  4. The fake POS: every command recorded APPLIED was written on it once,
//     with the reference acknowledged; none recorded REJECTED was written;
//     nothing was written twice. With `all_answered`, every command has its
//     answer and every write on the POS is recorded APPLIED.
// The ledger's hash chain is checked by the real tool (VerifyLedger).

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "soak/answer_log.h"
#include "soak/fake_pos.h"

namespace makegood::soak {

struct AuditSummary {
  int64_t cases = 0;
  int64_t remedies = 0;
  int64_t commands = 0;
  int64_t commands_answered = 0;
  int64_t answers_checked = 0;
  int64_t events_checked = 0;
};

// FAILED_PRECONDITION naming the first violated invariant; INTERNAL when
// the file cannot be read.
absl::StatusOr<AuditSummary> AuditDatabase(
    const std::string& db_path, const AnswerLog::Snapshot& answers,
    const std::map<std::string, FakePos::Written>& pos, bool all_answered);

// Runs `makegood ledger verify --db db_path` (with --expect-head
// `expected_head` unless it is ""): the head it printed ("SEQ:HASH", ""
// for an empty ledger), or FAILED_PRECONDITION with what it said.
absl::StatusOr<std::string> VerifyLedger(const std::string& db_path,
                                         const std::string& expected_head);

}  // namespace makegood::soak

#endif  // MAKEGOOD_TESTS_SOAK_DB_AUDIT_H_
