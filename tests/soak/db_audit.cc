#include "soak/db_audit.h"

#include <filesystem>
#include <regex>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "sqlite/connection.h"
#include "support/process.h"

namespace makegood::soak {
namespace {

using makegood::sqlite::Connection;
using makegood::sqlite::Statement;
using makegood::v1::AckCommandRequest;
using makegood::v1::AppliedRemedy;
using makegood::v1::RecoveryCase;

struct CaseRow {
  std::string check_id;
  int64_t status = 0;
  RecoveryCase body;
};

struct RemedyRow {
  std::string case_id;
  std::string location_id;
  int64_t kind = 0;
  int64_t status = 0;
  int64_t cost = 0;
  std::string charged_to;  // "" for NULL.
  std::string business_day;
};

struct CommandRow {
  std::string case_id;
  std::string application_id;  // "" for a follow-up.
  bool answered = false;
  int64_t result = 0;
  std::string pos_reference;
};

// (location, business day, charged_to) -> minor units.
using SpendingKey = std::tuple<std::string, std::string, std::string>;

struct Tables {
  std::map<std::string, CaseRow> cases;
  std::map<std::string, RemedyRow> remedies;
  std::map<std::string, CommandRow> commands;
  std::map<std::pair<std::string, std::string>, int64_t>
      ledger;  // Per case, action.
  std::map<SpendingKey, int64_t> spending;
  std::map<std::pair<std::string, std::string>, std::string>
      answers;                   // Caller, id -> method.
  std::set<std::string> events;  // Of source "test-pos".
};

absl::Status Violation(const std::string& message) {
  return absl::FailedPreconditionError(message);
}

// Runs `sql`, calling `row` for each row.
template <typename Row>
absl::Status ForEach(Connection& db, const char* sql, Row row) {
  auto stmt = db.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  return makegood::sqlite::ForEachRow(**stmt, [&](Statement& s) {
    row(s);
    return absl::OkStatus();
  });
}

absl::StatusOr<Tables> ReadTables(Connection& db) {
  Tables t;
  std::vector<std::string> damaged;
  absl::Status read =
      ForEach(db, "SELECT case_id, check_id, status, body FROM cases",
              [&](Statement& s) {
                CaseRow row{s.Text(1), s.Int(2), {}};
                if (!row.body.ParseFromString(s.Blob(3)))
                  damaged.push_back(s.Text(0));
                t.cases.emplace(s.Text(0), std::move(row));
              });
  if (!read.ok()) return read;
  if (!damaged.empty()) {
    return Violation(absl::StrCat("case ", damaged.front(),
                                  ": its body does not parse as a "
                                  "RecoveryCase (half-written)"));
  }
  read = ForEach(db,
                 "SELECT application_id, case_id, location_id, kind, status, "
                 "cost_minor, coalesce(charged_to, ''), business_day "
                 "FROM remedies",
                 [&](Statement& s) {
                   t.remedies.emplace(
                       s.Text(0),
                       RemedyRow{s.Text(1), s.Text(2), s.Int(3), s.Int(4),
                                 s.Int(5), s.Text(6), s.Text(7)});
                 });
  if (!read.ok()) return read;
  read =
      ForEach(db,
              "SELECT command_id, case_id, coalesce(application_id, ''), "
              "acked_at_us IS NOT NULL, coalesce(result, 0), "
              "coalesce(pos_reference, '') FROM commands",
              [&](Statement& s) {
                t.commands.emplace(
                    s.Text(0), CommandRow{s.Text(1), s.Text(2), s.Int(3) != 0,
                                          s.Int(4), s.Text(5)});
              });
  if (!read.ok()) return read;
  read =
      ForEach(db, "SELECT case_id, action, count(*) FROM ledger GROUP BY 1, 2",
              [&](Statement& s) {
                t.ledger[{s.Text(0), s.Text(1)}] = s.Int(2);
              });
  if (!read.ok()) return read;
  read = ForEach(db,
                 "SELECT location_id, business_day, charged_to, amount_minor "
                 "FROM spending WHERE amount_minor != 0",
                 [&](Statement& s) {
                   t.spending[{s.Text(0), s.Text(1), s.Text(2)}] = s.Int(3);
                 });
  if (!read.ok()) return read;
  read = ForEach(db, "SELECT caller, request_id, method FROM idempotency",
                 [&](Statement& s) {
                   t.answers[{s.Text(0), s.Text(1)}] = s.Text(2);
                 });
  if (!read.ok()) return read;
  read =
      ForEach(db, "SELECT event_id FROM order_events WHERE source='test-pos'",
              [&](Statement& s) { t.events.insert(s.Text(0)); });
  if (!read.ok()) return read;
  return t;
}

bool Counts(int64_t status) {
  return status == AppliedRemedy::SENT || status == AppliedRemedy::APPLIED;
}
bool WasSent(int64_t status) {
  return Counts(status) || status == AppliedRemedy::REJECTED;
}

std::string StatusName(int64_t status) {
  return AppliedRemedy::Status_IsValid(static_cast<int>(status))
             ? AppliedRemedy::Status_Name(
                   static_cast<AppliedRemedy::Status>(status))
             : absl::StrCat(status);
}

// Whether a remedy seen at `from` may be at `to` later.
bool Reachable(int64_t from, int64_t to) {
  if (from == to) return true;
  switch (from) {
    case AppliedRemedy::PENDING_APPROVAL:
      return true;
    case AppliedRemedy::SENT:
      return to == AppliedRemedy::APPLIED || to == AppliedRemedy::REJECTED;
    default:
      return false;
  }
}

bool Closed(int status) {
  return status == RecoveryCase::RESOLVED || status == RecoveryCase::GUEST_LEFT;
}

int64_t LedgerRows(const Tables& t, const std::string& case_id,
                   const char* action) {
  auto found = t.ledger.find({case_id, action});
  return found == t.ledger.end() ? 0 : found->second;
}

absl::Status CheckRemedyOfCase(const Tables& t, const std::string& case_id,
                               const AppliedRemedy& remedy) {
  const std::string& id = remedy.remedy_application_id();
  auto row = t.remedies.find(id);
  if (row == t.remedies.end()) {
    return Violation(absl::StrCat("case ", case_id, ": remedy ", id,
                                  " is in the case's body but has no "
                                  "remedies row (half-written)"));
  }
  if (row->second.case_id != case_id || row->second.status != remedy.status() ||
      row->second.cost != remedy.cost().minor_units() ||
      row->second.kind != remedy.kind()) {
    return Violation(absl::StrCat(
        "case ", case_id, ": remedy ", id, " is ", StatusName(remedy.status()),
        " costing ", remedy.cost().minor_units(),
        " in the body but its row "
        "says case ",
        row->second.case_id, ", ", StatusName(row->second.status), " costing ",
        row->second.cost, " (half-written)"));
  }
  const bool needs_command =
      WasSent(remedy.status()) && remedy.kind() != makegood::v1::MANAGER_VISIT;
  if (!needs_command) {
    if (!remedy.command_id().empty() && !WasSent(remedy.status())) {
      return Violation(absl::StrCat("case ", case_id, ": remedy ", id, " is ",
                                    StatusName(remedy.status()),
                                    " yet has command ", remedy.command_id()));
    }
    return absl::OkStatus();
  }
  auto command = t.commands.find(remedy.command_id());
  if (remedy.command_id().empty() || command == t.commands.end() ||
      command->second.case_id != case_id ||
      command->second.application_id != id) {
    return Violation(absl::StrCat("case ", case_id, ": remedy ", id,
                                  " was sent to the POS but its "
                                  "outbox command '",
                                  remedy.command_id(),
                                  "' is missing or belongs "
                                  "elsewhere (half-written)"));
  }
  const CommandRow& c = command->second;
  const bool agrees =
      remedy.status() == AppliedRemedy::SENT ? !c.answered
      : remedy.status() == AppliedRemedy::APPLIED
          ? c.answered && c.result == AckCommandRequest::APPLIED &&
                c.pos_reference == remedy.pos_reference()
          : c.answered && c.result == AckCommandRequest::REJECTED;
  if (!agrees) {
    return Violation(absl::StrCat(
        "case ", case_id, ": remedy ", id, " is ", StatusName(remedy.status()),
        " (POS reference '", remedy.pos_reference(), "') but its command ",
        remedy.command_id(),
        c.answered ? absl::StrCat(" was answered ", c.result, " ('",
                                  c.pos_reference, "')")
                   : std::string(" has no answer"),
        " (half-written)"));
  }
  return absl::OkStatus();
}

absl::Status CheckCases(const Tables& t) {
  std::map<std::string, int64_t> remedy_rows_per_case;
  for (const auto& [id, row] : t.remedies) {
    if (!t.cases.contains(row.case_id)) {
      return Violation(absl::StrCat("remedy ", id, " belongs to case ",
                                    row.case_id, ", which is not stored"));
    }
    ++remedy_rows_per_case[row.case_id];
  }
  for (const auto& [case_id, row] : t.cases) {
    const RecoveryCase& body = row.body;
    if (body.case_id() != case_id || body.check_id() != row.check_id ||
        body.status() != row.status) {
      return Violation(absl::StrCat(
          "case ", case_id, ": the row says check ", row.check_id, ", status ",
          row.status, "; the body says case ", body.case_id(), ", check ",
          body.check_id(), ", status ", body.status(), " (half-written)"));
    }
    int64_t sent = 0, applied = 0, rejected = 0, denied = 0, waited = 0;
    int64_t total = 0;
    for (const AppliedRemedy& remedy : body.remedies()) {
      if (absl::Status s = CheckRemedyOfCase(t, case_id, remedy); !s.ok())
        return s;
      if (WasSent(remedy.status())) ++sent;
      if (remedy.status() == AppliedRemedy::APPLIED &&
          !remedy.command_id().empty())
        ++applied;
      if (remedy.status() == AppliedRemedy::REJECTED) ++rejected;
      if (remedy.status() == AppliedRemedy::DENIED) ++denied;
      if (!remedy.approval_reason().empty()) ++waited;
      if (Counts(remedy.status())) total += remedy.cost().minor_units();
    }
    if (remedy_rows_per_case[case_id] != body.remedies_size()) {
      return Violation(absl::StrCat(
          "case ", case_id, " has ", body.remedies_size(),
          " remedies in its body and ", remedy_rows_per_case[case_id],
          " remedies rows (half-written)"));
    }
    if (body.total_cost().minor_units() != total) {
      return Violation(absl::StrCat(
          "case ", case_id, ": total cost ", body.total_cost().minor_units(),
          ", but its remedies given add up to ", total));
    }
    const struct {
      const char* action;
      int64_t expected;
    } rows[] = {{"flagged", 1},
                {"remedy_sent", sent},
                {"command_applied", applied},
                {"command_rejected", rejected},
                {"remedy_denied", denied},
                {"remedy_pending", waited}};
    for (const auto& [action, expected] : rows) {
      const int64_t found = LedgerRows(t, case_id, action);
      if (found != expected) {
        return Violation(absl::StrCat("case ", case_id, ": the ledger has ",
                                      found, " '", action,
                                      "' rows where the case's body calls for ",
                                      expected, " (half-written)"));
      }
    }
    if (Closed(body.status()) && LedgerRows(t, case_id, "outcome") == 0) {
      return Violation(absl::StrCat("case ", case_id, " is closed (",
                                    RecoveryCase::Status_Name(body.status()),
                                    ") but the ledger has no outcome row"));
    }
  }
  for (const auto& [key, count] : t.ledger) {
    if (!t.cases.contains(key.first)) {
      return Violation(absl::StrCat("the ledger has ", count, " '", key.second,
                                    "' rows of case ", key.first,
                                    ", which is not stored (half-written)"));
    }
  }
  for (const auto& [command_id, row] : t.commands) {
    auto owner = t.cases.find(row.case_id);
    if (owner == t.cases.end()) {
      return Violation(absl::StrCat("command ", command_id, " belongs to case ",
                                    row.case_id, ", which is not stored"));
    }
    if (row.application_id.empty()) continue;  // A follow-up.
    bool named = false;
    for (const AppliedRemedy& remedy : owner->second.body.remedies()) {
      named = named || (remedy.remedy_application_id() == row.application_id &&
                        remedy.command_id() == command_id);
    }
    if (!named) {
      return Violation(absl::StrCat(
          "command ", command_id, " is for remedy ", row.application_id,
          " of case ", row.case_id,
          ", but the case's body has no such remedy with that command "
          "(half-written)"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckSpending(const Tables& t) {
  std::map<SpendingKey, int64_t> expected;
  for (const auto& [id, row] : t.remedies) {
    if (!Counts(row.status) || row.cost == 0) continue;
    if (row.charged_to.empty()) {
      return Violation(absl::StrCat("remedy ", id, " is ",
                                    StatusName(row.status), " costing ",
                                    row.cost, " but is charged to nobody"));
    }
    expected[{row.location_id, row.business_day, row.charged_to}] += row.cost;
    expected[{row.location_id, row.business_day, ""}] += row.cost;
  }
  for (auto& [key, amount] : expected) {
    if (amount == 0) continue;
    auto kept = t.spending.find(key);
    const int64_t found = kept == t.spending.end() ? 0 : kept->second;
    if (found != amount) {
      const auto& [location, day, who] = key;
      return Violation(absl::StrCat(
          "spending of ", who.empty() ? "the location" : who, " at ", location,
          " on ", day, " is ", found,
          " but the remedies sent or applied charged to it add up to ",
          amount));
    }
  }
  for (const auto& [key, amount] : t.spending) {
    auto computed = expected.find(key);
    if (computed == expected.end() || computed->second != amount) {
      const auto& [location, day, who] = key;
      return Violation(
          absl::StrCat("spending of ", who.empty() ? "the location" : who,
                       " at ", location, " on ", day, " is ", amount,
                       " but the remedies charged to it add "
                       "up to ",
                       computed == expected.end() ? 0 : computed->second));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckAnswers(const Tables& t, const AnswerLog::Snapshot& log) {
  for (const auto& entry : log.recovery) {
    const RecoveryCase& answer = entry->answer;
    const std::string what =
        absl::StrCat(entry->method, " ", entry->request_id, " (", entry->caller,
                     ", answered with case ", answer.case_id(), ")");
    auto stored = t.answers.find({entry->caller, entry->request_id});
    if (stored == t.answers.end() || stored->second != entry->method) {
      return Violation(absl::StrCat(
          what, ": the answer was given but the request id is not stored ",
          stored == t.answers.end()
              ? std::string("at all")
              : absl::StrCat("for it (stored for ", stored->second, ")"),
          ": the request was not durable when answered"));
    }
    auto found = t.cases.find(answer.case_id());
    if (found == t.cases.end()) {
      return Violation(absl::StrCat(what, ": the case is not stored"));
    }
    const RecoveryCase& now = found->second.body;
    if (now.check_id() != answer.check_id() ||
        now.category_id() != answer.category_id()) {
      return Violation(absl::StrCat(what, ": the stored case is of check ",
                                    now.check_id(), ", not ",
                                    answer.check_id()));
    }
    for (const AppliedRemedy& given : answer.remedies()) {
      const AppliedRemedy* stored_remedy = nullptr;
      for (const AppliedRemedy& remedy : now.remedies()) {
        if (remedy.remedy_application_id() == given.remedy_application_id())
          stored_remedy = &remedy;
      }
      if (stored_remedy == nullptr ||
          !Reachable(given.status(), stored_remedy->status())) {
        return Violation(absl::StrCat(
            what, ": it answered remedy ", given.remedy_application_id(), " ",
            StatusName(given.status()), ", but the database has it ",
            stored_remedy == nullptr ? std::string("not at all")
                                     : StatusName(stored_remedy->status())));
      }
    }
    for (const auto* list : {&answer.options(), &answer.extras()}) {
      for (const auto& option : *list) {
        if (!option.declined()) continue;
        bool still = false;
        for (const auto* now_list : {&now.options(), &now.extras()}) {
          for (const auto& now_option : *now_list) {
            still = still || (now_option.option_id() == option.option_id() &&
                              now_option.declined());
          }
        }
        if (!still) {
          return Violation(absl::StrCat(what, ": option ", option.option_id(),
                                        " was answered declined but is not "
                                        "declined in the database"));
        }
      }
    }
    if (Closed(answer.status()) && now.status() != answer.status()) {
      return Violation(absl::StrCat(what, ": the case was answered ",
                                    RecoveryCase::Status_Name(answer.status()),
                                    " but the database has it ",
                                    RecoveryCase::Status_Name(now.status())));
    }
  }
  for (const auto& ack : log.acks) {
    const std::string what =
        absl::StrCat("AckCommand ", ack->request_id, " (", ack->caller, ")");
    auto stored = t.answers.find({ack->caller, ack->request_id});
    if (stored == t.answers.end() || stored->second != "AckCommand") {
      return Violation(
          absl::StrCat(what,
                       ": answered, but its request id is not "
                       "stored: it was not durable when answered"));
    }
    auto command = t.commands.find(ack->command_id);
    if (command == t.commands.end() || !command->second.answered ||
        command->second.result != ack->recorded) {
      return Violation(absl::StrCat(
          what, ": answered ", AckCommandRequest::Result_Name(ack->recorded),
          " for command ", ack->command_id, ", but the database has ",
          command == t.commands.end() ? std::string("no such command")
          : command->second.answered
              ? absl::StrCat("answer ", command->second.result)
              : std::string("no answer")));
    }
  }
  for (const std::string& event_id : log.event_ids) {
    if (!t.events.contains(event_id)) {
      return Violation(absl::StrCat(
          "order event ", event_id,
          " was acknowledged by a PublishSummary but is not stored"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckPos(const Tables& t,
                      const std::map<std::string, FakePos::Written>& pos,
                      bool all_answered) {
  for (const auto& [command_id, row] : t.commands) {
    if (row.application_id.empty()) continue;
    auto written = pos.find(command_id);
    const int writes = written == pos.end() ? 0 : written->second.writes;
    if (!row.answered) {
      if (all_answered) {
        return Violation(absl::StrCat(
            "command ", command_id, " (case ", row.case_id,
            ") was never answered although every adapter kept streaming"));
      }
      continue;
    }
    if (row.result == AckCommandRequest::APPLIED &&
        (writes != 1 || written->second.reference != row.pos_reference)) {
      return Violation(absl::StrCat(
          "command ", command_id, " is recorded APPLIED (POS reference '",
          row.pos_reference, "') but was written on the POS ", writes, " times",
          writes > 0 ? absl::StrCat(" as '", written->second.reference, "'")
                     : std::string()));
    }
    if (row.result == AckCommandRequest::REJECTED && writes != 0) {
      return Violation(absl::StrCat("command ", command_id,
                                    " is recorded REJECTED but was written on "
                                    "the POS ",
                                    writes, " times"));
    }
  }
  for (const auto& [command_id, written] : pos) {
    auto row = t.commands.find(command_id);
    if (written.writes != 1) {
      return Violation(absl::StrCat("command ", command_id, " was written on ",
                                    "the POS ", written.writes, " times"));
    }
    if (row == t.commands.end()) {
      return Violation(absl::StrCat("command ", command_id,
                                    " was written on the POS but is not in "
                                    "the database"));
    }
    if (all_answered && (!row->second.answered ||
                         row->second.result != AckCommandRequest::APPLIED)) {
      return Violation(absl::StrCat("command ", command_id, " was written on ",
                                    "the POS by ", written.adapter,
                                    " but is not recorded APPLIED"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<AuditSummary> AuditDatabase(
    const std::string& db_path, const AnswerLog::Snapshot& answers,
    const std::map<std::string, FakePos::Written>& pos, bool all_answered) {
  // As `makegood ledger verify` reads it (ledger/ledger_file.h): through
  // the -wal when there is one (a live or killed makegoodd's), else the file
  // alone (a stopped one's).
  std::error_code ignored;
  const bool immutable = !std::filesystem::exists(db_path + "-wal", ignored);
  auto db = Connection::OpenReadOnly(db_path, immutable);
  if (!db.ok()) return absl::InternalError(db.status().message());
  // One read transaction: a consistent view also of a live database.
  if (absl::Status s = (*db)->Exec("BEGIN"); !s.ok()) return s;
  absl::StatusOr<Tables> tables = ReadTables(**db);
  (*db)->Exec("COMMIT").IgnoreError();
  if (!tables.ok()) return tables.status();
  for (absl::Status s :
       {CheckCases(*tables), CheckSpending(*tables),
        CheckAnswers(*tables, answers), CheckPos(*tables, pos, all_answered)}) {
    if (!s.ok()) return s;
  }
  AuditSummary summary;
  summary.cases = static_cast<int64_t>(tables->cases.size());
  summary.remedies = static_cast<int64_t>(tables->remedies.size());
  summary.commands = static_cast<int64_t>(tables->commands.size());
  for (const auto& [id, row] : tables->commands) {
    if (row.answered) ++summary.commands_answered;
  }
  summary.answers_checked =
      static_cast<int64_t>(answers.recovery.size() + answers.acks.size());
  summary.events_checked = static_cast<int64_t>(answers.event_ids.size());
  return summary;
}

absl::StatusOr<std::string> VerifyLedger(const std::string& db_path,
                                         const std::string& expected_head) {
  std::vector<std::string> argv = {MAKEGOOD_BIN, "ledger", "verify", "--db",
                                   db_path};
  if (!expected_head.empty()) {
    argv.push_back("--expect-head");
    argv.push_back(expected_head);
  }
  const makegood::testing::CommandResult verified =
      makegood::testing::RunCommand(argv);
  if (verified.exit_code != 0) {
    return Violation(absl::StrCat(
        "makegood ledger verify exited ", verified.exit_code,
        expected_head.empty()
            ? std::string()
            : absl::StrCat(" (expecting head ", expected_head, ")"),
        ": ", verified.out, verified.err));
  }
  static const std::regex kHead("head ([0-9]+:[0-9A-Fa-f]+)");
  std::smatch head;
  if (!std::regex_search(verified.out, head, kHead)) return std::string();
  return head[1].str();
}

}  // namespace makegood::soak
