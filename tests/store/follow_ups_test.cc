// Follow-ups (store/follow_ups.h): guest contact details are deleted after
// the configured retention, while the follow-up itself stays listed and can
// be done. A follow-up is due from its due time, at its location only, in
// pages of 1 to 1000; it is done once, by the caller, with a ledger row, and
// a retry of the request gets the same answer. Doing it again, or doing one
// that does not exist here, is refused naming the case, and changes
// nothing; so does a completion whose writes fail, which leaves the
// follow-up due for a retry.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "core/clock.h"
#include "core/proto_time.h"
#include "core/recovery_rules.h"
#include "core/refusal.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "sqlite/connection.h"
#include "store/sqlite_store.h"
#include "support/db_query.h"
#include "support/sample_events.h"
#include "support/temp_dir.h"

namespace makegood::store {
namespace {

using makegood::testing::CheckOpened;
using makegood::testing::ItemAdded;
using makegood::testing::kLocation;
using makegood::v1::Error;
using makegood::v1::FollowUp;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kConfig[] = R"pb(
  location { id: "downtown-01" currency: "USD" timezone: "America/New_York" }
  categories { id: "quality" label: "Quality" }
  remedies { id: "refire" kind: REMAKE }
  policy { offer: "refire" }
  follow_up { after_days: 7 contact_retention_days: 30 }
  recurring { count: 3 window_minutes: 90 }
)pb";

TEST(FollowUpsTest, ContactDetailsAreDeletedAfterTheRetention) {
  makegood::testing::TempDir dir;
  makegood::v1::Config config;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(kConfig, &config));
  auto rules = core::RecoveryRules::Compile(config);
  ASSERT_TRUE(rules.ok()) << rules.status();
  // A case flagged at `then`; the store's clock is moved 40 days on, so the
  // follow-up was due 33 days ago and the contact's 30-day retention has
  // passed.
  const absl::Time then = absl::FromUnixSeconds(1795000000);
  core::FakeClock clock(then);
  SqliteStoreOptions options;
  options.path = dir.File("s.db");
  options.clock = &clock;
  auto store = SqliteStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->RegisterLocation(config.location()).ok());

  ASSERT_TRUE(AppendEventsAndWait(**store,
                                  {CheckOpened("e1", "c1", then),
                                   ItemAdded("e2", "c1", "1", then)},
                                  then)
                  .ok());
  makegood::v1::FlagProblemRequest request;
  request.set_request_id("r1");
  request.set_check_id("c1");
  request.add_line_ids("1");
  request.set_category_id("quality");
  request.set_severity(makegood::v1::MINOR);
  request.mutable_guest_contact()->set_email("ana@example.com");
  request.mutable_guest_contact()->set_follow_up_consent(true);
  absl::Notification flagged;
  (*store)->FlagProblem(
      RecoveryCall{"s-17", makegood::v1::SERVER, then, &*rules}, request,
      [&](absl::StatusOr<RecoveryResult> result) {
        EXPECT_TRUE(result.ok()) << result.status();
        flagged.Notify();
      });
  flagged.WaitForNotification();

  clock.Advance(absl::Hours(24 * 40));
  // The cleanup (which the maintenance thread runs every cleanup_interval)
  // removes the expired contact; read as of `then`, only a row still
  // stored would show.
  ASSERT_TRUE((*store)->CleanUpExpired().ok());
  auto due = (*store)->DueFollowUps(kLocation, {.due_by = clock.Now()}, then);
  ASSERT_TRUE(due.ok()) << due.status();
  ASSERT_EQ(due->follow_ups.size(), 1u);
  EXPECT_FALSE(due->follow_ups[0].has_contact());
  EXPECT_EQ(due->follow_ups[0].category_id(), "quality");
  // The adapter's command no longer carries it either.
  auto commands = (*store)->UnackedCommands(kLocation, {});
  ASSERT_TRUE(commands.ok());
  ASSERT_EQ(commands->commands.size(), 1u);
  EXPECT_FALSE(commands->more);
  EXPECT_TRUE(commands->commands[0].has_guest_follow_up());
  EXPECT_FALSE(commands->commands[0].guest_follow_up().has_contact());
  (*store)->Shutdown();
}

constexpr char kUptownConfig[] = R"pb(
  location { id: "uptown-02" currency: "USD" timezone: "America/Chicago" }
  categories { id: "quality" label: "Quality" }
  remedies { id: "refire" kind: REMAKE }
  policy { offer: "refire" }
  follow_up { after_days: 7 contact_retention_days: 30 }
  recurring { count: 3 window_minutes: 90 }
)pb";

// When the cases are flagged, and when their follow-ups fall due.
const absl::Time kThen = absl::FromUnixSeconds(1795000000);
const absl::Time kDue = kThen + absl::Hours(24 * 7);

std::unique_ptr<core::RecoveryRules> Rules(const char* text) {
  makegood::v1::Config config;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &config));
  auto rules = core::RecoveryRules::Compile(config);
  EXPECT_TRUE(rules.ok()) << rules.status();
  if (!rules.ok()) return nullptr;
  return std::make_unique<core::RecoveryRules>(*std::move(rules));
}

// A store whose clock (a FakeClock) is at kThen, with checks c1 and c2 of
// one line each.
class FollowUpStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rules_ = Rules(kConfig);
    uptown_rules_ = Rules(kUptownConfig);
    ASSERT_TRUE(rules_ != nullptr && uptown_rules_ != nullptr);
    SqliteStoreOptions options;
    options.path = db_path();
    options.clock = &clock_;
    // No cleanup of its own: contacts expire only as the tests read them.
    options.cleanup_interval = absl::Hours(24);
    auto store = SqliteStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    ASSERT_TRUE(store_->RegisterLocation(rules_->config().location()).ok());
    ASSERT_TRUE(
        AppendEventsAndWait(
            *store_,
            {CheckOpened("e1", "c1", kThen), ItemAdded("e2", "c1", "1", kThen),
             CheckOpened("e3", "c2", kThen), ItemAdded("e4", "c2", "1", kThen)},
            kThen)
            .ok());
  }

  void TearDown() override {
    if (store_ != nullptr) store_->Shutdown();
  }

  // Flags line 1 of `check` now, as s-17; the guest (ana@example.com)
  // consents to a follow-up unless `consent` is false. The case's id.
  std::string Flag(const std::string& check, bool consent = true) {
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
    absl::StatusOr<RecoveryResult> flagged;
    absl::Notification done;
    store_->FlagProblem(Call("s-17", makegood::v1::SERVER, rules_.get()),
                        request, [&](absl::StatusOr<RecoveryResult> result) {
                          flagged = std::move(result);
                          done.Notify();
                        });
    done.WaitForNotification();
    EXPECT_TRUE(flagged.ok()) << flagged.status();
    return flagged.ok() ? flagged->recovery.case_id() : "";
  }

  // `actor` (a MANAGER) marks the follow-up of `case_id` done now, under
  // `rules` (another location's), or this location's.
  absl::StatusOr<FollowUp> Complete(
      const std::string& actor, const std::string& request_id,
      const std::string& case_id, const std::string& note,
      const core::RecoveryRules* rules = nullptr) {
    makegood::v1::CompleteFollowUpRequest request;
    request.set_request_id(request_id);
    request.set_case_id(case_id);
    request.set_note(note);
    absl::StatusOr<FollowUp> completed;
    absl::Notification done;
    store_->CompleteFollowUp(Call(actor, makegood::v1::MANAGER,
                                  rules != nullptr ? rules : rules_.get()),
                             request, [&](absl::StatusOr<FollowUp> result) {
                               completed = std::move(result);
                               done.Notify();
                             });
    done.WaitForNotification();
    return completed;
  }

  // The follow-ups of `location` due by `due_by`, read now.
  std::vector<FollowUp> Due(absl::Time due_by,
                            const std::string& location = kLocation) {
    FollowUpQuery query;
    query.due_by = due_by;
    auto page = store_->DueFollowUps(location, query, clock_.Now());
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) return {};
    EXPECT_TRUE(page->next_page_token.empty());
    return page->follow_ups;
  }

  RecoveryCall Call(const std::string& actor, makegood::v1::Role role,
                    const core::RecoveryRules* rules) const {
    RecoveryCall call;
    call.actor_id = actor;
    call.actor_role = role;
    call.now = clock_.Now();
    call.rules = rules;
    return call;
  }

  // Runs `sql` on a connection of the test's own, beside the store's.
  void Exec(const std::string& sql) {
    auto db = sqlite::Connection::Open(db_path(), /*read_only=*/false);
    ASSERT_TRUE(db.ok()) << db.status();
    const absl::Status status = (*db)->Exec(sql.c_str());
    ASSERT_TRUE(status.ok()) << status;
  }

  int64_t Count(const std::string& sql) {
    return makegood::testing::QueryInt(db_path(), sql);
  }
  std::string Text(const std::string& sql) {
    return makegood::testing::QueryText(db_path(), sql);
  }
  std::string db_path() const { return dir_.File("s.db"); }

  static constexpr char kDoneRows[] =
      "SELECT count(*) FROM ledger WHERE action='follow_up_done'";

  makegood::testing::TempDir dir_;
  core::FakeClock clock_{kThen};
  std::unique_ptr<core::RecoveryRules> rules_;
  std::unique_ptr<core::RecoveryRules> uptown_rules_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(FollowUpStoreTest, AFollowUpIsDueFromItsDueTimeAtItsLocationOnly) {
  const std::string case_id = Flag("c1");
  Flag("c2", /*consent=*/false);  // No consent: no follow-up.

  EXPECT_THAT(Due(kDue - absl::Microseconds(1)), IsEmpty());
  const std::vector<FollowUp> due = Due(kDue);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].case_id(), case_id);
  EXPECT_EQ(due[0].check_id(), "c1");
  EXPECT_EQ(due[0].category_id(), "quality");
  EXPECT_EQ(core::FromProto(due[0].flagged_at()), kThen);
  EXPECT_EQ(core::FromProto(due[0].due_at()), kDue);
  EXPECT_FALSE(due[0].has_done_at());
  EXPECT_EQ(due[0].contact().email(), "ana@example.com");

  EXPECT_THAT(Due(kDue, "uptown-02"), IsEmpty());
}

TEST_F(FollowUpStoreTest, AFollowUpPageHoldsOneToAThousand) {
  Flag("c1");
  for (int size : {0, 1001}) {
    auto page = store_->DueFollowUps(
        kLocation, {.due_by = kDue, .page_size = size, .page_token = ""},
        clock_.Now());
    EXPECT_EQ(page.status().code(), absl::StatusCode::kInvalidArgument) << size;
    EXPECT_EQ(page.status().message(),
              absl::StrCat("page_size: must be 1 to 1000, got ", size));
  }
  auto most = store_->DueFollowUps(
      kLocation, {.due_by = kDue, .page_size = 1000, .page_token = ""},
      clock_.Now());
  ASSERT_TRUE(most.ok()) << most.status();
  EXPECT_EQ(most->follow_ups.size(), 1u);
  EXPECT_TRUE(most->next_page_token.empty());
}

TEST_F(FollowUpStoreTest, ACompletedFollowUpIsDoneByTheCallerAndNoLongerDue) {
  const std::string case_id = Flag("c1");
  clock_.Advance(absl::Hours(24 * 8));
  const absl::Time done_at = clock_.Now();

  auto done = Complete("m-2", "done-1", case_id, "called, booked for Friday");
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->case_id(), case_id);
  EXPECT_EQ(done->check_id(), "c1");
  EXPECT_EQ(done->category_id(), "quality");
  EXPECT_EQ(core::FromProto(done->flagged_at()), kThen);
  EXPECT_EQ(core::FromProto(done->due_at()), kDue);
  EXPECT_EQ(core::FromProto(done->done_at()), done_at);
  EXPECT_EQ(done->done_by(), "m-2");
  EXPECT_EQ(done->note(), "called, booked for Friday");
  EXPECT_FALSE(done->has_contact());  // The answer carries no contact.

  EXPECT_THAT(Due(clock_.Now()), IsEmpty());
  EXPECT_EQ(Text("SELECT done_at_us || ' ' || done_by || ' ' || note "
                 "FROM follow_ups"),
            absl::StrCat(absl::ToUnixMicros(done_at),
                         " m-2 called, booked for Friday"));
  EXPECT_EQ(Count(kDoneRows), 1);
  EXPECT_EQ(Text("SELECT actor || ' ' || case_id FROM ledger "
                 "WHERE action='follow_up_done'"),
            "m-2 " + case_id);
  auto verified = store_->VerifyLedger();
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_TRUE(verified->intact) << verified->problem;

  // The request retried, later: the same answer, nothing written again.
  clock_.Advance(absl::Minutes(5));
  auto retry = Complete("m-2", "done-1", case_id, "called, booked for Friday");
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*retry, *done))
      << retry->DebugString();
  EXPECT_EQ(Count(kDoneRows), 1);
}

TEST_F(FollowUpStoreTest, ASecondCompletionIsRefusedNamingWhoDidItFirst) {
  const std::string case_id = Flag("c1");
  clock_.Advance(absl::Hours(24 * 8));
  ASSERT_TRUE(Complete("m-2", "done-1", case_id, "left a voicemail").ok());
  const char kStored[] =
      "SELECT done_at_us || ' ' || done_by || ' ' || note FROM follow_ups";
  const std::string stored = Text(kStored);

  clock_.Advance(absl::Hours(1));
  auto again = Complete("m-3", "done-2", case_id, "spoke to the guest");
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(core::ReasonOf(again.status()), Error::FOLLOW_UP_DONE);
  EXPECT_EQ(again.status().message(),
            absl::StrCat("the follow-up of case ", case_id,
                         " was already done by m-2"));
  // Nothing changed, and the refusal is no answer kept for done-2.
  EXPECT_EQ(Text(kStored), stored);
  EXPECT_EQ(Count(kDoneRows), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM idempotency WHERE request_id='done-2'"),
            0);
}

TEST_F(FollowUpStoreTest, CompletingACaseWithoutAFollowUpHereIsNotFound) {
  const std::string without = Flag("c1", /*consent=*/false);
  const std::string with = Flag("c2");
  const int64_t ledger_rows = Count("SELECT count(*) FROM ledger");
  clock_.Advance(absl::Hours(24 * 8));

  for (const std::string& case_id : {std::string("RC-nope"), without}) {
    auto refused = Complete("m-2", "done-" + case_id, case_id, "called");
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kNotFound) << case_id;
    EXPECT_EQ(core::ReasonOf(refused.status()), Error::NO_FOLLOW_UP) << case_id;
    EXPECT_EQ(refused.status().message(),
              absl::StrCat("case_id: case '", case_id, "' has no follow-up"));
  }
  // Another location's follow-ups do not hold this location's.
  auto elsewhere =
      Complete("m-2", "done-elsewhere", with, "called", uptown_rules_.get());
  EXPECT_EQ(elsewhere.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(core::ReasonOf(elsewhere.status()), Error::NO_FOLLOW_UP);
  EXPECT_EQ(elsewhere.status().message(),
            absl::StrCat("case_id: case '", with, "' has no follow-up"));

  // Nothing was written: the one follow-up is still due.
  EXPECT_EQ(Count("SELECT count(*) FROM ledger"), ledger_rows);
  EXPECT_EQ(
      Count("SELECT count(*) FROM idempotency WHERE request_id LIKE 'done-%'"),
      0);
  const std::vector<FollowUp> due = Due(clock_.Now());
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].case_id(), with);
}

TEST_F(FollowUpStoreTest, ACompletionThatCannotBeWrittenLeavesTheFollowUpDue) {
  const std::string case_id = Flag("c1");
  clock_.Advance(absl::Hours(24 * 8));
  const int64_t ledger_rows = Count("SELECT count(*) FROM ledger");
  const auto expect_nothing_written = [&] {
    EXPECT_EQ(Count("SELECT count(*) FROM follow_ups WHERE done_at_us IS NULL"),
              1);
    EXPECT_EQ(Count("SELECT count(*) FROM ledger"), ledger_rows);
    EXPECT_EQ(
        Count("SELECT count(*) FROM idempotency WHERE request_id='done-1'"), 0);
    EXPECT_EQ(Due(clock_.Now()).size(), 1u);
  };

  // The follow-up's row refuses the update.
  Exec(
      "CREATE TRIGGER refuse_done BEFORE UPDATE ON follow_ups BEGIN "
      "SELECT RAISE(ABORT, 'the test refuses follow-up updates'); END");
  auto refused = Complete("m-2", "done-1", case_id, "called");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("the test refuses follow-up updates"));
  expect_nothing_written();
  Exec("DROP TRIGGER refuse_done");

  // The ledger refuses its row, after the follow-up's update: that update
  // is undone with it.
  Exec(
      "CREATE TRIGGER refuse_ledger BEFORE INSERT ON ledger BEGIN "
      "SELECT RAISE(ABORT, 'the test refuses ledger rows'); END");
  refused = Complete("m-2", "done-1", case_id, "called");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("the test refuses ledger rows"));
  expect_nothing_written();
  Exec("DROP TRIGGER refuse_ledger");

  // Once the writes work, the same request does it.
  auto done = Complete("m-2", "done-1", case_id, "called");
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->done_by(), "m-2");
  EXPECT_THAT(Due(clock_.Now()), IsEmpty());
  EXPECT_EQ(Count(kDoneRows), 1);
}

TEST_F(FollowUpStoreTest, AFollowUpWhoseContactExpiredIsStillDueAndCanBeDone) {
  const std::string case_id = Flag("c1");
  // Within the 30 days the contact is kept, the adapter's command carries
  // it.
  auto commands = store_->UnackedCommands(kLocation, {});
  ASSERT_TRUE(commands.ok()) << commands.status();
  ASSERT_EQ(commands->commands.size(), 1u);
  EXPECT_EQ(commands->commands[0].guest_follow_up().contact().email(),
            "ana@example.com");

  // Past them, before any cleanup: neither the command nor the follow-up
  // shows it, and the follow-up is still due.
  clock_.Advance(absl::Hours(24 * 31));
  commands = store_->UnackedCommands(kLocation, {});
  ASSERT_TRUE(commands.ok()) << commands.status();
  ASSERT_EQ(commands->commands.size(), 1u);
  EXPECT_TRUE(commands->commands[0].has_guest_follow_up());
  EXPECT_FALSE(commands->commands[0].guest_follow_up().has_contact());
  const std::vector<FollowUp> due = Due(clock_.Now());
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].case_id(), case_id);
  EXPECT_FALSE(due[0].has_contact());

  auto done = Complete("m-2", "done-1", case_id, "no way to reach the guest");
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->done_by(), "m-2");
  EXPECT_FALSE(done->has_contact());
  EXPECT_THAT(Due(clock_.Now()), IsEmpty());
}

}  // namespace
}  // namespace makegood::store
