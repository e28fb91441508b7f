// The outbox (store/outbox.h): commands read oldest first a page at a time,
// each with its next delivery attempt; deliveries counted; the first
// acknowledgement kept and later ones changing nothing; an unknown command
// refused naming it; the backlog of every registered location. First on a
// database of the test's own, through the outbox's functions; then through
// a SqliteStore, where an adapter's ack applies, rejects or defers a remedy
// (AckCommand), or is refused for a command this location does not have.

#include "store/outbox.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "core/clock.h"
#include "core/proto_time.h"
#include "core/recovery_rules.h"
#include "core/refusal.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "store/migrations.h"
#include "store/sqlite_store.h"
#include "support/db_query.h"
#include "support/sample_events.h"
#include "support/temp_dir.h"

namespace makegood::store {
namespace {

using makegood::testing::CheckOpened;
using makegood::testing::ItemAdded;
using makegood::testing::kLocation;
using makegood::v1::AckCommandRequest;
using makegood::v1::AppliedRemedy;
using makegood::v1::Error;
using makegood::v1::RecoveryCase;
using makegood::v1::RemedyCommand;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kUptown[] = "uptown-02";
const absl::Time kT0 = absl::FromUnixSeconds(1795000000);

// A refire of line 1 for `location`, created at `created`.
RemedyCommand Command(const std::string& id, const std::string& location,
                      absl::Time created) {
  RemedyCommand command;
  command.set_command_id(id);
  command.set_case_id("RC-" + id);
  command.set_location_id(location);
  command.set_check_id("c1");
  *command.mutable_created_at() = core::ToProto(created);
  command.mutable_apply_remedy()->set_kind(makegood::v1::REMAKE);
  command.mutable_apply_remedy()->set_line_id("1");
  return command;
}

// The first page of at most `limit` commands.
CommandPageQuery Limit(int limit) {
  CommandPageQuery query;
  query.limit = limit;
  return query;
}

std::vector<std::string> Ids(const CommandPage& page) {
  std::vector<std::string> ids;
  for (const RemedyCommand& command : page.commands) {
    ids.push_back(command.command_id());
  }
  return ids;
}

std::vector<int> Attempts(const CommandPage& page) {
  std::vector<int> attempts;
  for (const RemedyCommand& command : page.commands) {
    attempts.push_back(command.delivery_attempt());
  }
  return attempts;
}

// A migrated database with two registered locations, written by the test.
class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Connection::Open(dir_.File("o.db"), /*read_only=*/false);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    ASSERT_TRUE(Migrate(*db_).ok());
    ASSERT_TRUE(db_->Exec("INSERT INTO locations VALUES"
                          "('downtown-01','USD','America/New_York'),"
                          "('uptown-02','USD','America/Chicago')")
                    .ok());
  }

  void Enqueue(const RemedyCommand& command,
               const std::string& application_id) {
    absl::Status enqueued = EnqueueCommand(*db_, command, application_id);
    ASSERT_TRUE(enqueued.ok()) << enqueued;
  }

  void Ack(const std::string& command_id, AckCommandRequest::Result result,
           const std::string& detail, absl::Time at) {
    AckCommandRequest ack;
    ack.set_command_id(command_id);
    ack.set_result(result);
    if (result == AckCommandRequest::APPLIED) {
      ack.set_pos_reference(detail);
    } else {
      ack.set_vendor_reason(detail);
    }
    absl::Status recorded = RecordAck(*db_, ack, absl::ToUnixMicros(at));
    ASSERT_TRUE(recorded.ok()) << recorded;
  }

  CommandPage Page(const std::string& location,
                   const CommandPageQuery& query = {}) {
    auto page = ReadUnackedCommands(*db_, location, query);
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? *std::move(page) : CommandPage();
  }

  // The first column of the first row of `sql`, as text.
  std::string Text(const std::string& sql) {
    auto stmt = db_->Prepare(sql.c_str());
    EXPECT_TRUE(stmt.ok()) << stmt.status();
    if (!stmt.ok()) return "<error>";
    auto row = (*stmt)->Step();
    EXPECT_TRUE(row.ok()) << row.status();
    return row.ok() && *row ? (*stmt)->Text(0) : "<no row>";
  }

  makegood::testing::TempDir dir_;
  std::unique_ptr<Connection> db_;
};

TEST_F(OutboxTest, UnackedCommandsComeOldestFirstEachWithItsNextAttempt) {
  Enqueue(Command("CMD-late", kLocation, kT0 + absl::Seconds(2)), "RA-late");
  Enqueue(Command("CMD-early", kLocation, kT0), "RA-early");
  Enqueue(Command("CMD-mid", kLocation, kT0 + absl::Seconds(1)), "RA-mid");
  // Older than all of them, but another location's.
  Enqueue(Command("CMD-uptown", kUptown, kT0 - absl::Seconds(1)), "RA-up");

  CommandPage page = Page(kLocation);
  EXPECT_THAT(Ids(page), ElementsAre("CMD-early", "CMD-mid", "CMD-late"));
  EXPECT_THAT(Attempts(page), ElementsAre(1, 1, 1));
  EXPECT_FALSE(page.more);
  ASSERT_EQ(page.commands.size(), 3u);
  EXPECT_EQ(page.commands[0].case_id(), "RC-CMD-early");
  EXPECT_EQ(page.commands[0].apply_remedy().kind(), makegood::v1::REMAKE);
  EXPECT_EQ(core::FromProto(page.commands[0].created_at()), kT0);

  // Each id counts once per delivery (CMD-mid was handed out twice); an
  // unknown id counts nothing and is no error.
  ASSERT_TRUE(CountDeliveriesInTransaction(
                  *db_, {"CMD-mid", "CMD-late", "CMD-mid", "CMD-404"})
                  .ok());
  page = Page(kLocation);
  EXPECT_THAT(Ids(page), ElementsAre("CMD-early", "CMD-mid", "CMD-late"));
  EXPECT_THAT(Attempts(page), ElementsAre(1, 3, 2));
  EXPECT_EQ(Text("SELECT sum(deliveries) FROM commands"), "3");
  // Nothing to count is nothing done.
  ASSERT_TRUE(CountDeliveriesInTransaction(*db_, {}).ok());
  EXPECT_EQ(Text("SELECT sum(deliveries) FROM commands"), "3");

  EXPECT_THAT(Ids(Page(kUptown)), ElementsAre("CMD-uptown"));
}

TEST_F(OutboxTest, APageHoldsAtMostItsLimitAndSaysWhetherMoreFollow) {
  for (int i = 0; i < 3; ++i) {
    Enqueue(Command(absl::StrCat("CMD-", i), kLocation, kT0 + absl::Seconds(i)),
            absl::StrCat("RA-", i));
  }
  // Exactly the limit: no more.
  CommandPage all = Page(kLocation, Limit(3));
  EXPECT_THAT(Ids(all), ElementsAre("CMD-0", "CMD-1", "CMD-2"));
  EXPECT_FALSE(all.more);

  CommandPage first = Page(kLocation, Limit(2));
  EXPECT_THAT(Ids(first), ElementsAre("CMD-0", "CMD-1"));
  EXPECT_TRUE(first.more);
  CommandPage next =
      Page(kLocation,
           {.after_created_us = absl::ToUnixMicros(kT0 + absl::Seconds(1)),
            .after_command_id = "CMD-1",
            .limit = 2});
  EXPECT_THAT(Ids(next), ElementsAre("CMD-2"));
  EXPECT_FALSE(next.more);

  EXPECT_THAT(Ids(Page(kLocation, Limit(1000))),
              ElementsAre("CMD-0", "CMD-1", "CMD-2"));
  for (int limit : {0, 1001}) {
    auto refused = ReadUnackedCommands(*db_, kLocation, Limit(limit));
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument)
        << limit;
    EXPECT_EQ(refused.status().message(),
              absl::StrCat("limit: must be 1 to 1000, got ", limit));
  }
}

TEST_F(OutboxTest, ACommandLoadsAsEnqueuedAndAnUnknownOneIsNotFoundByName) {
  const RemedyCommand remedy = Command("CMD-1", kLocation, kT0);
  Enqueue(remedy, "RA-1");
  RemedyCommand follow_up;
  follow_up.set_command_id("CMD-f");
  follow_up.set_case_id("RC-f");
  follow_up.set_location_id(kLocation);
  *follow_up.mutable_created_at() = core::ToProto(kT0);
  follow_up.mutable_guest_follow_up()->set_category_id("quality");
  Enqueue(follow_up, "");  // A follow-up carries out no remedy.

  auto loaded = LoadOutboxCommand(*db_, "CMD-1");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      loaded->command, remedy))
      << loaded->command.DebugString();
  EXPECT_EQ(loaded->application_id, "RA-1");
  EXPECT_EQ(loaded->result, AckCommandRequest::RESULT_UNSPECIFIED);

  auto loaded_follow_up = LoadOutboxCommand(*db_, "CMD-f");
  ASSERT_TRUE(loaded_follow_up.ok()) << loaded_follow_up.status();
  EXPECT_EQ(loaded_follow_up->application_id, "");
  EXPECT_EQ(Text("SELECT application_id IS NULL FROM commands "
                 "WHERE command_id='CMD-f'"),
            "1");
  EXPECT_EQ(loaded_follow_up->command.guest_follow_up().category_id(),
            "quality");

  auto unknown = LoadOutboxCommand(*db_, "CMD-404");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(core::ReasonOf(unknown.status()), Error::UNKNOWN_COMMAND);
  EXPECT_EQ(unknown.status().message(), "command_id: no command 'CMD-404'");
}

TEST_F(OutboxTest, TheFirstAcknowledgementIsKeptAndLaterOnesChangeNothing) {
  Enqueue(Command("CMD-1", kLocation, kT0), "RA-1");
  Enqueue(Command("CMD-2", kLocation, kT0 + absl::Seconds(1)), "RA-2");

  Ack("CMD-1", AckCommandRequest::APPLIED, "POS-77", kT0 + absl::Seconds(5));
  const std::string recorded = Text(
      "SELECT acked_at_us || ' ' || result || ' ' || "
      "coalesce(pos_reference, '-') || ' ' || coalesce(vendor_reason, '-') "
      "FROM commands WHERE command_id='CMD-1'");
  EXPECT_EQ(
      recorded,
      absl::StrCat(absl::ToUnixMicros(kT0 + absl::Seconds(5)), " ",
                   static_cast<int>(AckCommandRequest::APPLIED), " POS-77 -"));
  auto loaded = LoadOutboxCommand(*db_, "CMD-1");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->result, AckCommandRequest::APPLIED);

  // A later answer, another result: nothing of it is recorded.
  Ack("CMD-1", AckCommandRequest::REJECTED, "the check is closed",
      kT0 + absl::Seconds(9));
  EXPECT_EQ(Text("SELECT acked_at_us || ' ' || result || ' ' || "
                 "coalesce(pos_reference, '-') || ' ' || "
                 "coalesce(vendor_reason, '-') "
                 "FROM commands WHERE command_id='CMD-1'"),
            recorded);
  loaded = LoadOutboxCommand(*db_, "CMD-1");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->result, AckCommandRequest::APPLIED);

  // Acknowledged, it is delivered no more; the other one still is.
  EXPECT_THAT(Ids(Page(kLocation)), ElementsAre("CMD-2"));
}

TEST_F(OutboxTest, TheBacklogHasEveryRegisteredLocationWithItsOldestUnacked) {
  Enqueue(Command("CMD-old", kLocation, kT0 - absl::Seconds(10)), "RA-old");
  Ack("CMD-old", AckCommandRequest::APPLIED, "POS-1", kT0);
  Enqueue(Command("CMD-1", kLocation, kT0 + absl::Seconds(3)), "RA-1");
  Enqueue(Command("CMD-2", kLocation, kT0), "RA-2");
  // A location never registered is not reported, whatever waits for it.
  Enqueue(Command("CMD-ghost", "ghost-09", kT0 - absl::Hours(1)), "RA-g");

  auto backlog = ReadOutboxBacklog(*db_);
  ASSERT_TRUE(backlog.ok()) << backlog.status();
  ASSERT_EQ(backlog->size(), 2u);
  EXPECT_EQ((*backlog)[0].location_id, kLocation);
  EXPECT_EQ((*backlog)[0].commands, 2);
  EXPECT_EQ((*backlog)[0].oldest_created_us, absl::ToUnixMicros(kT0));
  // An empty outbox: none, and no oldest.
  EXPECT_EQ((*backlog)[1].location_id, kUptown);
  EXPECT_EQ((*backlog)[1].commands, 0);
  EXPECT_EQ((*backlog)[1].oldest_created_us, 0);

  // The oldest acknowledged, the next one is the oldest.
  Ack("CMD-2", AckCommandRequest::REJECTED, "no such check", kT0);
  backlog = ReadOutboxBacklog(*db_);
  ASSERT_TRUE(backlog.ok()) << backlog.status();
  ASSERT_EQ(backlog->size(), 2u);
  EXPECT_EQ((*backlog)[0].commands, 1);
  EXPECT_EQ((*backlog)[0].oldest_created_us,
            absl::ToUnixMicros(kT0 + absl::Seconds(3)));
}

// ---------------------------------------------------------------------------
// Through the store: AckCommand.

constexpr char kConfig[] = R"pb(
  location { id: "downtown-01" currency: "USD" timezone: "America/New_York" }
  categories { id: "quality" label: "Quality" }
  remedies { id: "refire" kind: REMAKE }
  remedies { id: "comp_item" kind: COMP_ITEM }
  policy { offer: "refire" offer: "comp_item" }
  follow_up { after_days: 7 contact_retention_days: 30 }
  recurring { count: 3 window_minutes: 90 }
)pb";

constexpr char kUptownConfig[] = R"pb(
  location { id: "uptown-02" currency: "USD" timezone: "America/Chicago" }
  categories { id: "quality" label: "Quality" }
  remedies { id: "refire" kind: REMAKE }
  policy { offer: "refire" }
  recurring { count: 3 window_minutes: 90 }
)pb";

std::unique_ptr<core::RecoveryRules> Rules(const char* text) {
  makegood::v1::Config config;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &config));
  auto rules = core::RecoveryRules::Compile(config);
  EXPECT_TRUE(rules.ok()) << rules.status();
  if (!rules.ok()) return nullptr;
  return std::make_unique<core::RecoveryRules>(*std::move(rules));
}

// Runs `submit` with a callback and waits for the answer it gets.
template <typename Result, typename Submit>
absl::StatusOr<Result> Wait(Submit submit) {
  absl::Notification done;
  absl::StatusOr<Result> result;
  submit([&](absl::StatusOr<Result> answer) {
    result = std::move(answer);
    done.Notify();
  });
  done.WaitForNotification();
  return result;
}

// A store (its clock a FakeClock at kT0) with both locations registered and
// check c1's line 1 flagged, its refire (option o1) sent: one command.
class OutboxAckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rules_ = Rules(kConfig);
    uptown_rules_ = Rules(kUptownConfig);
    ASSERT_TRUE(rules_ != nullptr && uptown_rules_ != nullptr);
    SqliteStoreOptions options;
    options.path = db_path();
    options.clock = &clock_;
    options.cleanup_interval = absl::Hours(24);
    auto store = SqliteStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    ASSERT_TRUE(store_->RegisterLocation(rules_->config().location()).ok());
    ASSERT_TRUE(
        store_->RegisterLocation(uptown_rules_->config().location()).ok());
    ASSERT_TRUE(
        AppendEventsAndWait(
            *store_,
            {CheckOpened("e1", "c1", kT0), ItemAdded("e2", "c1", "1", kT0),
             CheckOpened("e3", "c2", kT0), ItemAdded("e4", "c2", "1", kT0)},
            kT0)
            .ok());
    auto flagged = Flag("c1", /*consent=*/false);
    ASSERT_TRUE(flagged.ok()) << flagged.status();
    case_id_ = flagged->recovery.case_id();
    makegood::v1::ApplyRemedyRequest apply;
    apply.set_request_id("apply-1");
    apply.set_case_id(case_id_);
    apply.set_option_id("o1");
    auto applied = Wait<RecoveryResult>([&](auto done) {
      store_->ApplyRemedy(Call("s-17", makegood::v1::SERVER), apply, done);
    });
    ASSERT_TRUE(applied.ok()) << applied.status();
    ASSERT_EQ(applied->commands.size(), 1u);
    command_id_ = applied->commands[0].command_id();
    ASSERT_EQ(applied->recovery.remedies(0).status(), AppliedRemedy::SENT);
  }

  void TearDown() override {
    if (store_ != nullptr) store_->Shutdown();
  }

  RecoveryCall Call(const std::string& actor, makegood::v1::Role role,
                    const core::RecoveryRules* rules = nullptr) const {
    RecoveryCall call;
    call.actor_id = actor;
    call.actor_role = role;
    call.now = clock_.Now();
    call.rules = rules != nullptr ? rules : rules_.get();
    return call;
  }

  // Flags line 1 of `check` as s-17, with a guest who consents to a
  // follow-up when `consent`.
  absl::StatusOr<RecoveryResult> Flag(const std::string& check, bool consent) {
    makegood::v1::FlagProblemRequest request;
    request.set_request_id("flag-" + check);
    request.set_check_id(check);
    request.add_line_ids("1");
    request.set_category_id("quality");
    request.set_severity(makegood::v1::MINOR);
    if (consent) {
      request.mutable_guest_contact()->set_email("ana@example.com");
      request.mutable_guest_contact()->set_follow_up_consent(true);
    }
    return Wait<RecoveryResult>([&](auto done) {
      store_->FlagProblem(Call("s-17", makegood::v1::SERVER), request, done);
    });
  }

  // An adapter's answer: `detail` is the POS reference of APPLIED, else the
  // vendor's reason. Under `rules` (another location's), or this one's.
  absl::StatusOr<AckResult> Ack(const std::string& request_id,
                                const std::string& command_id,
                                AckCommandRequest::Result result,
                                const std::string& detail = "",
                                const core::RecoveryRules* rules = nullptr) {
    AckCommandRequest request;
    request.set_request_id(request_id);
    request.set_command_id(command_id);
    request.set_result(result);
    if (result == AckCommandRequest::APPLIED) {
      request.set_pos_reference(detail);
    } else {
      request.set_vendor_reason(detail);
    }
    const RecoveryCall call = Call("pos-1", makegood::v1::ADAPTER, rules);
    return Wait<AckResult>(
        [&](auto done) { store_->AckCommand(call, request, done); });
  }

  std::vector<RemedyCommand> Unacked() {
    auto page = store_->UnackedCommands(kLocation, {});
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? page->commands : std::vector<RemedyCommand>();
  }

  std::vector<std::string> UnackedIds() {
    std::vector<std::string> ids;
    for (const RemedyCommand& command : Unacked()) {
      ids.push_back(command.command_id());
    }
    return ids;
  }

  // The remedy of the case, as stored now.
  AppliedRemedy Remedy() {
    auto recovery = store_->GetRecovery(kLocation, case_id_, false);
    EXPECT_TRUE(recovery.ok()) << recovery.status();
    return recovery.ok() && recovery->remedies_size() == 1
               ? recovery->remedies(0)
               : AppliedRemedy();
  }

  int64_t Count(const std::string& sql) {
    return makegood::testing::QueryInt(db_path(), sql);
  }
  std::string Text(const std::string& sql) {
    return makegood::testing::QueryText(db_path(), sql);
  }
  std::string db_path() const { return dir_.File("s.db"); }

  makegood::testing::TempDir dir_;
  core::FakeClock clock_{kT0};
  std::unique_ptr<core::RecoveryRules> rules_;
  std::unique_ptr<core::RecoveryRules> uptown_rules_;
  std::unique_ptr<SqliteStore> store_;
  std::string case_id_;
  std::string command_id_;
};

TEST_F(OutboxAckTest, AnAckOfAnUnknownCommandIsNotFoundAndStoresNothing) {
  const int64_t ledger_rows = Count("SELECT count(*) FROM ledger");
  const int64_t answers = Count("SELECT count(*) FROM idempotency");

  auto ack = Ack("ack-1", "CMD-404", AckCommandRequest::APPLIED, "POS-1");
  EXPECT_EQ(ack.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(core::ReasonOf(ack.status()), Error::UNKNOWN_COMMAND);
  EXPECT_EQ(ack.status().message(), "command_id: no command 'CMD-404'");
  // The refusal was not kept as the request's answer: a retry is refused
  // again, not replayed.
  auto retry = Ack("ack-1", "CMD-404", AckCommandRequest::APPLIED, "POS-1");
  EXPECT_EQ(retry.status().code(), absl::StatusCode::kNotFound);

  EXPECT_EQ(Count("SELECT count(*) FROM ledger"), ledger_rows);
  EXPECT_EQ(Count("SELECT count(*) FROM idempotency"), answers);
  EXPECT_THAT(UnackedIds(), ElementsAre(command_id_));
  EXPECT_EQ(Remedy().status(), AppliedRemedy::SENT);
}

TEST_F(OutboxAckTest, ACommandOfAnotherLocationIsUnknownThere) {
  auto ack = Ack("ack-1", command_id_, AckCommandRequest::APPLIED, "POS-1",
                 uptown_rules_.get());
  EXPECT_EQ(ack.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(core::ReasonOf(ack.status()), Error::UNKNOWN_COMMAND);
  EXPECT_EQ(ack.status().message(),
            absl::StrCat("command_id: no command '", command_id_, "'"));

  // Still waiting at its own location, unanswered.
  EXPECT_THAT(UnackedIds(), ElementsAre(command_id_));
  EXPECT_EQ(Text("SELECT coalesce(result, 'none') FROM commands"), "none");
  EXPECT_EQ(Remedy().status(), AppliedRemedy::SENT);
}

TEST_F(OutboxAckTest, AnAppliedAckAppliesTheRemedyOnceAndLaterAnswersGetIt) {
  clock_.Advance(absl::Seconds(40));
  auto applied =
      Ack("ack-1", command_id_, AckCommandRequest::APPLIED, "POS-77");
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(applied->response.command_id(), command_id_);
  EXPECT_EQ(applied->response.recorded_result(), AckCommandRequest::APPLIED);
  EXPECT_FALSE(applied->response.duplicate());
  ASSERT_TRUE(applied->case_change.has_value());
  const RecoveryCase& changed = applied->case_change->recovery;
  ASSERT_EQ(changed.remedies_size(), 1);
  EXPECT_EQ(changed.remedies(0).status(), AppliedRemedy::APPLIED);
  EXPECT_EQ(changed.remedies(0).pos_reference(), "POS-77");
  EXPECT_EQ(changed.status(), RecoveryCase::REMEDY_APPLIED);
  EXPECT_THAT(applied->case_change->alerts, IsEmpty());
  EXPECT_THAT(UnackedIds(), IsEmpty());
  EXPECT_EQ(
      Text("SELECT acked_at_us || ' ' || pos_reference FROM commands"),
      absl::StrCat(absl::ToUnixMicros(kT0 + absl::Seconds(40)), " POS-77"));
  EXPECT_EQ(Count("SELECT count(*) FROM ledger WHERE action='command_applied'"),
            1);

  // A later answer, whatever it says, gets the first one back, marked a
  // duplicate, and changes nothing.
  auto later = Ack("ack-2", command_id_, AckCommandRequest::REJECTED,
                   "the check is closed");
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(later->response.recorded_result(), AckCommandRequest::APPLIED);
  EXPECT_TRUE(later->response.duplicate());
  EXPECT_FALSE(later->case_change.has_value());
  const AppliedRemedy remedy = Remedy();
  EXPECT_EQ(remedy.status(), AppliedRemedy::APPLIED);
  EXPECT_EQ(remedy.rejection_reason(), "");
  EXPECT_EQ(Text("SELECT coalesce(vendor_reason, 'none') FROM commands"),
            "none");
  EXPECT_EQ(
      Count("SELECT count(*) FROM ledger WHERE action='command_rejected'"), 0);

  // The first ack retried gets its own answer again, and writes nothing.
  auto retry = Ack("ack-1", command_id_, AckCommandRequest::APPLIED, "POS-77");
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->response.recorded_result(), AckCommandRequest::APPLIED);
  EXPECT_FALSE(retry->response.duplicate());
  EXPECT_FALSE(retry->case_change.has_value());
  EXPECT_EQ(Count("SELECT count(*) FROM ledger WHERE action='command_applied'"),
            1);
}

TEST_F(OutboxAckTest, ARejectedAckDeclinesTheOptionAndAlertsTheManager) {
  auto rejected = Ack("ack-1", command_id_, AckCommandRequest::REJECTED,
                      "the check is closed at the POS");
  ASSERT_TRUE(rejected.ok()) << rejected.status();
  EXPECT_EQ(rejected->response.recorded_result(), AckCommandRequest::REJECTED);
  EXPECT_FALSE(rejected->response.duplicate());
  ASSERT_TRUE(rejected->case_change.has_value());
  const RecoveryCase& changed = rejected->case_change->recovery;
  ASSERT_EQ(changed.remedies_size(), 1);
  EXPECT_EQ(changed.remedies(0).status(), AppliedRemedy::REJECTED);
  EXPECT_EQ(changed.remedies(0).rejection_reason(),
            "the check is closed at the POS");
  ASSERT_GE(changed.options_size(), 2);
  EXPECT_TRUE(changed.options(0).declined());
  EXPECT_FALSE(changed.options(1).declined());
  // Nothing given now: open for the next offer.
  EXPECT_EQ(changed.status(), RecoveryCase::OPEN);

  ASSERT_EQ(rejected->case_change->alerts.size(), 1u);
  const makegood::v1::Alert& alert = rejected->case_change->alerts[0];
  EXPECT_EQ(alert.kind(), makegood::v1::Alert::COMMAND_REJECTED);
  EXPECT_EQ(alert.case_id(), case_id_);
  EXPECT_THAT(alert.message(), HasSubstr("The POS refused refire on check c1: "
                                         "the check is closed at the POS"));
  EXPECT_EQ(alert.command_rejected().next_option_id(), "o2");

  EXPECT_THAT(UnackedIds(), IsEmpty());
  EXPECT_EQ(Text("SELECT result || ' ' || vendor_reason FROM commands"),
            absl::StrCat(static_cast<int>(AckCommandRequest::REJECTED),
                         " the check is closed at the POS"));
  EXPECT_EQ(Remedy().status(), AppliedRemedy::REJECTED);
}

TEST_F(OutboxAckTest, ARetryLaterAckRecordsNothingAndTheCommandIsOfferedAgain) {
  auto later = Ack("ack-1", command_id_, AckCommandRequest::RETRY_LATER,
                   "the POS is busy");
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(later->response.recorded_result(), AckCommandRequest::RETRY_LATER);
  EXPECT_FALSE(later->response.duplicate());
  EXPECT_FALSE(later->case_change.has_value());

  // Still unanswered: delivered again, the remedy still SENT.
  const std::vector<RemedyCommand> unacked = Unacked();
  ASSERT_EQ(unacked.size(), 1u);
  EXPECT_EQ(unacked[0].command_id(), command_id_);
  EXPECT_EQ(Text("SELECT coalesce(acked_at_us, '-') || coalesce(result, '-') "
                 "|| coalesce(vendor_reason, '-') FROM commands"),
            "---");
  EXPECT_EQ(Remedy().status(), AppliedRemedy::SENT);

  // The next answer is the first one recorded.
  auto applied = Ack("ack-2", command_id_, AckCommandRequest::APPLIED, "POS-9");
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(applied->response.recorded_result(), AckCommandRequest::APPLIED);
  EXPECT_FALSE(applied->response.duplicate());
  ASSERT_TRUE(applied->case_change.has_value());
  EXPECT_EQ(Remedy().status(), AppliedRemedy::APPLIED);
}

TEST_F(OutboxAckTest, EachDeliveryIsCountedBeforeTheNextReadOfTheOutbox) {
  const auto attempts = [&] {
    std::vector<int> counts;
    for (const RemedyCommand& command : Unacked()) {
      counts.push_back(command.delivery_attempt());
    }
    return counts;
  };
  EXPECT_THAT(attempts(), ElementsAre(1));
  // Counted by the writer, which reads the outbox after them.
  store_->CountDeliveries({command_id_});
  EXPECT_THAT(attempts(), ElementsAre(2));
  store_->CountDeliveries({command_id_, command_id_});
  EXPECT_THAT(attempts(), ElementsAre(4));
  store_->CountDeliveries({});
  EXPECT_THAT(attempts(), ElementsAre(4));
  EXPECT_EQ(Count("SELECT deliveries FROM commands"), 3);

  // Answered, it is delivered no more.
  ASSERT_TRUE(
      Ack("ack-1", command_id_, AckCommandRequest::APPLIED, "POS-1").ok());
  EXPECT_THAT(attempts(), IsEmpty());
}

TEST_F(OutboxAckTest, AFollowUpCommandCarriesTheContactAndItsAckChangesNoCase) {
  auto flagged = Flag("c2", /*consent=*/true);
  ASSERT_TRUE(flagged.ok()) << flagged.status();
  ASSERT_EQ(flagged->commands.size(), 1u);
  const std::string follow_up_id = flagged->commands[0].command_id();

  // Read with the contact kept for it; the remedy's command has none.
  const std::vector<RemedyCommand> unacked = Unacked();
  ASSERT_EQ(unacked.size(), 2u);
  for (const RemedyCommand& command : unacked) {
    if (command.command_id() == follow_up_id) {
      EXPECT_EQ(command.guest_follow_up().contact().email(), "ana@example.com");
    } else {
      EXPECT_TRUE(command.has_apply_remedy()) << command.command_id();
    }
  }
  // Its row holds no contact details.
  EXPECT_EQ(Count("SELECT count(*) FROM commands WHERE instr(body, "
                  "CAST('ana@example.com' AS BLOB)) > 0"),
            0);

  auto acked = Ack("ack-f", follow_up_id, AckCommandRequest::APPLIED, "CRM-1");
  ASSERT_TRUE(acked.ok()) << acked.status();
  EXPECT_EQ(acked->response.recorded_result(), AckCommandRequest::APPLIED);
  EXPECT_FALSE(acked->case_change.has_value());
  EXPECT_THAT(UnackedIds(), ElementsAre(command_id_));
  auto recovery =
      store_->GetRecovery(kLocation, flagged->recovery.case_id(), false);
  ASSERT_TRUE(recovery.ok()) << recovery.status();
  EXPECT_EQ(recovery->status(), RecoveryCase::OPEN);
}

}  // namespace
}  // namespace makegood::store
