// Guest contact details are deleted after the configured retention, while
// the follow-up itself stays listed.

#include "absl/synchronization/notification.h"
#include "core/clock.h"
#include "core/recovery_rules.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "store/sqlite_store.h"
#include "support/sample_events.h"
#include "support/temp_dir.h"

namespace makegood::store {
namespace {

using makegood::testing::CheckOpened;
using makegood::testing::ItemAdded;
using makegood::testing::kLocation;

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

}  // namespace
}  // namespace makegood::store
