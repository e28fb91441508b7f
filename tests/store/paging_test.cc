// The unbounded reads come in pages: unacknowledged commands (read at start
// by the dispatcher) and due follow-ups (ReportService.ListFollowUps). More
// rows than one page, all flagged at the same instant, so that the pages
// also split ties (same time, ordered by id) without losing or repeating a
// row.

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "core/clock.h"
#include "core/proto_time.h"
#include "core/recovery_rules.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "store/page_token.h"
#include "store/sqlite_store.h"
#include "support/sample_events.h"
#include "support/temp_dir.h"

namespace makegood::store {
namespace {

using makegood::testing::CheckOpened;
using makegood::testing::ItemAdded;
using makegood::testing::kLocation;
using ::testing::ElementsAreArray;

constexpr char kConfig[] = R"pb(
  location { id: "downtown-01" currency: "USD" timezone: "America/New_York" }
  categories { id: "quality" label: "Quality" }
  remedies { id: "refire" kind: REMAKE }
  policy { offer: "refire" }
  follow_up { after_days: 7 contact_retention_days: 30 }
  recurring { count: 3 window_minutes: 90 }
)pb";

constexpr int kGuests = 5;

class PagingTest : public ::testing::Test {
 protected:
  // kGuests consenting guests flagged on check c1 at `then_`: as many
  // follow-ups, due at the same time, and follow-up commands, created at
  // the same time.
  void SetUp() override {
    ASSERT_TRUE(
        google::protobuf::TextFormat::ParseFromString(kConfig, &config_));
    auto rules = core::RecoveryRules::Compile(config_);
    ASSERT_TRUE(rules.ok()) << rules.status();
    rules_.emplace(*std::move(rules));
    SqliteStoreOptions options;
    options.path = dir_.File("s.db");
    options.clock = &clock_;
    auto store = SqliteStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    ASSERT_TRUE(store_->RegisterLocation(config_.location()).ok());
    ASSERT_TRUE(AppendEventsAndWait(*store_,
                                    {CheckOpened("e1", "c1", then_),
                                     ItemAdded("e2", "c1", "1", then_)},
                                    then_)
                    .ok());
    for (int i = 0; i < kGuests; ++i) {
      makegood::v1::FlagProblemRequest request;
      request.set_request_id(absl::StrCat("r", i));
      request.set_check_id("c1");
      request.add_line_ids("1");
      request.set_category_id("quality");
      request.set_severity(makegood::v1::MINOR);
      request.set_new_problem(true);
      request.mutable_guest_contact()->set_email(
          absl::StrCat("guest", i, "@example.com"));
      request.mutable_guest_contact()->set_follow_up_consent(true);
      absl::Notification flagged;
      store_->FlagProblem(
          RecoveryCall{"s-17", makegood::v1::SERVER, then_, &*rules_}, request,
          [&](absl::StatusOr<RecoveryResult> result) {
            EXPECT_TRUE(result.ok()) << result.status();
            if (result.ok()) case_ids_.push_back(result->recovery.case_id());
            flagged.Notify();
          });
      flagged.WaitForNotification();
    }
    std::sort(case_ids_.begin(), case_ids_.end());
  }

  void TearDown() override {
    if (store_ != nullptr) store_->Shutdown();
  }

  makegood::testing::TempDir dir_;
  const absl::Time then_ = absl::FromUnixSeconds(1795000000);
  core::FakeClock clock_{then_ + absl::Hours(24 * 8)};  // All are due.
  makegood::v1::Config config_;
  std::optional<core::RecoveryRules> rules_;
  std::unique_ptr<SqliteStore> store_;
  std::vector<std::string> case_ids_;  // Sorted.
};

TEST_F(PagingTest, DueFollowUpsComeInPagesSoonestFirstEachOnce) {
  FollowUpQuery query{.due_by = clock_.Now(), .page_size = 2};
  std::vector<std::string> seen;
  std::vector<size_t> page_sizes;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = store_->DueFollowUps(kLocation, query, clock_.Now());
    ASSERT_TRUE(page.ok()) << page.status();
    page_sizes.push_back(page->follow_ups.size());
    for (const auto& follow_up : page->follow_ups) {
      seen.push_back(follow_up.case_id());
      EXPECT_TRUE(follow_up.has_contact()) << follow_up.case_id();
    }
    if (page->next_page_token.empty()) break;
    query.page_token = page->next_page_token;
  }
  // Due at the same time: in case id order, across the page boundaries.
  EXPECT_THAT(seen, ElementsAreArray(case_ids_));
  EXPECT_THAT(page_sizes, ElementsAreArray({2u, 2u, 1u}));

  // One page holding them all has no next page.
  auto all = store_->DueFollowUps(
      kLocation, {.due_by = clock_.Now(), .page_size = kGuests}, clock_.Now());
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->follow_ups.size(), static_cast<size_t>(kGuests));
  EXPECT_TRUE(all->next_page_token.empty());
}

TEST_F(PagingTest, ABadFollowUpPageIsRefused) {
  auto token = store_->DueFollowUps(
      kLocation, {.due_by = clock_.Now(), .page_token = "not-a-token"},
      clock_.Now());
  EXPECT_EQ(token.status().code(), absl::StatusCode::kInvalidArgument);
  auto size = store_->DueFollowUps(
      kLocation, {.due_by = clock_.Now(), .page_size = 0}, clock_.Now());
  EXPECT_EQ(size.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(size.status().message()),
              ::testing::HasSubstr("page_size"));
}

TEST_F(PagingTest, UnackedCommandsComeInPagesOldestFirstEachOnce) {
  CommandPageQuery query{.limit = 2};
  std::vector<std::string> seen;
  std::vector<bool> more;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = store_->UnackedCommands(kLocation, query);
    ASSERT_TRUE(page.ok()) << page.status();
    ASSERT_FALSE(page->commands.empty());
    more.push_back(page->more);
    for (const auto& command : page->commands) {
      seen.push_back(command.command_id());
      EXPECT_EQ(command.delivery_attempt(), 1);
      // Contacts are attached to every page's follow-up commands.
      EXPECT_TRUE(command.guest_follow_up().has_contact());
    }
    if (!page->more) break;
    // The next page starts after this page's last command.
    const auto& last = page->commands.back();
    query.after_created_us = core::ToUnixMicros(last.created_at());
    query.after_command_id = last.command_id();
  }
  EXPECT_THAT(more, ElementsAreArray({true, true, false}));
  ASSERT_EQ(seen.size(), static_cast<size_t>(kGuests));
  std::vector<std::string> sorted = seen;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(seen, sorted);  // Same created_at: command id order.
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(),
            static_cast<size_t>(kGuests));

  auto refused = store_->UnackedCommands(kLocation, {.limit = 0});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
}

// A page's own token, its time spelt another way: the same number, but no
// token a page gave out.
TEST_F(PagingTest, AFollowUpPageTokenSpeltAnotherWayIsRefused) {
  auto first = store_->DueFollowUps(
      kLocation, {.due_by = clock_.Now(), .page_size = 2}, clock_.Now());
  ASSERT_TRUE(first.ok()) << first.status();
  const std::string token = first->next_page_token;
  ASSERT_FALSE(token.empty());
  auto next = store_->DueFollowUps(
      kLocation, {.due_by = clock_.Now(), .page_size = 2, .page_token = token},
      clock_.Now());
  ASSERT_TRUE(next.ok()) << next.status();
  for (const std::string& respelt : {"+" + token, "0" + token, " " + token}) {
    auto page = store_->DueFollowUps(
        kLocation,
        {.due_by = clock_.Now(), .page_size = 2, .page_token = respelt},
        clock_.Now());
    EXPECT_EQ(page.status().code(), absl::StatusCode::kInvalidArgument)
        << "'" << respelt << "'";
    EXPECT_THAT(std::string(page.status().message()),
                ::testing::HasSubstr("page_token"))
        << "'" << respelt << "'";
  }
}

TEST(PageTokenTest, TakesExactlyWhatFormatPageTokenWrites) {
  for (const auto& [at_us, id] : std::vector<std::pair<int64_t, std::string>>{
           {0, "RC-1"},
           {1763665200000000, "RC-7KQM2X9"},
           {-1, "id:with:colons"},
           {INT64_MAX, "a"},
           {INT64_MIN, "a"}}) {
    const std::string token = FormatPageToken(at_us, id);
    auto parsed = ParsePageToken(token);
    ASSERT_TRUE(parsed.ok()) << token << ": " << parsed.status();
    EXPECT_EQ(parsed->at_us, at_us) << token;
    EXPECT_EQ(parsed->id, id) << token;
  }
  auto first = ParsePageToken("");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->at_us, INT64_MAX);
  EXPECT_EQ(first->id, "");
}

TEST(PageTokenTest, RefusesEveryOtherSpellingNamingPageToken) {
  for (const char* token :
       {"+5:x", " 5:x", "5 :x", "05:x", "00:x", "-0:x", "-05:x", "0x5:x",
        "5.0:x", "9223372036854775808:x", "-9223372036854775809:x", ":x",
        "5:", "5", "nonsense", "RC-1:1763665200000000"}) {
    auto parsed = ParsePageToken(token);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument)
        << "'" << token << "'";
    EXPECT_THAT(std::string(parsed.status().message()),
                ::testing::HasSubstr("page_token"))
        << "'" << token << "'";
  }
}

}  // namespace
}  // namespace makegood::store
