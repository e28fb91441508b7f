#include "store/sqlite_store.h"

#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "core/clock.h"
#include "core/proto_time.h"
#include "core/recovery_rules.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "sqlite/connection.h"
#include "store/idempotency.h"
#include "support/db_query.h"
#include "support/log_lines.h"
#include "support/process.h"
#include "support/sample_events.h"
#include "support/temp_dir.h"

namespace makegood::store {
namespace {

using makegood::testing::BaseEvent;
using makegood::testing::CheckOpened;
using makegood::testing::ItemAdded;
using makegood::testing::ItemFired;
using makegood::testing::ItemServed;
using makegood::testing::kLocation;
using makegood::testing::LogLines;
using makegood::testing::ReadFileOrEmpty;
using makegood::v1::OrderEvent;
using ::testing::HasSubstr;

const absl::Time kT0 = absl::FromUnixSeconds(1795000000);

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteStore::Open({.path = dir_.File("s.db")});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    makegood::v1::Location location;
    location.set_id(kLocation);
    location.set_currency("USD");
    location.set_timezone("America/New_York");
    ASSERT_TRUE(store_->RegisterLocation(location).ok());
  }

  // The outcome of each event.
  std::vector<EventOutcome> Append(std::vector<OrderEvent> events) {
    auto outcomes = AppendEventsAndWait(*store_, std::move(events), kT0);
    EXPECT_TRUE(outcomes.ok()) << outcomes.status();
    std::vector<EventOutcome> kinds;
    if (outcomes.ok()) {
      for (const auto& result : *outcomes) kinds.push_back(result.outcome);
    }
    return kinds;
  }

  makegood::testing::TempDir dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteStoreTest, ProjectsACheckAndItsItems) {
  Append({CheckOpened("e1", "c1", kT0, "12"),
          ItemAdded("e2", "c1", "1", kT0 + absl::Minutes(1), 4200, 2),
          ItemAdded("e3", "c1", "2", kT0 + absl::Minutes(1), 1500),
          ItemFired("e4", "c1", "1", kT0 + absl::Minutes(5)),
          ItemServed("e5", "c1", "1", kT0 + absl::Minutes(20))});
  auto check = store_->GetCheck(kLocation, "c1");
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_EQ(check->state(), makegood::v1::Check::OPEN);
  EXPECT_EQ(check->table(), "12");
  EXPECT_EQ(check->server_id(), "s-17");
  EXPECT_EQ(core::FromProto(check->first_event_at()), kT0);
  EXPECT_EQ(check->subtotal().minor_units(), 2 * 4200 + 1500);
  EXPECT_EQ(check->subtotal().currency(), "USD");
  ASSERT_EQ(check->items_size(), 2);
  EXPECT_EQ(check->items(0).state(), makegood::v1::SERVED);
  EXPECT_EQ(check->items(0).quantity(), 2);
  EXPECT_EQ(core::FromProto(check->items(0).fired_at()),
            kT0 + absl::Minutes(5));
  EXPECT_EQ(check->items(1).state(), makegood::v1::ORDERED);
  EXPECT_FALSE(check->items(1).has_fired_at());
  EXPECT_FALSE(check->has_paid_at());
}

TEST_F(SqliteStoreTest, DuplicatesChangeNothingEvenWithinOneBatch) {
  auto first = Append(
      {ItemAdded("e1", "c1", "1", kT0), ItemAdded("e1", "c1", "1", kT0)});
  EXPECT_EQ(first, (std::vector<EventOutcome>{EventOutcome::kAccepted,
                                              EventOutcome::kDuplicate}));
  auto again = Append({ItemAdded("e1", "c1", "1", kT0, 9999)});
  EXPECT_EQ(again, std::vector<EventOutcome>{EventOutcome::kDuplicate});
  auto check = store_->GetCheck(kLocation, "c1");
  ASSERT_EQ(check->items_size(), 1);
  EXPECT_EQ(check->items(0).unit_price().minor_units(), 4200);
}

TEST_F(SqliteStoreTest, TheSameEventIdFromAnotherSourceIsADifferentEvent) {
  OrderEvent other = ItemFired("e1", "c1", "1", kT0);
  other.set_source("other-pos");
  auto outcomes = Append({ItemAdded("e1", "c1", "1", kT0), other});
  EXPECT_EQ(outcomes[1], EventOutcome::kAccepted);
}

TEST_F(SqliteStoreTest, OutOfOrderEventsLoseNothing) {
  // Served arrives first, then fired, then the item, then the check.
  Append({ItemServed("e4", "c1", "1", kT0 + absl::Minutes(20))});
  auto partial = store_->GetCheck(kLocation, "c1");
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ(partial->items(0).state(), makegood::v1::SERVED);
  EXPECT_EQ(partial->items(0).name(), "");
  EXPECT_EQ(core::FromProto(partial->first_event_at()),
            kT0 + absl::Minutes(20));
  Append({ItemFired("e3", "c1", "1", kT0 + absl::Minutes(5)),
          ItemAdded("e2", "c1", "1", kT0 + absl::Minutes(1)),
          CheckOpened("e1", "c1", kT0, "7")});
  auto check = store_->GetCheck(kLocation, "c1");
  ASSERT_TRUE(check.ok());
  const auto& item = check->items(0);
  EXPECT_EQ(item.state(), makegood::v1::SERVED);  // Later state wins.
  EXPECT_EQ(item.name(), "Ribeye 12oz");
  EXPECT_EQ(core::FromProto(item.ordered_at()), kT0 + absl::Minutes(1));
  EXPECT_EQ(core::FromProto(item.fired_at()), kT0 + absl::Minutes(5));
  EXPECT_EQ(core::FromProto(item.served_at()), kT0 + absl::Minutes(20));
  EXPECT_EQ(check->table(), "7");
  EXPECT_EQ(core::FromProto(check->opened_at()), kT0);
  EXPECT_EQ(core::FromProto(check->first_event_at()), kT0);  // Moved back.
}

TEST_F(SqliteStoreTest, VoidsPaymentsDiscountsAndClosing) {
  OrderEvent voided = BaseEvent("e3", "c1", kT0 + absl::Minutes(9));
  voided.mutable_item_voided()->set_line_id("2");
  voided.mutable_item_voided()->set_reason("rang in twice");
  OrderEvent discount = BaseEvent("e4", "c1", kT0 + absl::Minutes(10));
  discount.mutable_item_discounted()->set_line_id("1");
  discount.mutable_item_discounted()->mutable_amount()->set_minor_units(500);
  OrderEvent check_discount = BaseEvent("e5", "c1", kT0 + absl::Minutes(10));
  check_discount.mutable_item_discounted()->mutable_amount()->set_minor_units(
      300);
  OrderEvent paid1 = BaseEvent("e6", "c1", kT0 + absl::Minutes(50));
  paid1.mutable_check_paid()->mutable_total()->set_minor_units(3000);
  paid1.mutable_check_paid()->mutable_tip()->set_minor_units(400);
  OrderEvent paid2 = BaseEvent("e7", "c1", kT0 + absl::Minutes(51));
  paid2.mutable_check_paid()->mutable_total()->set_minor_units(1000);
  OrderEvent closed = BaseEvent("e8", "c1", kT0 + absl::Minutes(52));
  closed.mutable_check_closed();
  Append({ItemAdded("e1", "c1", "1", kT0),
          ItemAdded("e2", "c1", "2", kT0, 1500), voided, discount,
          check_discount, paid1, paid2});
  EXPECT_EQ(store_->GetCheck(kLocation, "c1")->state(),
            makegood::v1::Check::PAID);
  Append({closed});
  auto check = store_->GetCheck(kLocation, "c1");
  EXPECT_EQ(check->state(), makegood::v1::Check::CLOSED);
  EXPECT_EQ(check->subtotal().minor_units(), 4200);  // The voided line is out.
  EXPECT_EQ(check->pos_discounts().minor_units(), 800);
  EXPECT_EQ(check->paid_total().minor_units(), 4000);  // Split payment.
  EXPECT_EQ(check->tip().minor_units(), 400);
  EXPECT_EQ(check->items(1).state(), makegood::v1::VOIDED);
  EXPECT_EQ(check->items(1).void_reason(), "rang in twice");
  EXPECT_EQ(check->items(0).pos_discounts().minor_units(), 500);
}

TEST_F(SqliteStoreTest, UnknownCheckIsNotFound) {
  EXPECT_EQ(store_->GetCheck(kLocation, "nope").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, ListsChecksNewestFirstInPages) {
  for (int i = 0; i < 5; ++i) {
    Append({CheckOpened("o" + std::to_string(i), "c" + std::to_string(i),
                        kT0 + absl::Minutes(i))});
  }
  OrderEvent paid = BaseEvent("p", "c3", kT0 + absl::Minutes(30));
  paid.mutable_check_paid()->mutable_total()->set_minor_units(100);
  Append({paid});

  std::vector<std::string> seen;
  CheckListQuery query;
  query.page_size = 2;
  for (;;) {
    auto page = store_->ListChecks(kLocation, query);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& check : page->checks) seen.push_back(check.check_id());
    if (page->next_page_token.empty()) break;
    query.page_token = page->next_page_token;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"c4", "c3", "c2", "c1", "c0"}));

  CheckListQuery open_query;
  open_query.open_only = true;
  auto open = store_->ListChecks(kLocation, open_query);
  ASSERT_EQ(open->checks.size(), 4u);
  for (const auto& check : open->checks) EXPECT_NE(check.check_id(), "c3");
}

TEST_F(SqliteStoreTest, RejectsABadPageToken) {
  CheckListQuery query;
  query.page_token = "garbage";
  auto page = store_->ListChecks(kLocation, query);
  EXPECT_EQ(page.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(SqliteStoreTest, WritesAreRefusedAfterShutdown) {
  store_->Shutdown();
  auto outcomes =
      AppendEventsAndWait(*store_, {ItemAdded("e1", "c1", "1", kT0)}, kT0);
  EXPECT_EQ(outcomes.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store_->CleanUpExpired().code(), absl::StatusCode::kUnavailable);
}

// 2001-03-09 19:00 UTC: long past by the wall clock.
const absl::Time kStart = absl::FromUnixSeconds(984164400);

constexpr char kRecoveryConfig[] = R"pb(
  location { id: "downtown-01" currency: "USD" timezone: "America/New_York" }
  categories { id: "quality" label: "Quality" }
  remedies { id: "refire" kind: REMAKE }
  policy { offer: "refire" }
  follow_up { after_days: 7 contact_retention_days: 30 }
  recurring { count: 3 window_minutes: 90 }
)pb";

// A store whose clock is a FakeClock set years before the wall clock, so
// that anything decided by the wall clock would come out differently.
class StoreClockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    makegood::v1::Config config;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(kRecoveryConfig,
                                                              &config));
    auto rules = core::RecoveryRules::Compile(config);
    ASSERT_TRUE(rules.ok()) << rules.status();
    rules_ = std::make_unique<core::RecoveryRules>(*std::move(rules));
    SqliteStoreOptions options;
    options.path = db_path();
    options.clock = &clock_;
    // The maintenance thread's own cleanups (which read the same clock) stay
    // out of the way; the test runs them with CleanUpExpired.
    options.cleanup_interval = absl::Hours(24);
    auto store = SqliteStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    ASSERT_TRUE(store_->RegisterLocation(config.location()).ok());
    ASSERT_TRUE(AppendEventsAndWait(*store_,
                                    {CheckOpened("e1", "c1", kStart),
                                     ItemAdded("e2", "c1", "1", kStart)},
                                    kStart)
                    .ok());
  }

  // `device_id` as a tablet session's caller has it; empty for a plain
  // credential.
  absl::StatusOr<RecoveryResult> Flag(const std::string& request_id,
                                      const std::string& words,
                                      const std::string& device_id = "") {
    makegood::v1::FlagProblemRequest request;
    request.set_request_id(request_id);
    request.set_check_id("c1");
    request.add_line_ids("1");
    request.set_category_id("quality");
    request.set_severity(makegood::v1::MINOR);
    request.set_guest_words(words);
    request.mutable_guest_contact()->set_email("ana@example.com");
    request.mutable_guest_contact()->set_follow_up_consent(true);
    absl::StatusOr<RecoveryResult> out;
    absl::Notification done;
    RecoveryCall call{"s-17", makegood::v1::SERVER, clock_.Now(), rules_.get()};
    call.device_id = device_id;
    store_->FlagProblem(call, request,
                        [&](absl::StatusOr<RecoveryResult> result) {
                          out = std::move(result);
                          done.Notify();
                        });
    done.WaitForNotification();
    return out;
  }

  int64_t Count(const std::string& table) {
    return makegood::testing::QueryInt(db_path(),
                                       "SELECT count(*) FROM " + table);
  }
  std::string db_path() const { return dir_.File("s.db"); }

  core::FakeClock clock_{kStart};
  makegood::testing::TempDir dir_;
  std::unique_ptr<core::RecoveryRules> rules_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(StoreClockTest, RequestIdsExpireByTheInjectedClockNotTheWallClock) {
  auto first = Flag("r1", "cold");
  ASSERT_TRUE(first.ok()) << first.status();

  // A day later by the store's clock (decades by the wall clock): the
  // record is kept, so a retry still gets the first answer, and the id
  // still cannot be reused for another request.
  clock_.Advance(absl::Hours(24));
  ASSERT_TRUE(store_->CleanUpExpired().ok());
  EXPECT_EQ(Count("idempotency"), 1);
  auto retry = Flag("r1", "cold");
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->recovery.case_id(), first->recovery.case_id());
  EXPECT_EQ(Flag("r1", "burnt").status().code(),
            absl::StatusCode::kAlreadyExists);

  // Just inside the retention by the store's clock: still kept.
  clock_.Advance(kIdempotencyRetention - absl::Hours(24) - absl::Seconds(1));
  ASSERT_TRUE(store_->CleanUpExpired().ok());
  EXPECT_EQ(Count("idempotency"), 1);

  // Past it: deleted.
  clock_.Advance(absl::Seconds(2));
  ASSERT_TRUE(store_->CleanUpExpired().ok());
  EXPECT_EQ(Count("idempotency"), 0);
}

TEST_F(StoreClockTest, ACleanUpDeletesEveryExpiredAnswerHoweverMany) {
  // More answers past the retention than one batch of the cleanup deletes,
  // written an hour before the store's clock on a connection of the test's
  // own, as a daemon stopped for days finds them.
  {
    auto db = sqlite::Connection::Open(db_path(), /*read_only=*/false);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE((*db)->Exec("BEGIN IMMEDIATE").ok());
    for (int i = 0; i < 2500; ++i) {
      ASSERT_TRUE(SaveAnswer(**db, "s-17", absl::StrCat("old-", i),
                             "FlagProblem", "f", "a", kStart - absl::Hours(1))
                      .ok());
    }
    ASSERT_TRUE((*db)->Exec("COMMIT").ok());
  }
  auto fresh = Flag("fresh", "cold");
  ASSERT_TRUE(fresh.ok()) << fresh.status();

  // Half an hour past the old ones' retention; the fresh one is inside its.
  clock_.Advance(kIdempotencyRetention - absl::Minutes(30));
  const uint64_t jobs_before = store_->write_stats().jobs;
  ASSERT_TRUE(store_->CleanUpExpired().ok());
  EXPECT_EQ(Count("idempotency"), 1);
  // The contacts' job, then the answers in jobs of at most 1,000 each (the
  // writes of other requests may come between them), not one transaction.
  EXPECT_GE(store_->write_stats().jobs - jobs_before, 4u);
  auto retry = Flag("fresh", "cold");
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->replayed);
}

TEST_F(StoreClockTest, GuestContactsExpireByTheInjectedClockNotTheWallClock) {
  auto flagged = Flag("r1", "cold");
  ASSERT_TRUE(flagged.ok()) << flagged.status();
  const std::string case_id = flagged->recovery.case_id();

  // 29 days later by the store's clock the contact (kept 30 days) is still
  // there and still shown, though by the wall clock it expired long ago.
  clock_.Advance(absl::Hours(24 * 29));
  ASSERT_TRUE(store_->CleanUpExpired().ok());
  EXPECT_EQ(Count("guest_contacts"), 1);
  auto shown = store_->GetRecovery(kLocation, case_id, /*with_contact=*/true);
  ASSERT_TRUE(shown.ok()) << shown.status();
  EXPECT_EQ(shown->guest_contact().email(), "ana@example.com");

  // Past the retention by the store's clock: no longer shown, even before
  // the cleanup, and deleted by it.
  clock_.Advance(absl::Hours(24 * 2));
  shown = store_->GetRecovery(kLocation, case_id, /*with_contact=*/true);
  ASSERT_TRUE(shown.ok()) << shown.status();
  EXPECT_FALSE(shown->has_guest_contact());
  ASSERT_TRUE(store_->CleanUpExpired().ok());
  EXPECT_EQ(Count("guest_contacts"), 0);
}

TEST_F(StoreClockTest, TheLedgerRecordsTheDeviceATabletSessionActedFrom) {
  auto flagged = Flag("r1", "cold", "tablet-1");
  ASSERT_TRUE(flagged.ok()) << flagged.status();
  EXPECT_EQ(Count("ledger"), 1);
  EXPECT_EQ(makegood::testing::QueryText(
                db_path(), "SELECT actor FROM ledger WHERE seq=1"),
            "s-17");
  EXPECT_EQ(makegood::testing::QueryText(
                db_path(), "SELECT device FROM ledger WHERE seq=1"),
            "tablet-1");
  // The row's hash covers its device, and the chain verifies.
  auto verified = store_->VerifyLedger();
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_TRUE(verified->intact) << verified->problem;
  EXPECT_EQ(verified->rows, 1);
}

// What a second makegoodd on the same file runs into: the store's lock.
TEST(SqliteStoreLockTest, ASecondOpenOfTheFileIsRefusedUntilTheFirstShutsDown) {
  makegood::testing::TempDir dir;
  const std::string path = dir.File("s.db");
  const std::string pid_line = absl::StrCat(getpid(), "\n");
  auto first = SqliteStore::Open({.path = path});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(ReadFileOrEmpty(path + ".lock"), pid_line);

  auto second = SqliteStore::Open({.path = path});
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(second.status().message()),
              HasSubstr(absl::StrCat("another makegoodd (pid ", getpid(),
                                     ") is using ", path)));
  EXPECT_THAT(std::string(second.status().message()), HasSubstr("s.db.lock"));
  // Another spelling of the same file is the same lock.
  EXPECT_EQ(SqliteStore::Open({.path = dir.File("./s.db")}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // The refusals changed nothing: the holder's pid is still there, and the
  // first store still writes.
  EXPECT_EQ(ReadFileOrEmpty(path + ".lock"), pid_line);
  EXPECT_TRUE((*first)->CleanUpExpired().ok());
  // Another database in the same directory has a lock of its own.
  auto other = SqliteStore::Open({.path = dir.File("other.db")});
  EXPECT_TRUE(other.ok()) << other.status();
  // A read-only connection, as `makegood ledger verify` opens the file, does
  // not ask for the lock.
  auto reader = Connection::OpenReadOnly(path, /*immutable=*/false);
  EXPECT_TRUE(reader.ok()) << reader.status();

  (*first)->Shutdown();
  EXPECT_EQ(ReadFileOrEmpty(path + ".lock"), "");
  auto again = SqliteStore::Open({.path = path});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(ReadFileOrEmpty(path + ".lock"), pid_line);
}

TEST(SqliteStoreLockTest, ALockFileLeftByACrashBlocksNothing) {
  makegood::testing::TempDir dir;
  const std::string path = dir.File("s.db");
  // The lock dies with its process; the file and its pid stay behind.
  std::ofstream(path + ".lock") << "99999999\n";
  auto store = SqliteStore::Open({.path = path});
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(ReadFileOrEmpty(path + ".lock"), absl::StrCat(getpid(), "\n"));
}

TEST(SqliteStoreMaintenanceTest,
     AFailingCleanupIsLoggedOnceAndItsRecoveryOnce) {
  makegood::testing::TempDir dir;
  LogLines log;
  SqliteStoreOptions options;
  options.path = dir.File("s.db");
  // The maintenance thread's own passes stay out of the way (the first
  // would come after an hour); the test runs the cleanups itself.
  options.checkpoint_interval = absl::Hours(1);
  options.cleanup_interval = absl::Hours(1);
  options.log = log.Callback();
  auto store = SqliteStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->CleanUpExpired().ok());
  EXPECT_TRUE(log.lines().empty());

  // The table the cleanup deletes from goes away: every pass fails, and
  // only the first is logged.
  auto other = Connection::Open(options.path, /*read_only=*/false);
  ASSERT_TRUE(other.ok()) << other.status();
  ASSERT_TRUE(
      (*other)
          ->Exec("ALTER TABLE guest_contacts RENAME TO guest_contacts_away")
          .ok());
  for (int pass = 0; pass < 3; ++pass) {
    EXPECT_EQ((*store)->CleanUpExpired().code(), absl::StatusCode::kInternal);
  }
  std::vector<std::string> lines = log.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0],
              HasSubstr("maintenance: cleanup of expired records failed"));
  EXPECT_THAT(lines[0], HasSubstr("INTERNAL"));
  EXPECT_THAT(lines[0], HasSubstr("no such table: guest_contacts"));

  // Back: the next pass works, and that is logged once.
  ASSERT_TRUE(
      (*other)
          ->Exec("ALTER TABLE guest_contacts_away RENAME TO guest_contacts")
          .ok());
  EXPECT_TRUE((*store)->CleanUpExpired().ok());
  EXPECT_TRUE((*store)->CleanUpExpired().ok());
  lines = log.lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1], "maintenance ok again: cleanup of expired records");

  // Refused after Shutdown: the store closing, not a maintenance error.
  (*store)->Shutdown();
  EXPECT_EQ((*store)->CleanUpExpired().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(log.lines().size(), 2u);
}

}  // namespace
}  // namespace makegood::store
