#include "store/sqlite_store.h"

#include <unistd.h>

#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "core/clock.h"
#include "core/discount_code.h"
#include "core/proto_time.h"
#include "core/recovery_rules.h"
#include "core/refusal.h"
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
using ::testing::ElementsAre;
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

// The line `line_id` of `check`, or a failure.
const makegood::v1::LineItem* LineOf(const makegood::v1::Check& check,
                                     const std::string& line_id) {
  for (const auto& item : check.items()) {
    if (item.line_id() == line_id) return &item;
  }
  ADD_FAILURE() << "check " << check.check_id() << " has no line " << line_id;
  return nullptr;
}

OrderEvent Voided(const std::string& event_id, const std::string& line,
                  absl::Time at, const std::string& reason) {
  OrderEvent voided = BaseEvent(event_id, "c1", at);
  voided.mutable_item_voided()->set_line_id(line);
  voided.mutable_item_voided()->set_reason(reason);
  return voided;
}

// A discount on `line` ("" for the whole check) of check c1.
OrderEvent Discounted(const std::string& event_id, const std::string& line,
                      int64_t amount, makegood::v1::EventOrigin origin,
                      const std::string& command_id = "") {
  OrderEvent discount = BaseEvent(event_id, "c1", kT0 + absl::Minutes(10));
  discount.set_origin(origin);
  discount.set_command_id(command_id);
  discount.mutable_item_discounted()->set_line_id(line);
  discount.mutable_item_discounted()->mutable_amount()->set_minor_units(amount);
  return discount;
}

TEST_F(SqliteStoreTest, AVoidOrDiscountBeforeItsItemMakesALineTheItemFillsIn) {
  // Line 2 voided twice, the later void first; line 3 discounted; neither
  // added yet.
  Append({Voided("e1", "2", kT0 + absl::Minutes(9), "rang in twice"),
          Voided("e2", "2", kT0 + absl::Minutes(5), ""),
          Discounted("e3", "3", 500, makegood::v1::ORIGIN_POS)});
  auto partial = store_->GetCheck(kLocation, "c1");
  ASSERT_TRUE(partial.ok()) << partial.status();
  const auto* voided = LineOf(*partial, "2");
  ASSERT_NE(voided, nullptr);
  EXPECT_EQ(voided->state(), makegood::v1::VOIDED);
  // The earliest void's time, the first reason given.
  EXPECT_EQ(core::FromProto(voided->voided_at()), kT0 + absl::Minutes(5));
  EXPECT_EQ(voided->void_reason(), "rang in twice");
  EXPECT_EQ(voided->name(), "");
  EXPECT_FALSE(voided->has_unit_price());
  const auto* discounted = LineOf(*partial, "3");
  ASSERT_NE(discounted, nullptr);
  EXPECT_EQ(discounted->state(), makegood::v1::ORDERED);
  EXPECT_FALSE(discounted->has_ordered_at());
  EXPECT_EQ(discounted->pos_discounts().minor_units(), 500);

  // The items arrive, line 2 with its seat; line 3 is discounted again.
  OrderEvent seated = ItemAdded("e4", "c1", "2", kT0, 1500);
  seated.mutable_item_added()->set_seat(3);
  Append({seated, ItemAdded("e5", "c1", "3", kT0 + absl::Minutes(1), 2000),
          Discounted("e6", "3", 200, makegood::v1::ORIGIN_POS)});
  auto check = store_->GetCheck(kLocation, "c1");
  ASSERT_TRUE(check.ok()) << check.status();
  voided = LineOf(*check, "2");
  ASSERT_NE(voided, nullptr);
  EXPECT_EQ(voided->state(), makegood::v1::VOIDED);  // Still voided.
  EXPECT_EQ(voided->name(), "Ribeye 12oz");
  EXPECT_EQ(voided->unit_price().minor_units(), 1500);
  EXPECT_EQ(voided->seat(), 3);
  EXPECT_EQ(core::FromProto(voided->voided_at()), kT0 + absl::Minutes(5));
  discounted = LineOf(*check, "3");
  ASSERT_NE(discounted, nullptr);
  EXPECT_EQ(discounted->unit_price().minor_units(), 2000);
  EXPECT_EQ(discounted->pos_discounts().minor_units(), 700);
  EXPECT_EQ(core::FromProto(discounted->ordered_at()), kT0 + absl::Minutes(1));
  EXPECT_EQ(check->subtotal().minor_units(), 2000);  // Line 2 is out.
  EXPECT_EQ(check->pos_discounts().minor_units(), 700);
}

TEST_F(SqliteStoreTest, PaymentsAndClosingKeepTheEarliestTimesInAnyOrder) {
  OrderEvent paid_late = BaseEvent("e1", "c1", kT0 + absl::Minutes(50));
  paid_late.mutable_check_paid()->mutable_total()->set_minor_units(3000);
  paid_late.mutable_check_paid()->mutable_tip()->set_minor_units(400);
  OrderEvent closed_late = BaseEvent("e2", "c1", kT0 + absl::Minutes(60));
  closed_late.mutable_check_closed();
  Append({closed_late, paid_late});
  auto first = store_->GetCheck(kLocation, "c1");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->state(), makegood::v1::Check::CLOSED);
  EXPECT_EQ(core::FromProto(first->first_event_at()), kT0 + absl::Minutes(50));

  // A split payment and a closing that happened earlier arrive now.
  OrderEvent paid_early = BaseEvent("e3", "c1", kT0 + absl::Minutes(40));
  paid_early.mutable_check_paid()->mutable_total()->set_minor_units(1000);
  OrderEvent closed_early = BaseEvent("e4", "c1", kT0 + absl::Minutes(55));
  closed_early.mutable_check_closed();
  Append({paid_early, closed_early});
  auto check = store_->GetCheck(kLocation, "c1");
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_EQ(check->state(), makegood::v1::Check::CLOSED);
  EXPECT_EQ(core::FromProto(check->paid_at()), kT0 + absl::Minutes(40));
  EXPECT_EQ(core::FromProto(check->closed_at()), kT0 + absl::Minutes(55));
  EXPECT_EQ(core::FromProto(check->first_event_at()), kT0 + absl::Minutes(40));
  EXPECT_EQ(check->paid_total().minor_units(), 4000);
  EXPECT_EQ(check->tip().minor_units(), 400);
}

TEST_F(SqliteStoreTest, ALateCheckOpenedFillsInTheCheckButDoesNotReopenIt) {
  OrderEvent closed = BaseEvent("e1", "c1", kT0 + absl::Minutes(60));
  closed.mutable_check_closed();
  Append({closed});
  auto bare = store_->GetCheck(kLocation, "c1");
  ASSERT_TRUE(bare.ok()) << bare.status();
  EXPECT_EQ(bare->table(), "");
  EXPECT_FALSE(bare->has_opened_at());

  OrderEvent opened = CheckOpened("e2", "c1", kT0, "7");
  opened.mutable_check_opened()->set_guest_id("G-1");
  // Another opening that says nothing new: no table, covers, server or
  // guest.
  OrderEvent empty = BaseEvent("e3", "c1", kT0 + absl::Minutes(1));
  empty.mutable_check_opened();
  Append({opened, empty});
  auto check = store_->GetCheck(kLocation, "c1");
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_EQ(check->state(), makegood::v1::Check::CLOSED);
  EXPECT_EQ(check->table(), "7");
  EXPECT_EQ(check->guest_count(), 2);
  EXPECT_EQ(check->server_id(), "s-17");
  EXPECT_EQ(check->guest_id(), "G-1");
  EXPECT_EQ(core::FromProto(check->opened_at()), kT0);
  EXPECT_EQ(core::FromProto(check->first_event_at()), kT0);
  EXPECT_EQ(core::FromProto(check->closed_at()), kT0 + absl::Minutes(60));
}

TEST_F(SqliteStoreTest, AMakegoodDiscountNamingNoCommandOfTheCheckCounts) {
  // Origin MAKEGOOD names a command no case of this check has: it counts
  // as a POS discount, on a line and on the check, like an explicit POS
  // one, so that no discount hides from the loss-prevention report.
  Append({ItemAdded("e1", "c1", "1", kT0),
          Discounted("e2", "1", 500, makegood::v1::ORIGIN_MAKEGOOD, "CMD-x"),
          Discounted("e3", "", 300, makegood::v1::ORIGIN_MAKEGOOD, "CMD-x"),
          Discounted("e4", "1", 100, makegood::v1::ORIGIN_POS)});
  auto check = store_->GetCheck(kLocation, "c1");
  ASSERT_TRUE(check.ok()) << check.status();
  ASSERT_EQ(check->items_size(), 1);
  EXPECT_EQ(check->items(0).pos_discounts().minor_units(), 600);
  EXPECT_EQ(check->pos_discounts().minor_units(), 900);
}

TEST_F(SqliteStoreTest, APageSizeOutsideOneToAThousandIsRefused) {
  Append({CheckOpened("e1", "c1", kT0)});
  for (int size : {0, 1001}) {
    CheckListQuery query;
    query.page_size = size;
    auto page = store_->ListChecks(kLocation, query);
    EXPECT_EQ(page.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(page.status().message(),
              absl::StrCat("page_size: must be 1 to 1000, got ", size));
  }
  for (int size : {1, 1000}) {
    CheckListQuery query;
    query.page_size = size;
    auto page = store_->ListChecks(kLocation, query);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_EQ(page->checks.size(), 1u);
  }
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
  remedies {
    id: "next_visit"
    kind: DISCOUNT_CODE
    amount: "10.00"
    expires_after_days: 30
  }
  policy { offer: "refire" extra: "next_visit" }
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

  // `submit`'s result, once the store has called back.
  template <typename Result, typename Submit>
  static absl::StatusOr<Result> Await(Submit submit) {
    absl::StatusOr<Result> out;
    absl::Notification done;
    submit([&](absl::StatusOr<Result> result) {
      out = std::move(result);
      done.Notify();
    });
    done.WaitForNotification();
    return out;
  }

  RecoveryCall CallAs(const std::string& actor, makegood::v1::Role role,
                      const core::RecoveryRules* rules = nullptr) const {
    RecoveryCall call;
    call.actor_id = actor;
    call.actor_role = role;
    call.now = clock_.Now();
    call.rules = rules != nullptr ? rules : rules_.get();
    return call;
  }

  // A case of its own (new_problem) on line 1 of `check`, the guest
  // consenting to a follow-up.
  absl::StatusOr<RecoveryResult> FlagNew(
      const std::string& request_id, const std::string& check = "c1",
      const std::string& category = "quality") {
    makegood::v1::FlagProblemRequest request;
    request.set_request_id(request_id);
    request.set_check_id(check);
    request.add_line_ids("1");
    request.set_category_id(category);
    request.set_severity(makegood::v1::MINOR);
    request.set_new_problem(true);
    request.mutable_guest_contact()->set_email("ana@example.com");
    request.mutable_guest_contact()->set_follow_up_consent(true);
    return Await<RecoveryResult>([&](RecoveryDone done) {
      store_->FlagProblem(CallAs("s-17", makegood::v1::SERVER), request,
                          std::move(done));
    });
  }

  // `option` ("o1", the refire) and `extra` ("x1", the next-visit code),
  // by an ADMIN, whom no limit binds here.
  absl::StatusOr<RecoveryResult> Apply(const std::string& request_id,
                                       const std::string& case_id,
                                       const std::string& option,
                                       const std::string& extra = "") {
    makegood::v1::ApplyRemedyRequest request;
    request.set_request_id(request_id);
    request.set_case_id(case_id);
    request.set_option_id(option);
    if (!extra.empty()) request.add_extra_option_ids(extra);
    return Await<RecoveryResult>([&](RecoveryDone done) {
      store_->ApplyRemedy(CallAs("a-1", makegood::v1::ADMIN), request,
                          std::move(done));
    });
  }

  // The code a new case on c1 was given (as its extra), with the remedy.
  std::optional<makegood::v1::AppliedRemedy> GiveCode(
      const std::string& request_id) {
    auto flagged = FlagNew("flag-" + request_id);
    EXPECT_TRUE(flagged.ok()) << flagged.status();
    if (!flagged.ok()) return std::nullopt;
    auto given = Apply(request_id, flagged->recovery.case_id(), "o1", "x1");
    EXPECT_TRUE(given.ok()) << given.status();
    if (!given.ok()) return std::nullopt;
    for (const auto& remedy : given->recovery.remedies()) {
      if (remedy.kind() == makegood::v1::DISCOUNT_CODE) return remedy;
    }
    ADD_FAILURE() << "no code given: " << given->recovery.ShortDebugString();
    return std::nullopt;
  }

  // Each event's outcome: "accepted", "duplicate", or "rejected", its id,
  // reason and message.
  std::vector<std::string> AppendNow(std::vector<OrderEvent> events) {
    auto results = AppendEventsAndWait(*store_, std::move(events), kStart);
    EXPECT_TRUE(results.ok()) << results.status();
    std::vector<std::string> outcomes;
    if (!results.ok()) return outcomes;
    for (const EventResult& result : *results) {
      switch (result.outcome) {
        case EventOutcome::kAccepted:
          outcomes.push_back("accepted");
          break;
        case EventOutcome::kDuplicate:
          outcomes.push_back("duplicate");
          break;
        case EventOutcome::kRejected:
          outcomes.push_back(absl::StrCat(
              "rejected ", result.event_id, " ",
              makegood::v1::Error::Reason_Name(result.error_reason), ": ",
              result.reason));
          break;
      }
    }
    return outcomes;
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

// A discount makegood's adapter wrote to the POS for `command`.
OrderEvent MakegoodDiscount(const std::string& event_id,
                            const std::string& check,
                            const std::string& command, int64_t amount) {
  OrderEvent discount = BaseEvent(event_id, check, kStart + absl::Minutes(10));
  discount.set_origin(makegood::v1::ORIGIN_MAKEGOOD);
  discount.set_command_id(command);
  discount.mutable_item_discounted()->set_line_id("1");
  discount.mutable_item_discounted()->mutable_amount()->set_minor_units(amount);
  return discount;
}

OrderEvent Redeemed(const std::string& event_id, const std::string& check,
                    const std::string& code, absl::Time at) {
  OrderEvent redeemed = BaseEvent(event_id, check, at);
  redeemed.mutable_discount_code_redeemed()->set_code(code);
  redeemed.mutable_discount_code_redeemed()->mutable_amount()->set_minor_units(
      1000);
  return redeemed;
}

TEST_F(StoreClockTest, AMakegoodDiscountConfirmsOnlyARemedyOfItsOwnCheck) {
  auto flagged = FlagNew("r1");
  ASSERT_TRUE(flagged.ok()) << flagged.status();
  auto refire = Apply("a1", flagged->recovery.case_id(), "o1");
  ASSERT_TRUE(refire.ok()) << refire.status();
  ASSERT_EQ(refire->commands.size(), 1u);
  const std::string command = refire->commands[0].command_id();

  // The refire's own discount on c1 confirms it and adds nothing; the same
  // command named on c2, whose case it is not, is a POS discount there.
  const OrderEvent confirm = MakegoodDiscount("m1", "c1", command, 4200);
  EXPECT_THAT(AppendNow({CheckOpened("e3", "c2", kStart),
                         ItemAdded("e4", "c2", "1", kStart), confirm,
                         MakegoodDiscount("m2", "c2", command, 1000)}),
              ElementsAre("accepted", "accepted", "accepted", "accepted"));
  auto c1 = store_->GetCheck(kLocation, "c1");
  ASSERT_TRUE(c1.ok()) << c1.status();
  EXPECT_EQ(c1->items(0).pos_discounts().minor_units(), 0);
  EXPECT_EQ(c1->pos_discounts().minor_units(), 0);
  auto c2 = store_->GetCheck(kLocation, "c2");
  ASSERT_TRUE(c2.ok()) << c2.status();
  EXPECT_EQ(c2->items(0).pos_discounts().minor_units(), 1000);
  // The confirmation is stored all the same.
  EXPECT_THAT(AppendNow({confirm}), ElementsAre("duplicate"));
}

TEST_F(StoreClockTest, ACodeIsRedeemedOnceWhereIssuedAndARefusalStoresNothing) {
  const auto remedy = GiveCode("a1");
  ASSERT_TRUE(remedy.has_value());
  const std::string code = remedy->discount_code();
  std::string mistyped = code;
  mistyped[0] = mistyped[0] == '2' ? '3' : '2';  // The check symbol fails.
  // Well formed, never issued.
  const std::string foreign = core::NewDiscountCode(
      [](uint8_t* out, size_t size) { std::memset(out, 7, size); });
  const absl::Time at = kStart + absl::Hours(1);
  OrderEvent elsewhere = Redeemed("r-elsewhere", "c9", code, at);
  elsewhere.set_location_id("uptown-02");
  // As a guest might type it.
  const std::string typed =
      absl::AsciiStrToLower(absl::StrReplaceAll(code, {{"-", ""}}));
  EXPECT_THAT(
      AppendNow({Redeemed("r-mistyped", "c9", mistyped, at),
                 Redeemed("r-foreign", "c9", foreign, at), elsewhere,
                 Redeemed("r-ok", "c9", typed, at),
                 Redeemed("r-ok", "c9", typed, at),
                 Redeemed("r-again", "c10", code, at + absl::Minutes(5))}),
      ElementsAre(
          absl::StrCat("rejected r-mistyped UNKNOWN_CODE: "
                       "discount_code_redeemed.code: '",
                       mistyped, "' is not a makegood code (mistyped?)"),
          absl::StrCat("rejected r-foreign UNKNOWN_CODE: discount code ",
                       foreign, " was not issued at this location"),
          absl::StrCat("rejected r-elsewhere UNKNOWN_CODE: discount code ",
                       code, " was not issued at this location"),
          "accepted", "duplicate",
          absl::StrCat("rejected r-again CODE_ALREADY_REDEEMED: discount code ",
                       code,
                       " already redeemed at 2001-03-09 20:00:00 UTC on check "
                       "c9")));

  // The redemption is on the code; nothing of a refused one is stored,
  // not even its check.
  EXPECT_EQ(makegood::testing::QueryText(
                db_path(), "SELECT redeemed_check_id FROM discount_codes"),
            "c9");
  EXPECT_EQ(makegood::testing::QueryInt(
                db_path(), "SELECT redeemed_amount_minor FROM discount_codes"),
            1000);
  EXPECT_EQ(makegood::testing::QueryInt(
                db_path(),
                "SELECT count(*) FROM order_events WHERE event_id IN "
                "('r-mistyped', 'r-foreign', 'r-elsewhere', 'r-again')"),
            0);
  EXPECT_EQ(store_->GetCheck(kLocation, "c10").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetCheck("uptown-02", "c9").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(StoreClockTest, ACodeIsRefusedFromTheMomentItExpires) {
  const auto remedy = GiveCode("a1");
  ASSERT_TRUE(remedy.has_value());
  const absl::Time expires = core::FromProto(remedy->code_expires_at());
  EXPECT_EQ(expires, kStart + absl::Hours(24 * 30));
  EXPECT_THAT(
      AppendNow({Redeemed("late", "c9", remedy->discount_code(), expires),
                 Redeemed("in-time", "c9", remedy->discount_code(),
                          expires - absl::Seconds(1))}),
      ElementsAre(absl::StrCat("rejected late CODE_EXPIRED: discount code ",
                               remedy->discount_code(),
                               " expired at 2001-04-08 19:00:00 UTC"),
                  "accepted"));
}

TEST_F(StoreClockTest,
       RequestsNamingWhatIsNotStoredAreNotFoundAndStoreNothing) {
  // A command of this location: the follow-up a consenting guest gets.
  auto flagged = FlagNew("f1");
  ASSERT_TRUE(flagged.ok()) << flagged.status();
  ASSERT_EQ(flagged->commands.size(), 1u);
  const std::string command = flagged->commands[0].command_id();
  const int64_t cases = Count("cases");
  const int64_t ledger = Count("ledger");
  const int64_t answers = Count("idempotency");

  auto unknown_check = FlagNew("f2", "c-nope");
  EXPECT_EQ(unknown_check.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(core::ReasonOf(unknown_check.status()),
            makegood::v1::Error::UNKNOWN_CHECK);
  EXPECT_THAT(std::string(unknown_check.status().message()),
              HasSubstr("check 'c-nope' is not known"));

  auto unknown_category = FlagNew("f3", "c1", "nope");
  EXPECT_EQ(unknown_category.status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(core::ReasonOf(unknown_category.status()),
            makegood::v1::Error::UNKNOWN_CATEGORY);
  EXPECT_EQ(unknown_category.status().message(),
            "category_id: 'nope' is not configured");

  auto unknown_case = Apply("a1", "RC-nope", "o1");
  EXPECT_EQ(unknown_case.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(core::ReasonOf(unknown_case.status()),
            makegood::v1::Error::UNKNOWN_CASE);
  EXPECT_EQ(unknown_case.status().message(),
            "case_id: no recovery case 'RC-nope'");

  // The command acknowledged under another location's rules is not that
  // location's: unknown, as one that does not exist at all.
  makegood::v1::Config uptown_config;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(kRecoveryConfig,
                                                            &uptown_config));
  uptown_config.mutable_location()->set_id("uptown-02");
  auto uptown = core::RecoveryRules::Compile(uptown_config);
  ASSERT_TRUE(uptown.ok()) << uptown.status();
  for (const auto& [id, rules] :
       {std::pair<std::string, const core::RecoveryRules*>{command, &*uptown},
        std::pair<std::string, const core::RecoveryRules*>{"CMD-nope",
                                                           rules_.get()}}) {
    makegood::v1::AckCommandRequest ack;
    ack.set_request_id("ack-" + id);
    ack.set_command_id(id);
    ack.set_result(makegood::v1::AckCommandRequest::APPLIED);
    const RecoveryCall call = CallAs("adapter-1", makegood::v1::ADAPTER, rules);
    auto acked = Await<AckResult>(
        [&](AckDone done) { store_->AckCommand(call, ack, std::move(done)); });
    EXPECT_EQ(acked.status().code(), absl::StatusCode::kNotFound) << id;
    EXPECT_EQ(core::ReasonOf(acked.status()),
              makegood::v1::Error::UNKNOWN_COMMAND);
    EXPECT_EQ(acked.status().message(),
              absl::StrCat("command_id: no command '", id, "'"));
  }

  EXPECT_EQ(Count("cases"), cases);
  EXPECT_EQ(Count("ledger"), ledger);
  EXPECT_EQ(Count("idempotency"), answers);
  auto unacked = store_->UnackedCommands(kLocation, {});
  ASSERT_TRUE(unacked.ok()) << unacked.status();
  ASSERT_EQ(unacked->commands.size(), 1u);
  EXPECT_EQ(unacked->commands[0].command_id(), command);
}

TEST_F(StoreClockTest, RecoveriesComeInPagesNewestFirstContactOnlyWhenAsked) {
  std::vector<std::string> newest_first;
  for (int i = 0; i < 3; ++i) {
    auto flagged = FlagNew(absl::StrCat("f", i));
    ASSERT_TRUE(flagged.ok()) << flagged.status();
    newest_first.insert(newest_first.begin(), flagged->recovery.case_id());
    clock_.Advance(absl::Minutes(1));
  }
  std::vector<std::string> seen;
  RecoveryListQuery query;
  query.page_size = 2;
  int pages = 0;
  for (;;) {
    auto page = store_->ListRecoveries(kLocation, query);
    ASSERT_TRUE(page.ok()) << page.status();
    ++pages;
    for (const auto& recovery : page->cases) {
      seen.push_back(recovery.case_id());
      EXPECT_TRUE(recovery.contact_on_file());
      EXPECT_FALSE(recovery.has_guest_contact());
    }
    if (page->next_page_token.empty()) break;
    query.page_token = page->next_page_token;
  }
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(seen, newest_first);

  RecoveryListQuery with_contact;
  with_contact.with_contact = true;
  auto shown = store_->ListRecoveries(kLocation, with_contact);
  ASSERT_TRUE(shown.ok()) << shown.status();
  ASSERT_EQ(shown->cases.size(), 3u);
  for (const auto& recovery : shown->cases) {
    EXPECT_EQ(recovery.guest_contact().email(), "ana@example.com");
  }

  for (int size : {0, 1001}) {
    RecoveryListQuery bad;
    bad.page_size = size;
    auto page = store_->ListRecoveries(kLocation, bad);
    EXPECT_EQ(page.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(page.status().message(),
              absl::StrCat("page_size: must be 1 to 1000, got ", size));
  }
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
