#ifndef MAKEGOOD_STORE_OUTBOX_H_
#define MAKEGOOD_STORE_OUTBOX_H_

// The outbox: remedy and follow-up commands for the adapters, written in
// the transaction that decided them, delivered until acknowledged.
//
// Invariants:
//  1. A command row is inserted with the decision that created it and never
//     deleted; its body is the RemedyCommand without guest contact details
//     (those live in guest_contacts and are attached when read).
//  2. The first acknowledgement is recorded (result, POS reference or
//     vendor reason, time); later ones change nothing.
//  3. `deliveries` counts how often the command was handed to a stream; a
//     command's next delivery_attempt is deliveries + 1.
//  4. Unacknowledged commands are read oldest first (created_at, then id),
//     a page at a time: a page resumes after the (created_at, id) of the
//     last command of the one before, so a backlog of any size is read in
//     bounded steps and no command is read twice or skipped.
//
// Errors: NOT_FOUND (unknown command), INVALID_ARGUMENT (a page limit out
// of range), INTERNAL (SQLite failed).

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "makegood/v1/remedy_commands.pb.h"
#include "store/recovery_types.h"
#include "store/sqlite_connection.h"

namespace makegood::store {

// Inserts a new command; `application_id` is the remedy it carries out
// (empty for follow-ups).
absl::Status EnqueueCommand(Connection& db,
                            const makegood::v1::RemedyCommand& command,
                            absl::string_view application_id);

struct OutboxCommand {
  makegood::v1::RemedyCommand command;
  std::string application_id;
  // RESULT_UNSPECIFIED while unacknowledged; else the first answer.
  makegood::v1::AckCommandRequest::Result result =
      makegood::v1::AckCommandRequest::RESULT_UNSPECIFIED;
};
// NOT_FOUND (with reason UNKNOWN_COMMAND) for an unknown id.
absl::StatusOr<OutboxCommand> LoadOutboxCommand(Connection& db,
                                                absl::string_view command_id);

// Records the first acknowledgement (no-op when one is recorded).
absl::Status RecordAck(Connection& db,
                       const makegood::v1::AckCommandRequest& ack,
                       int64_t at_us);

// One page of the location's unacknowledged commands, oldest first, each
// with its next delivery_attempt and without contact details (4.).
absl::StatusOr<CommandPage> ReadUnackedCommands(Connection& db,
                                                absl::string_view location_id,
                                                const CommandPageQuery& query);

// Counts one more delivery of each command.
absl::Status CountDeliveriesInTransaction(
    Connection& db, const std::vector<std::string>& command_ids);

// A location's commands not yet acknowledged, for the metrics.
struct OutboxBacklog {
  std::string location_id;
  int64_t commands = 0;
  // When the oldest of them was created; 0 when there is none.
  int64_t oldest_created_us = 0;
};
// One per registered location, by id, an empty outbox included. Reads the
// partial index commands_unacked only.
absl::StatusOr<std::vector<OutboxBacklog>> ReadOutboxBacklog(Connection& db);

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_OUTBOX_H_
