// The store on a database damaged under it, from another connection, as a
// botched manual repair or a stray tool would leave it: a table it needs
// renamed away (one table per test), an index dropped, a case's body
// overwritten. Each operation that needs the missing table answers
// INTERNAL naming it; none crashes, and none answers OK with other data
// than before the damage. A refused write leaves nothing of itself: once
// the table is back, every table holds exactly what it held, and every
// refused write then runs as the first time (no request replayed, no event
// a duplicate, no code already redeemed). A dropped index changes no
// answer. A case whose body no longer parses is refused where the case is
// loaded whole. Without a log callback, a maintenance pass that fails on
// the damage, and its recovery, are structured log events.
//
// The damage is seen although the store's statements are prepared once and
// cached (sqlite/connection.h): SQLite re-prepares a cached statement when
// the schema changed, and the re-prepare fails on the missing table. A
// store opened on the damaged file (its statements not prepared yet)
// refuses the same.

#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "core/clock.h"
#include "core/recovery_rules.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "sqlite/connection.h"
#include "store/sqlite_store.h"
#include "support/log_lines.h"
#include "support/sample_events.h"
#include "support/temp_dir.h"
#include "telemetry/log.h"

namespace makegood::store {
namespace {

using makegood::testing::BaseEvent;
using makegood::testing::CheckOpened;
using makegood::testing::ItemAdded;
using makegood::testing::kLocation;
using makegood::v1::OrderEvent;
using makegood::v1::RecoveryCase;
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr char kDamageConfig[] = R"pb(
  location {
    id: "downtown-01"
    name: "Downtown"
    currency: "USD"
    timezone: "America/New_York"
    business_day_starts: "04:00"
  }
  staff { id: "s-17" name: "Dana" role: SERVER }
  staff { id: "m-2" name: "Lee" role: MANAGER }
  categories { id: "wrong_item" label: "Wrong item" }
  remedies { id: "refire" kind: REMAKE }
  remedies { id: "comp_item" kind: COMP_ITEM }
  remedies {
    id: "next_visit"
    kind: DISCOUNT_CODE
    amount: "10.00"
    expires_after_days: 30
  }
  policy {
    id: "wrong-item"
    when { category: "wrong_item" }
    offer: "refire"
    offer: "comp_item"
    offer: "next_visit"
  }
  authority {
    roles { role: SERVER max_per_case: "25.00" }
    roles { role: MANAGER max_per_case: "200.00" }
  }
  follow_up { after_days: 7 contact_retention_days: 30 }
  recurring { count: 3 window_minutes: 90 }
)pb";

// The options the policy offers, in its order.
constexpr char kComp[] = "o2";
constexpr char kNextVisitOption[] = "o3";

constexpr char kDay[] = "2026-11-20";

absl::Time Local(int hour, int minute) {
  absl::TimeZone tz;
  absl::LoadTimeZone("America/New_York", &tz);
  return absl::FromCivil(absl::CivilMinute(2026, 11, 20, hour, minute), tz);
}

// Every row of every table, each as text, sorted; by table.
using Contents = std::map<std::string, std::vector<std::string>>;

Contents ContentsOf(const std::string& path) {
  Contents contents;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  auto each_row = [&](const std::string& sql, auto read) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db);
    while (sqlite3_step(stmt) == SQLITE_ROW) read(stmt);
    sqlite3_finalize(stmt);
  };
  std::vector<std::string> tables;
  each_row("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name",
           [&](sqlite3_stmt* stmt) {
             tables.emplace_back(
                 reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
           });
  for (const std::string& table : tables) {
    std::vector<std::string>& rows = contents[table];
    each_row(absl::StrCat("SELECT * FROM \"", table, "\""),
             [&](sqlite3_stmt* stmt) {
               std::string row;
               for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
                 if (i > 0) row += '|';
                 // The type first: reading the value may convert it.
                 const int type = sqlite3_column_type(stmt, i);
                 const auto* bytes =
                     static_cast<const char*>(sqlite3_column_blob(stmt, i));
                 const std::string value =
                     bytes == nullptr
                         ? std::string()
                         : std::string(bytes, sqlite3_column_bytes(stmt, i));
                 if (type == SQLITE_NULL) {
                   row += "NULL";
                 } else if (type == SQLITE_BLOB) {
                   row += absl::BytesToHexString(value);
                 } else {
                   row += value;
                 }
               }
               rows.push_back(std::move(row));
             });
    std::sort(rows.begin(), rows.end());
  }
  sqlite3_close(db);
  return contents;
}

// What the store answered: its status and, when OK, what it read or did.
struct Answer {
  absl::Status status;
  std::string text = "";
  // For a write: it ran as new (not replayed, no event a duplicate or
  // refused, no acknowledgement a duplicate).
  bool first_time = true;
};

// The staff rows handed to it, as text.
class StaffRowsText final : public report::StaffRowSink {
 public:
  void AddCheck(const report::CheckRow& c) override {
    absl::StrAppend(&text_, "check ", c.check_id, " ", c.server_id, " ",
                    absl::ToUnixMicros(c.opened_at), " ",
                    absl::ToUnixMicros(c.last_activity), " ", c.sales_minor,
                    " ", c.pos_discount_minor, " ", c.has_case ? "case" : "-",
                    "\n");
  }
  void AddComp(const report::CompRow& c) override {
    absl::StrAppend(&text_, "comp ", c.case_id, " ", c.check_id, " ",
                    c.requested_by, " ", c.business_day, " ", c.guest_id, " ",
                    c.cost_minor, " ", absl::ToUnixMicros(c.requested_at), " ",
                    c.check_paid_at
                        ? absl::StrCat(absl::ToUnixMicros(*c.check_paid_at))
                        : "-",
                    "\n");
  }
  void AddCase(const report::CaseRow& c) override {
    absl::StrAppend(&text_, "case ", c.case_id, " ", c.flagged_by, " ",
                    c.guest_id, " ", absl::ToUnixMicros(c.flagged_at), "\n");
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

std::string TextOf(const report::StaffRows& rows) {
  StaffRowsText text;
  for (const auto& check : rows.checks) text.AddCheck(check);
  for (const auto& comp : rows.comps) text.AddComp(comp);
  for (const auto& flagged : rows.cases) text.AddCase(flagged);
  return text.text();
}

std::string TextOf(const report::DayRows& day) {
  std::string text;
  for (const report::ReportCase& c : day.cases) {
    absl::StrAppend(&text, "case ", c.recovery.ShortDebugString(), " guest ",
                    c.guest_id, "\n");
    for (const report::ReportLine& line : c.lines) {
      absl::StrAppend(&text, " line ", line.line_id, " ", line.sku, " ",
                      line.name, " ", line.station, "\n");
    }
  }
  absl::StrAppend(&text, "sales ", day.sales_minor, "\n");
  for (const report::RedeemedCode& code : day.redeemed_codes) {
    absl::StrAppend(&text, "code ", code.case_id, " ", code.category_id, " ",
                    code.check_id, " ", code.amount_minor, " ",
                    absl::ToUnixMicros(code.at), "\n");
  }
  absl::StrAppend(&text, "follow-ups ", day.follow_ups_due, " ",
                  day.follow_ups_done, "\n");
  for (const report::ReturnVisit& visit : day.returns) {
    absl::StrAppend(&text, "return ", visit.guest_key, " ", visit.check_id, " ",
                    absl::ToUnixMicros(visit.at), " ",
                    absl::ToUnixMicros(visit.recovered_at), " ",
                    visit.spent_minor, "\n");
  }
  return text;
}

template <typename Message>
std::string TextOf(const std::vector<Message>& messages) {
  std::string text;
  for (const Message& message : messages) {
    absl::StrAppend(&text, message.ShortDebugString(), "\n");
  }
  return text;
}

// What the store does with the database, each with the tables it reads or
// writes on the way: without any one of them it must fail.
enum class Op {
  kRegisterLocation,
  kAppendEvents,
  kConfirmRemedy,
  kRedeemCode,
  kFlagProblem,
  kApplyRemedy,
  kIssueCode,
  kApproveRemedy,
  kRecordOutcome,
  kAckCommand,
  kCompleteFollowUp,
  kGetCheck,
  kListChecks,
  kGetRecovery,
  kListRecoveries,
  kUnackedCommands,
  kDueFollowUps,
  kWatchSnapshot,
  kReadDay,
  kReadStaff,
  kStreamStaff,
  kCasesFlagged,
  kVerifyLedger,
};

struct OpSpec {
  Op op;
  const char* name;
  bool writes;
  std::set<std::string> tables;
};

std::set<std::string> With(std::set<std::string> tables,
                           std::initializer_list<const char*> more) {
  tables.insert(more.begin(), more.end());
  return tables;
}

// What reading a check needs (check_queries.cc).
std::set<std::string> CheckTables() {
  return {"checks", "locations", "line_items"};
}

// What a remedy's request reads and writes besides (recovery_flow.cc,
// decision_writes.cc).
std::set<std::string> RemedyTables() {
  return With(CheckTables(), {"idempotency", "cases", "remedy_money_off",
                              "remedies", "spending", "commands", "ledger"});
}

const std::vector<OpSpec>& Ops() {
  static const auto* const ops = new std::vector<OpSpec>{
      {Op::kRegisterLocation, "RegisterLocation", true, {"locations"}},
      {Op::kAppendEvents,
       "AppendEvents",
       true,
       {"order_events", "checks", "line_items"}},
      // A discount of origin MAKEGOOD naming a command of the check's case.
      {Op::kConfirmRemedy,
       "ConfirmRemedy",
       true,
       {"order_events", "checks", "commands", "cases"}},
      {Op::kRedeemCode,
       "RedeemCode",
       true,
       {"order_events", "discount_codes", "checks"}},
      // With consent: a contact, a follow-up and its command.
      {Op::kFlagProblem, "FlagProblem", true,
       With(CheckTables(), {"idempotency", "remedy_money_off", "remedies",
                            "cases", "problem_keys", "guest_contacts",
                            "follow_ups", "commands", "ledger"})},
      {Op::kApplyRemedy, "ApplyRemedy", true, RemedyTables()},
      {Op::kIssueCode, "IssueCode", true,
       With(RemedyTables(), {"discount_codes"})},
      {Op::kApproveRemedy, "ApproveRemedy", true, RemedyTables()},
      {Op::kRecordOutcome,
       "RecordOutcome",
       true,
       {"idempotency", "cases", "ledger"}},
      // APPLIED: the remedy moves from SENT to APPLIED, and its spending.
      {Op::kAckCommand,
       "AckCommand",
       true,
       {"idempotency", "commands", "cases", "remedies", "spending", "ledger"}},
      {Op::kCompleteFollowUp,
       "CompleteFollowUp",
       true,
       {"idempotency", "follow_ups", "cases", "ledger"}},
      {Op::kGetCheck, "GetCheck", false, CheckTables()},
      {Op::kListChecks, "ListChecks", false, CheckTables()},
      {Op::kGetRecovery, "GetRecovery", false, {"cases", "guest_contacts"}},
      {Op::kListRecoveries,
       "ListRecoveries",
       false,
       {"cases", "remedies", "guest_contacts"}},
      {Op::kUnackedCommands,
       "UnackedCommands",
       false,
       {"commands", "guest_contacts"}},
      {Op::kDueFollowUps,
       "DueFollowUps",
       false,
       {"follow_ups", "cases", "guest_contacts"}},
      {Op::kWatchSnapshot,
       "WatchSnapshot",
       false,
       {"cases", "remedies", "commands", "checks", "problem_keys"}},
      {Op::kReadDay,
       "ReadDay",
       false,
       {"cases", "line_items", "checks", "discount_codes", "follow_ups"}},
      {Op::kReadStaff,
       "ReadStaff",
       false,
       {"checks", "line_items", "cases", "remedies"}},
      {Op::kStreamStaff,
       "StreamStaff",
       false,
       {"checks", "line_items", "cases", "remedies"}},
      {Op::kCasesFlagged, "CasesFlagged", false, {"cases"}},
      {Op::kVerifyLedger, "VerifyLedger", false, {"ledger"}},
  };
  return *ops;
}

// Every table of the schema (migrations.cc).
const std::vector<std::string>& Tables() {
  static const auto* const tables = new std::vector<std::string>{
      "locations",  "order_events",   "checks",
      "line_items", "cases",          "guest_contacts",
      "remedies",   "spending",       "remedy_money_off",
      "commands",   "discount_codes", "idempotency",
      "ledger",     "follow_ups",     "problem_keys"};
  return *tables;
}

const char* NameOf(Op op) {
  for (const OpSpec& spec : Ops()) {
    if (spec.op == op) return spec.name;
  }
  return "?";
}

// A business day written through the store's own write path, then a
// connection of the test's own to damage the file with.
class DamagedDatabaseTest : public ::testing::Test {
 protected:
  // Five checks c1..c5 of one line each, opened five minutes apart from
  // 18:00, each line with a SKU and a station of its own (so that no
  // problem recurs); c1 is guest G-1's. On them:
  //  - A (c1): the guest consents to a follow-up; comped (SENT, its command
  //    not acknowledged).
  //  - B (c2): open, to be comped.
  //  - C (c3, a 42.00 line): a comp over the server's 25.00 waits for
  //    approval.
  //  - D (c4): open, to be given a next-visit code.
  //  - E (c5): given a next-visit code, to be redeemed and accepted.
  void SetUp() override {
    ASSERT_TRUE(
        google::protobuf::TextFormat::ParseFromString(kDamageConfig, &config_));
    auto rules = core::RecoveryRules::Compile(config_);
    ASSERT_TRUE(rules.ok()) << rules.status();
    rules_.emplace(*std::move(rules));
    auto day = rules_->BoundsOf(kDay);
    ASSERT_TRUE(day.ok()) << day.status();
    day_ = *day;
    ASSERT_NO_FATAL_FAILURE(OpenStore());
    ASSERT_TRUE(store_->RegisterLocation(config_.location()).ok());
    auto damage = sqlite::Connection::Open(db_path(), /*read_only=*/false);
    ASSERT_TRUE(damage.ok()) << damage.status();
    damage_ = *std::move(damage);

    const char* const stations[] = {"grill", "fry", "cold", "pastry", "bar"};
    std::vector<OrderEvent> events;
    for (int i = 1; i <= 5; ++i) {
      const std::string check = absl::StrCat("c", i);
      const absl::Time opened = Local(18, 5 * (i - 1));
      OrderEvent open = CheckOpened(check + "-open", check, opened);
      if (i == 1) open.mutable_check_opened()->set_guest_id("G-1");
      OrderEvent item =
          ItemAdded(check + "-1", check, "1", opened, i == 3 ? 4200 : 1800);
      item.mutable_item_added()->set_sku(absl::StrCat("SKU-", i));
      item.mutable_item_added()->set_station(stations[i - 1]);
      events.push_back(std::move(open));
      events.push_back(std::move(item));
    }
    auto appended = AppendEventsAndWait(*store_, events, Local(18, 20));
    ASSERT_TRUE(appended.ok()) << appended.status();

    auto a = Flag("flag-a", "c1", Local(18, 30), /*consent=*/true);
    ASSERT_TRUE(a.ok()) << a.status();
    case_a_ = a->recovery.case_id();
    auto comp_a = Apply("apply-a", case_a_, kComp, Local(18, 32));
    ASSERT_TRUE(comp_a.ok()) << comp_a.status();
    ASSERT_THAT(comp_a->commands, SizeIs(1));
    command_a_ = comp_a->commands[0].command_id();

    auto b = Flag("flag-b", "c2", Local(18, 35));
    ASSERT_TRUE(b.ok()) << b.status();
    case_b_ = b->recovery.case_id();

    auto c = Flag("flag-c", "c3", Local(18, 40));
    ASSERT_TRUE(c.ok()) << c.status();
    case_c_ = c->recovery.case_id();
    auto comp_c = Apply("apply-c", case_c_, kComp, Local(18, 42));
    ASSERT_TRUE(comp_c.ok()) << comp_c.status();
    ASSERT_EQ(comp_c->recovery.status(), RecoveryCase::PENDING_APPROVAL);
    pending_c_ = comp_c->recovery.remedies(0).remedy_application_id();

    auto d = Flag("flag-d", "c4", Local(18, 45));
    ASSERT_TRUE(d.ok()) << d.status();
    case_d_ = d->recovery.case_id();

    auto e = Flag("flag-e", "c5", Local(18, 50));
    ASSERT_TRUE(e.ok()) << e.status();
    case_e_ = e->recovery.case_id();
    auto code_e = Apply("apply-e", case_e_, kNextVisitOption, Local(18, 52));
    ASSERT_TRUE(code_e.ok()) << code_e.status();
    code_e_ = code_e->recovery.remedies(0).discount_code();
    ASSERT_FALSE(code_e_.empty());
  }

  void TearDown() override {
    if (store_ != nullptr) store_->Shutdown();
  }

  // A store on the file, in place of the one before (shut down first).
  void OpenStore() {
    if (store_ != nullptr) store_->Shutdown();
    store_.reset();
    SqliteStoreOptions options;
    options.path = db_path();
    options.clock = &clock_;
    // The maintenance thread's passes (the first after an hour) stay out
    // of the way: no write but the test's.
    options.checkpoint_interval = absl::Hours(1);
    options.cleanup_interval = absl::Hours(1);
    options.log = log_.Callback();
    auto store = SqliteStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  RecoveryCall Call(const std::string& actor, makegood::v1::Role role,
                    absl::Time at) const {
    RecoveryCall call;
    call.actor_id = actor;
    call.actor_role = role;
    call.now = at;
    call.rules = &*rules_;
    return call;
  }

  template <typename Result, typename Submit>
  static absl::StatusOr<Result> Wait(Submit submit) {
    absl::Notification done;
    absl::StatusOr<Result> result;
    submit([&](absl::StatusOr<Result> r) {
      result = std::move(r);
      done.Notify();
    });
    done.WaitForNotification();
    return result;
  }

  absl::StatusOr<RecoveryResult> Flag(const std::string& request_id,
                                      const std::string& check, absl::Time at,
                                      bool consent = false) {
    makegood::v1::FlagProblemRequest request;
    request.set_request_id(request_id);
    request.set_check_id(check);
    request.add_line_ids("1");
    request.set_category_id("wrong_item");
    request.set_severity(makegood::v1::MINOR);
    request.set_new_problem(true);
    if (consent) {
      request.mutable_guest_contact()->set_email("ana@example.com");
      request.mutable_guest_contact()->set_follow_up_consent(true);
    }
    return Wait<RecoveryResult>([&](RecoveryDone done) {
      store_->FlagProblem(Call("s-17", makegood::v1::SERVER, at), request,
                          std::move(done));
    });
  }

  absl::StatusOr<RecoveryResult> Apply(const std::string& request_id,
                                       const std::string& case_id,
                                       const std::string& option,
                                       absl::Time at) {
    makegood::v1::ApplyRemedyRequest request;
    request.set_request_id(request_id);
    request.set_case_id(case_id);
    request.set_option_id(option);
    return Wait<RecoveryResult>([&](RecoveryDone done) {
      store_->ApplyRemedy(Call("s-17", makegood::v1::SERVER, at), request,
                          std::move(done));
    });
  }

  static Answer Recovered(const absl::StatusOr<RecoveryResult>& result) {
    if (!result.ok()) return {result.status()};
    return {absl::OkStatus(), result->recovery.ShortDebugString(),
            !result->replayed};
  }

  template <typename T, typename Text>
  static Answer Read(const absl::StatusOr<T>& read, Text text) {
    if (!read.ok()) return {read.status()};
    return {absl::OkStatus(), text(*read)};
  }

  Answer Appended(std::vector<OrderEvent> events, absl::Time at) {
    auto results = AppendEventsAndWait(*store_, std::move(events), at);
    if (!results.ok()) return {results.status()};
    Answer answer;
    for (const EventResult& result : *results) {
      absl::StrAppend(&answer.text, static_cast<int>(result.outcome), " ",
                      result.reason, "\n");
      if (result.outcome != EventOutcome::kAccepted) answer.first_time = false;
    }
    return answer;
  }

  // Runs `op` (each write with the same request ids and event ids every
  // time), at 19:00 and after.
  Answer Run(Op op) {
    const std::string location = kLocation;
    switch (op) {
      case Op::kRegisterLocation:
        return {store_->RegisterLocation(config_.location()), "registered"};
      case Op::kAppendEvents: {
        // A new check: its opening, then its line.
        return Appended({CheckOpened("c7-open", "c7", Local(19, 0)),
                         ItemAdded("c7-1", "c7", "1", Local(19, 0))},
                        Local(19, 0));
      }
      case Op::kConfirmRemedy: {
        OrderEvent confirm = BaseEvent("c1-confirm", "c1", Local(19, 5));
        confirm.set_origin(makegood::v1::ORIGIN_MAKEGOOD);
        confirm.set_command_id(command_a_);
        auto* discount = confirm.mutable_item_discounted();
        discount->set_line_id("1");
        discount->mutable_amount()->set_minor_units(1800);
        discount->mutable_amount()->set_currency("USD");
        return Appended({confirm}, Local(19, 5));
      }
      case Op::kRedeemCode: {
        OrderEvent redeem = BaseEvent("c8-code", "c8", Local(19, 10));
        redeem.mutable_discount_code_redeemed()->set_code(code_e_);
        auto* amount =
            redeem.mutable_discount_code_redeemed()->mutable_amount();
        amount->set_minor_units(1000);
        amount->set_currency("USD");
        return Appended({redeem}, Local(19, 10));
      }
      case Op::kFlagProblem:
        return Recovered(
            Flag("flag-again", "c1", Local(19, 15), /*consent=*/true));
      case Op::kApplyRemedy:
        return Recovered(Apply("apply-b", case_b_, kComp, Local(19, 20)));
      case Op::kIssueCode:
        return Recovered(
            Apply("apply-d", case_d_, kNextVisitOption, Local(19, 25)));
      case Op::kApproveRemedy: {
        makegood::v1::ApproveRemedyRequest request;
        request.set_request_id("approve-c");
        request.set_case_id(case_c_);
        request.set_remedy_application_id(pending_c_);
        request.set_approve(true);
        return Recovered(Wait<RecoveryResult>([&](RecoveryDone done) {
          store_->ApproveRemedy(
              Call("m-2", makegood::v1::MANAGER, Local(19, 30)), request,
              std::move(done));
        }));
      }
      case Op::kRecordOutcome: {
        makegood::v1::RecordOutcomeRequest request;
        request.set_request_id("outcome-e");
        request.set_case_id(case_e_);
        request.set_guest_response(makegood::v1::ACCEPTED);
        return Recovered(Wait<RecoveryResult>([&](RecoveryDone done) {
          store_->RecordOutcome(
              Call("s-17", makegood::v1::SERVER, Local(19, 35)), request,
              std::move(done));
        }));
      }
      case Op::kAckCommand: {
        makegood::v1::AckCommandRequest request;
        request.set_request_id("ack-a");
        request.set_command_id(command_a_);
        request.set_result(makegood::v1::AckCommandRequest::APPLIED);
        request.set_pos_reference("POS-1");
        auto acked = Wait<AckResult>([&](AckDone done) {
          store_->AckCommand(
              Call("adapter-1", makegood::v1::ADAPTER, Local(19, 40)), request,
              std::move(done));
        });
        if (!acked.ok()) return {acked.status()};
        return {absl::OkStatus(), acked->response.ShortDebugString(),
                !acked->response.duplicate()};
      }
      case Op::kCompleteFollowUp: {
        makegood::v1::CompleteFollowUpRequest request;
        request.set_request_id("follow-up-a");
        request.set_case_id(case_a_);
        request.set_note("called, booked for Friday");
        auto completed = Wait<makegood::v1::FollowUp>([&](FollowUpDone done) {
          store_->CompleteFollowUp(
              Call("m-2", makegood::v1::MANAGER, Local(19, 45)), request,
              std::move(done));
        });
        if (!completed.ok()) return {completed.status()};
        return {absl::OkStatus(), completed->ShortDebugString()};
      }
      case Op::kGetCheck:
        return Read(store_->GetCheck(location, "c1"),
                    [](const auto& check) { return check.ShortDebugString(); });
      case Op::kListChecks:
        return Read(
            store_->ListChecks(location, {}), [](const CheckPage& page) {
              return absl::StrCat(TextOf(page.checks), page.next_page_token);
            });
      case Op::kGetRecovery:
        return Read(
            store_->GetRecovery(location, case_a_, /*with_contact=*/true),
            [](const auto& recovery) { return recovery.ShortDebugString(); });
      case Op::kListRecoveries: {
        RecoveryListQuery query;
        query.with_contact = true;
        return Read(store_->ListRecoveries(location, query),
                    [](const RecoveryPage& page) {
                      return absl::StrCat(TextOf(page.cases),
                                          page.next_page_token);
                    });
      }
      case Op::kUnackedCommands:
        return Read(store_->UnackedCommands(location, {}),
                    [](const CommandPage& page) {
                      return absl::StrCat(TextOf(page.commands),
                                          page.more ? "more" : "last");
                    });
      case Op::kDueFollowUps: {
        // A's follow-up is due a week after the flag.
        FollowUpQuery query;
        query.due_by = Local(19, 0) + absl::Hours(24 * 30);
        return Read(store_->DueFollowUps(location, query, Local(19, 0)),
                    [](const FollowUpPage& page) {
                      return absl::StrCat(TextOf(page.follow_ups),
                                          page.next_page_token);
                    });
      }
      case Op::kWatchSnapshot: {
        WatchSnapshotQuery query;
        query.location_id = location;
        query.recurring_from = day_.start;
        query.recurring_to = day_.end;
        auto snapshot = Wait<WatchSnapshot>([&](WatchSnapshotDone done) {
          store_->ReadWatchSnapshot(query, std::move(done));
        });
        return Read(snapshot, [](const WatchSnapshot& read) {
          std::string text;
          for (const WatchCase& c : read.cases) {
            absl::StrAppend(&text, c.recovery.ShortDebugString(), " table ",
                            c.table, "\n");
          }
          for (const RecurringProblem& p : read.recurring) {
            absl::StrAppend(&text, "recurring ", p.key_kind, " ", p.key_id, " ",
                            p.case_id, "\n");
          }
          return text;
        });
      }
      case Op::kReadDay:
        return Read(store_->ReadDay(location, day_.start, day_.end),
                    [](const report::DayRows& day) { return TextOf(day); });
      case Op::kReadStaff:
        return Read(
            store_->ReadStaff(location, day_.start, day_.end, kDay, kDay),
            [](const report::StaffRows& rows) { return TextOf(rows); });
      case Op::kStreamStaff: {
        StaffRowsText sink;
        absl::Status streamed = store_->StreamStaff(location, day_.start,
                                                    day_.end, kDay, kDay, sink);
        return {streamed, sink.text()};
      }
      case Op::kCasesFlagged:
        return Read(store_->CasesFlagged(location, day_.start, day_.end),
                    [](const std::vector<RecoveryCase>& cases) {
                      return TextOf(cases);
                    });
      case Op::kVerifyLedger:
        return Read(store_->VerifyLedger(), [](const LedgerVerification& v) {
          return absl::StrCat(v.rows, v.intact ? " intact " : " broken at ",
                              v.bad_seq, " ", v.problem);
        });
    }
    return {absl::InternalError("no such operation")};
  }

  // The answer of every read, by name; every one must be OK.
  std::map<std::string, std::string> ReadAll() {
    std::map<std::string, std::string> answers;
    for (const OpSpec& op : Ops()) {
      if (op.writes) continue;
      const Answer answer = Run(op.op);
      EXPECT_TRUE(answer.status.ok()) << op.name << ": " << answer.status;
      answers[op.name] = answer.text;
    }
    return answers;
  }

  // Every table holds what it held in `before`, row for row.
  void ExpectContents(const Contents& before) {
    const Contents now = ContentsOf(db_path());
    EXPECT_EQ(now.size(), before.size());
    for (const auto& [table, rows] : before) {
      auto found = now.find(table);
      ASSERT_NE(found, now.end()) << table;
      EXPECT_EQ(found->second, rows) << "table " << table;
    }
  }

  void Exec(const std::string& sql) {
    ASSERT_TRUE(damage_->Exec(sql.c_str()).ok()) << sql;
  }

  std::string db_path() const { return dir_.File("s.db"); }

  makegood::testing::TempDir dir_;
  makegood::testing::LogLines log_;
  core::FakeClock clock_{Local(19, 0)};
  makegood::v1::Config config_;
  std::optional<core::RecoveryRules> rules_;
  core::DayBounds day_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<sqlite::Connection> damage_;
  std::string case_a_, case_b_, case_c_, case_d_, case_e_;
  std::string command_a_, pending_c_, code_e_;
};

class MissingTableTest : public DamagedDatabaseTest,
                         public ::testing::WithParamInterface<std::string> {
 protected:
  // Each operation that needs `table` is refused, naming it; each read
  // that does not gives its answer in `answers`. Writes that do not need
  // the table are not run: they would change what is compared.
  void ExpectRefusals(const std::string& table,
                      const std::map<std::string, std::string>& answers) {
    for (const OpSpec& op : Ops()) {
      const bool needs = op.tables.count(table) > 0;
      if (op.writes && !needs) continue;
      const Answer answer = Run(op.op);
      if (!needs) {
        EXPECT_TRUE(answer.status.ok()) << op.name << ": " << answer.status;
        EXPECT_EQ(answer.text, answers.at(op.name)) << op.name;
        continue;
      }
      EXPECT_EQ(answer.status.code(), absl::StatusCode::kInternal)
          << op.name << ": " << answer.status;
      EXPECT_THAT(std::string(answer.status.message()),
                  HasSubstr("no such table: " + table))
          << op.name;
    }
  }
};

TEST_P(MissingTableTest, WhatNeedsTheTableIsRefusedAndNothingIsHalfWritten) {
  const std::string& table = GetParam();
  const Contents before = ContentsOf(db_path());
  ASSERT_EQ(before.count(table), 1u) << "the schema has no table " << table;
  const std::map<std::string, std::string> answers = ReadAll();

  ASSERT_NO_FATAL_FAILURE(
      Exec(absl::StrCat("ALTER TABLE ", table, " RENAME TO ", table, "_away")));
  // The store that prepared its statements before the damage (SQLite
  // prepares a cached one again for the changed schema, and fails), then
  // one opened on the damaged file (nothing prepared yet): the same
  // refusals.
  ExpectRefusals(table, answers);
  ASSERT_NO_FATAL_FAILURE(OpenStore());
  ExpectRefusals(table, answers);

  // Repaired: the refusals left every table as it was, and each refused
  // write now runs as new.
  ASSERT_NO_FATAL_FAILURE(
      Exec(absl::StrCat("ALTER TABLE ", table, "_away RENAME TO ", table)));
  ExpectContents(before);
  for (const OpSpec& op : Ops()) {
    if (!op.writes || op.tables.count(table) == 0) continue;
    const Answer answer = Run(op.op);
    EXPECT_TRUE(answer.status.ok()) << op.name << ": " << answer.status;
    EXPECT_TRUE(answer.first_time) << op.name << " ran before: " << answer.text;
  }
  // Retried, each is answered again and changes nothing.
  const Contents repaired = ContentsOf(db_path());
  for (const OpSpec& op : Ops()) {
    if (!op.writes || op.tables.count(table) == 0) continue;
    const Answer answer = Run(op.op);
    EXPECT_TRUE(answer.status.ok()) << op.name << ": " << answer.status;
  }
  ExpectContents(repaired);
  ReadAll();
  auto ledger = store_->VerifyLedger();
  ASSERT_TRUE(ledger.ok()) << ledger.status();
  EXPECT_TRUE(ledger->intact) << ledger->problem;
}

INSTANTIATE_TEST_SUITE_P(EveryTable, MissingTableTest,
                         ::testing::ValuesIn(Tables()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

TEST_F(DamagedDatabaseTest, EveryTableOfTheSchemaHasACaseAndAnOperationOnIt) {
  // A table a later migration adds must be added to Tables() and to the
  // operations that use it.
  std::set<std::string> schema;
  for (const auto& [table, rows] : ContentsOf(db_path())) schema.insert(table);
  EXPECT_EQ(std::set<std::string>(Tables().begin(), Tables().end()), schema);
  std::set<std::string> used;
  for (const OpSpec& op : Ops())
    used.insert(op.tables.begin(), op.tables.end());
  EXPECT_EQ(used, schema);
}

TEST_F(DamagedDatabaseTest, ADroppedIndexChangesNoAnswer) {
  const std::map<std::string, std::string> answers = ReadAll();
  std::vector<std::pair<std::string, std::string>> indexes;
  {
    auto stmt = damage_->Prepare(
        "SELECT name, sql FROM sqlite_master WHERE type='index' AND "
        "sql IS NOT NULL ORDER BY name");
    ASSERT_TRUE(stmt.ok()) << stmt.status();
    ASSERT_TRUE(ForEachRow(**stmt, [&](Statement& row) {
                  indexes.emplace_back(row.Text(0), row.Text(1));
                  return absl::OkStatus();
                }).ok());
  }
  ASSERT_FALSE(indexes.empty());
  for (const auto& [name, sql] : indexes) {
    ASSERT_NO_FATAL_FAILURE(Exec("DROP INDEX " + name));
    for (const OpSpec& op : Ops()) {
      if (op.writes) continue;
      const Answer answer = Run(op.op);
      ASSERT_TRUE(answer.status.ok())
          << op.name << " without " << name << ": " << answer.status;
      EXPECT_EQ(answer.text, answers.at(op.name))
          << op.name << " without " << name;
    }
    ASSERT_NO_FATAL_FAILURE(Exec(sql));  // Re-created as the schema has it.
  }
}

TEST_F(DamagedDatabaseTest, ACaseWhoseBodyNoLongerParsesIsRefusedWhereLoaded) {
  ASSERT_NO_FATAL_FAILURE(Exec(absl::StrCat(
      "UPDATE cases SET body=X'FF' WHERE case_id='", case_a_, "'")));
  const Contents before = ContentsOf(db_path());
  const std::string damaged =
      absl::StrCat("case '", case_a_, "' is stored damaged");
  // Loaded alone, among the check's cases (a flag of its check), and as the
  // case of a command acknowledged.
  for (Op op : {Op::kGetRecovery, Op::kFlagProblem, Op::kAckCommand}) {
    const Answer answer = Run(op);
    EXPECT_EQ(answer.status.code(), absl::StatusCode::kInternal)
        << NameOf(op) << ": " << answer.status;
    EXPECT_THAT(std::string(answer.status.message()), HasSubstr(damaged))
        << NameOf(op);
  }
  // Among the cases read for a list, a report or a follow-up: refused too,
  // never read as an empty case.
  for (Op op : {Op::kListRecoveries, Op::kReadDay, Op::kCasesFlagged,
                Op::kDueFollowUps, Op::kCompleteFollowUp}) {
    const Answer answer = Run(op);
    EXPECT_EQ(answer.status.code(), absl::StatusCode::kInternal)
        << NameOf(op) << ": " << answer.status;
    EXPECT_THAT(std::string(answer.status.message()),
                HasSubstr("is stored damaged"))
        << NameOf(op);
  }
  for (Op op : {Op::kDueFollowUps, Op::kCompleteFollowUp}) {
    EXPECT_THAT(std::string(Run(op).status.message()), HasSubstr(damaged))
        << NameOf(op);
  }
  // Among the cases a manager's screen starts with (A's command is not
  // acknowledged).
  const Answer watched = Run(Op::kWatchSnapshot);
  EXPECT_EQ(watched.status.code(), absl::StatusCode::kInternal)
      << watched.status;
  EXPECT_THAT(std::string(watched.status.message()), HasSubstr(damaged));
  // The refused flag and acknowledgement wrote nothing.
  ExpectContents(before);
}

TEST_F(DamagedDatabaseTest,
       AStoredAnswerThatNoLongerParsesIsRefusedNotReplayed) {
  ASSERT_NO_FATAL_FAILURE(
      Exec("UPDATE idempotency SET response=X'FF' WHERE request_id='flag-a'"));
  const Contents before = ContentsOf(db_path());
  // The retry of the first flag finds its answer damaged: refused, rather
  // than answered with an empty case.
  auto retried = Flag("flag-a", "c1", Local(18, 30), /*consent=*/true);
  EXPECT_EQ(retried.status().code(), absl::StatusCode::kInternal)
      << retried.status();
  EXPECT_THAT(std::string(retried.status().message()),
              HasSubstr("the answer to this request id is stored damaged"));
  ExpectContents(before);
}

// Logs into `out_` for the test, and back to std::cerr after it.
class DamagedDatabaseLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    telemetry::ConfigureLogging(telemetry::LogFormat::kLogfmt,
                                telemetry::LogLevel::kInfo, &out_);
  }
  void TearDown() override {
    telemetry::ConfigureLogging(telemetry::LogFormat::kLogfmt,
                                telemetry::LogLevel::kInfo, &std::cerr);
  }

  std::vector<std::string> Lines() const {
    std::vector<std::string> lines =
        absl::StrSplit(out_.str(), '\n', absl::SkipEmpty());
    return lines;
  }

  std::ostringstream out_;
  makegood::testing::TempDir dir_;
};

TEST_F(DamagedDatabaseLogTest,
       WithoutALogCallbackAFailingCleanupIsOneEventAndItsRecoveryAnother) {
  SqliteStoreOptions options;
  options.path = dir_.File("s.db");
  options.checkpoint_interval = absl::Hours(1);
  options.cleanup_interval = absl::Hours(1);
  auto store = SqliteStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  auto damage = sqlite::Connection::Open(options.path, /*read_only=*/false);
  ASSERT_TRUE(damage.ok()) << damage.status();

  ASSERT_TRUE(
      (*damage)
          ->Exec("ALTER TABLE guest_contacts RENAME TO guest_contacts_away")
          .ok());
  for (int pass = 0; pass < 2; ++pass) {
    EXPECT_EQ((*store)->CleanUpExpired().code(), absl::StatusCode::kInternal);
  }
  std::vector<std::string> lines = Lines();
  ASSERT_THAT(lines, SizeIs(1));
  EXPECT_THAT(lines[0], HasSubstr(" level=error event=store_maintenance_failed "
                                  "task=cleanup code=INTERNAL error="));
  EXPECT_THAT(lines[0], HasSubstr("no such table: guest_contacts"));

  ASSERT_TRUE(
      (*damage)
          ->Exec("ALTER TABLE guest_contacts_away RENAME TO guest_contacts")
          .ok());
  EXPECT_TRUE((*store)->CleanUpExpired().ok());
  EXPECT_TRUE((*store)->CleanUpExpired().ok());
  lines = Lines();
  ASSERT_THAT(lines, SizeIs(2));
  EXPECT_THAT(lines[1],
              HasSubstr(" level=info event=store_maintenance_recovered "
                        "task=cleanup msg=\"maintenance ok again: cleanup of "
                        "expired records\""));
  (*store)->Shutdown();
}

}  // namespace
}  // namespace makegood::store
