#include "store/outbox.h"

#include "absl/strings/str_cat.h"
#include "core/proto_time.h"
#include "core/refusal.h"
#include "store/stored_message.h"

namespace makegood::store {

absl::Status EnqueueCommand(Connection& db,
                            const makegood::v1::RemedyCommand& command,
                            absl::string_view application_id) {
  auto stmt = db.Prepare(
      "INSERT INTO commands(command_id, location_id, case_id, application_id, "
      "created_at_us, body) VALUES(?1,?2,?3,?4,?5,?6)");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)
      ->Bind(1, command.command_id())
      .Bind(2, command.location_id())
      .Bind(3, command.case_id())
      .BindOptional(4, application_id)
      .Bind(5, core::ToUnixMicros(command.created_at()))
      .BindBlob(6, command.SerializeAsString())
      .Run();
}

absl::StatusOr<OutboxCommand> LoadOutboxCommand(Connection& db,
                                                absl::string_view command_id) {
  auto stmt = db.Prepare(
      "SELECT body, coalesce(application_id, ''), coalesce(result, 0) "
      "FROM commands WHERE command_id=?1");
  if (!stmt.ok()) return stmt.status();
  Statement& row = **stmt;
  auto found = row.Bind(1, command_id).Step();
  if (!found.ok()) return found.status();
  if (!*found) {
    return core::Refuse(
        absl::StatusCode::kNotFound, makegood::v1::Error::UNKNOWN_COMMAND,
        absl::StrCat("command_id: no command '", command_id, "'"));
  }
  OutboxCommand command;
  if (auto s = ParseStored(row.Blob(0), "command", command_id, command.command);
      !s.ok()) {
    return s;
  }
  command.application_id = row.Text(1);
  command.result =
      static_cast<makegood::v1::AckCommandRequest::Result>(row.Int(2));
  return command;
}

absl::Status RecordAck(Connection& db,
                       const makegood::v1::AckCommandRequest& ack,
                       int64_t at_us) {
  auto stmt = db.Prepare(
      "UPDATE commands SET acked_at_us=?2, result=?3, pos_reference=?4, "
      "vendor_reason=?5 WHERE command_id=?1 AND acked_at_us IS NULL");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)
      ->Bind(1, ack.command_id())
      .Bind(2, at_us)
      .Bind(3, ack.result())
      .BindOptional(4, ack.pos_reference())
      .BindOptional(5, ack.vendor_reason())
      .Run();
}

absl::StatusOr<CommandPage> ReadUnackedCommands(Connection& db,
                                                absl::string_view location_id,
                                                const CommandPageQuery& query) {
  if (query.limit < 1 || query.limit > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit: must be 1 to 1000, got ", query.limit));
  }
  // The first condition lets the partial index commands_unacked serve the
  // range; the row value then skips the previous page's ties.
  auto stmt = db.Prepare(
      "SELECT body, deliveries FROM commands WHERE location_id=?1 "
      "AND acked_at_us IS NULL AND created_at_us >= ?2 "
      "AND (created_at_us, command_id) > (?2, ?3) "
      "ORDER BY created_at_us, command_id LIMIT ?4");
  if (!stmt.ok()) return stmt.status();
  Statement& row = **stmt;
  row.Bind(1, location_id)
      .Bind(2, query.after_created_us)
      .Bind(3, query.after_command_id)
      .Bind(4, int64_t{query.limit} + 1);  // One more says there are more.
  CommandPage page;
  for (;;) {
    auto more = row.Step();
    if (!more.ok()) return more.status();
    if (!*more) return page;
    if (static_cast<int>(page.commands.size()) == query.limit) {
      page.more = true;
      return page;
    }
    makegood::v1::RemedyCommand command;
    if (auto s = ParseStored(row.Blob(0), "a command of the outbox", command);
        !s.ok()) {
      return s;
    }
    command.set_delivery_attempt(static_cast<int32_t>(row.Int(1)) + 1);
    page.commands.push_back(std::move(command));
  }
}

absl::Status CountDeliveriesInTransaction(
    Connection& db, const std::vector<std::string>& command_ids) {
  for (const auto& id : command_ids) {
    auto stmt = db.Prepare(
        "UPDATE commands SET deliveries=deliveries+1 WHERE command_id=?1");
    if (!stmt.ok()) return stmt.status();
    if (auto s = (*stmt)->Bind(1, id).Run(); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<OutboxBacklog>> ReadOutboxBacklog(Connection& db) {
  auto stmt = db.Prepare(
      "SELECT l.location_id, count(c.command_id), "
      "coalesce(min(c.created_at_us), 0) FROM locations l "
      "LEFT JOIN commands c ON c.location_id = l.location_id "
      "AND c.acked_at_us IS NULL "
      "GROUP BY l.location_id ORDER BY l.location_id");
  if (!stmt.ok()) return stmt.status();
  std::vector<OutboxBacklog> backlog;
  absl::Status read = ForEachRow(**stmt, [&](Statement& row) {
    backlog.push_back(OutboxBacklog{row.Text(0), row.Int(1), row.Int(2)});
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  return backlog;
}

}  // namespace makegood::store
