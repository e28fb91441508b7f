// The rows the reports are built from (store/report_queries.h), read from
// days written through the store's own write path: a day's cases with
// their flagged lines, its sales, the codes redeemed in it with their
// cases, its follow-ups due and done, and the returns of guests recovered
// before (by guest id, and by their case's code), within the won-back
// horizon only; the cases flagged in a range, oldest first, bounds
// half-open; the staff rows, checks and cases by instant and comps by
// business day. A period without rows, and another location, read
// nothing.

#include <memory>
#include <optional>
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
#include "store/sqlite_store.h"
#include "support/sample_events.h"
#include "support/temp_dir.h"

namespace makegood::store {
namespace {

using makegood::testing::BaseEvent;
using makegood::testing::CheckOpened;
using makegood::testing::ItemAdded;
using makegood::testing::kLocation;
using makegood::v1::OrderEvent;
using makegood::v1::RecoveryCase;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kReportConfig[] = R"pb(
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
  remedies {
    id: "next_visit"
    kind: DISCOUNT_CODE
    amount: "10.00"
    expires_after_days: 120
  }
  policy {
    id: "wrong-item"
    when { category: "wrong_item" }
    offer: "refire"
    offer: "next_visit"
  }
  authority {
    roles { role: SERVER max_per_case: "25.00" }
    roles { role: MANAGER max_per_case: "200.00" }
  }
  follow_up { after_days: 7 contact_retention_days: 30 }
  recurring { count: 3 window_minutes: 90 }
)pb";

constexpr char kNextVisitCodeOption[] = "o2";  // next_visit

// The business days written, and one between them with nothing.
constexpr char kSummerDay[] = "2026-08-01";
constexpr char kFirstDay[] = "2026-11-20";
constexpr char kEmptyDay[] = "2026-11-22";
constexpr char kReturnDay[] = "2026-11-27";

absl::Time Local(int month, int day, int hour, int minute) {
  absl::TimeZone tz;
  absl::LoadTimeZone("America/New_York", &tz);
  return absl::FromCivil(absl::CivilMinute(2026, month, day, hour, minute), tz);
}

std::string TimeText(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M", t, absl::UTCTimeZone());
}

std::vector<std::string> TextOf(const std::vector<report::ReportCase>& cases) {
  std::vector<std::string> text;
  for (const report::ReportCase& c : cases) {
    std::string line =
        absl::StrCat(c.recovery.case_id(), " guest ", c.guest_id);
    for (const report::ReportLine& l : c.lines) {
      absl::StrAppend(&line, " [", l.line_id, " ", l.sku, " ", l.name, " ",
                      l.station, "]");
    }
    text.push_back(std::move(line));
  }
  return text;
}

std::vector<std::string> TextOf(
    const std::vector<report::RedeemedCode>& codes) {
  std::vector<std::string> text;
  for (const report::RedeemedCode& code : codes) {
    text.push_back(absl::StrCat(code.case_id, " ", code.category_id, " on ",
                                code.check_id, " ", code.amount_minor, " at ",
                                TimeText(code.at)));
  }
  return text;
}

std::vector<std::string> TextOf(
    const std::vector<report::ReturnVisit>& returns) {
  std::vector<std::string> text;
  for (const report::ReturnVisit& visit : returns) {
    text.push_back(absl::StrCat(visit.guest_key, " on ", visit.check_id, " at ",
                                TimeText(visit.at), " recovered ",
                                TimeText(visit.recovered_at), " spent ",
                                visit.spent_minor));
  }
  return text;
}

std::vector<std::string> CaseIds(const std::vector<RecoveryCase>& cases) {
  std::vector<std::string> ids;
  for (const RecoveryCase& c : cases) ids.push_back(c.case_id());
  return ids;
}

// Three business days of downtown-01 (times local):
//  - 2026-08-01: guest G-3's check g0 (a burger), flagged at 18:30 (case
//    Z) and given a next-visit code at 18:32.
//  - 2026-11-20: guest G-1's check g1 (a burger 18.00 and fries 15.00),
//    the burger flagged at 18:30 (case X), the guest consenting to a
//    follow-up (due on the 27th at 18:30), and given a next-visit code at
//    18:32; g1 paid 33.00 at 20:00. Check h1 of no known guest, opened at
//    19:00, paid 20.00 at 21:00.
//  - 2026-11-27: G-1 is back: g2 (a steak) opened at 12:00, X's code
//    redeemed on it at 12:30 (10.00), the steak flagged at 12:45 (case Y),
//    g2 paid 40.00 at 13:30. G-3 is back too, 118 days after Z: g3 opened
//    at 13:00, Z's code redeemed on it at 13:10, paid 25.00 at 14:00.
//    G-2's first visit, g4, opened at 14:00, paid 10.00 at 15:00. X's
//    follow-up is done at 19:00.
class ReportQueriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    makegood::v1::Config config;
    ASSERT_TRUE(
        google::protobuf::TextFormat::ParseFromString(kReportConfig, &config));
    auto rules = core::RecoveryRules::Compile(config);
    ASSERT_TRUE(rules.ok()) << rules.status();
    rules_.emplace(*std::move(rules));
    SqliteStoreOptions options;
    options.path = dir_.File("s.db");
    options.clock = &clock_;
    options.checkpoint_interval = absl::Hours(1);
    options.cleanup_interval = absl::Hours(1);
    auto store = SqliteStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    ASSERT_TRUE(store_->RegisterLocation(config.location()).ok());

    ASSERT_NO_FATAL_FAILURE(
        Visit("g0", "G-3", Local(8, 1, 18, 0), "BURGER", "Burger", 1800));
    auto z = Flag("flag-z", "g0", Local(8, 1, 18, 30), /*consent=*/false);
    ASSERT_TRUE(z.ok()) << z.status();
    case_z_ = z->recovery;
    auto code_z = GiveCode("code-z", case_z_.case_id(), Local(8, 1, 18, 32));
    ASSERT_TRUE(code_z.ok()) << code_z.status();

    ASSERT_NO_FATAL_FAILURE(
        Visit("g1", "G-1", Local(11, 20, 18, 0), "BURGER", "Burger", 1800));
    OrderEvent fries = ItemAdded("g1-2", "g1", "2", Local(11, 20, 18, 0), 1500);
    fries.mutable_item_added()->set_sku("FRIES");
    ASSERT_NO_FATAL_FAILURE(Append({fries}));
    auto x = Flag("flag-x", "g1", Local(11, 20, 18, 30), /*consent=*/true);
    ASSERT_TRUE(x.ok()) << x.status();
    case_x_ = x->recovery;
    auto code_x = GiveCode("code-x", case_x_.case_id(), Local(11, 20, 18, 32));
    ASSERT_TRUE(code_x.ok()) << code_x.status();
    ASSERT_NO_FATAL_FAILURE(Append({Paid("g1", Local(11, 20, 20, 0), 3300)}));
    ASSERT_NO_FATAL_FAILURE(
        Visit("h1", "", Local(11, 20, 19, 0), "BURGER", "Burger", 1800));
    ASSERT_NO_FATAL_FAILURE(Append({Paid("h1", Local(11, 20, 21, 0), 2000)}));

    ASSERT_NO_FATAL_FAILURE(
        Visit("g2", "G-1", Local(11, 27, 12, 0), "STEAK", "Steak", 4000));
    ASSERT_NO_FATAL_FAILURE(
        Append({Redeemed("g2", code_x->recovery.remedies(0).discount_code(),
                         Local(11, 27, 12, 30))}));
    auto y = Flag("flag-y", "g2", Local(11, 27, 12, 45), /*consent=*/false);
    ASSERT_TRUE(y.ok()) << y.status();
    case_y_ = y->recovery;
    ASSERT_NO_FATAL_FAILURE(Append({Paid("g2", Local(11, 27, 13, 30), 4000)}));
    ASSERT_NO_FATAL_FAILURE(
        Visit("g3", "G-3", Local(11, 27, 13, 0), "BURGER", "Burger", 2500));
    ASSERT_NO_FATAL_FAILURE(
        Append({Redeemed("g3", code_z->recovery.remedies(0).discount_code(),
                         Local(11, 27, 13, 10))}));
    ASSERT_NO_FATAL_FAILURE(Append({Paid("g3", Local(11, 27, 14, 0), 2500)}));
    ASSERT_NO_FATAL_FAILURE(
        Visit("g4", "G-2", Local(11, 27, 14, 0), "SALAD", "Salad", 1000));
    ASSERT_NO_FATAL_FAILURE(Append({Paid("g4", Local(11, 27, 15, 0), 1000)}));

    makegood::v1::CompleteFollowUpRequest done;
    done.set_request_id("follow-up-x");
    done.set_case_id(case_x_.case_id());
    done.set_note("called, booked for Friday");
    auto completed = Wait<makegood::v1::FollowUp>([&](FollowUpDone callback) {
      store_->CompleteFollowUp(
          Call("m-2", makegood::v1::MANAGER, Local(11, 27, 19, 0)), done,
          std::move(callback));
    });
    ASSERT_TRUE(completed.ok()) << completed.status();
  }

  void TearDown() override {
    if (store_ != nullptr) store_->Shutdown();
  }

  // A check of `guest` ("" for none) with one line, opened at `at`.
  void Visit(const std::string& check, const std::string& guest, absl::Time at,
             const std::string& sku, const std::string& name, int64_t price) {
    OrderEvent open = CheckOpened(check + "-open", check, at);
    open.mutable_check_opened()->set_guest_id(guest);
    OrderEvent item = ItemAdded(check + "-1", check, "1", at, price);
    item.mutable_item_added()->set_sku(sku);
    item.mutable_item_added()->set_name(name);
    ASSERT_NO_FATAL_FAILURE(Append({open, item}));
  }

  static OrderEvent Paid(const std::string& check, absl::Time at,
                         int64_t total) {
    OrderEvent paid = BaseEvent(check + "-paid", check, at);
    paid.mutable_check_paid()->mutable_total()->set_minor_units(total);
    return paid;
  }

  static OrderEvent Redeemed(const std::string& check, const std::string& code,
                             absl::Time at) {
    OrderEvent redeemed = BaseEvent(check + "-code", check, at);
    redeemed.mutable_discount_code_redeemed()->set_code(code);
    redeemed.mutable_discount_code_redeemed()
        ->mutable_amount()
        ->set_minor_units(1000);
    return redeemed;
  }

  void Append(std::vector<OrderEvent> events) {
    const absl::Time at = core::FromProto(events.back().occurred_at());
    auto results = AppendEventsAndWait(*store_, std::move(events), at);
    ASSERT_TRUE(results.ok()) << results.status();
    for (const EventResult& result : *results) {
      ASSERT_EQ(result.outcome, EventOutcome::kAccepted) << result.reason;
    }
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
                                      bool consent) {
    makegood::v1::FlagProblemRequest request;
    request.set_request_id(request_id);
    request.set_check_id(check);
    request.add_line_ids("1");
    request.set_category_id("wrong_item");
    request.set_severity(makegood::v1::MINOR);
    if (consent) {
      request.mutable_guest_contact()->set_email("ana@example.com");
      request.mutable_guest_contact()->set_follow_up_consent(true);
    }
    return Wait<RecoveryResult>([&](RecoveryDone done) {
      store_->FlagProblem(Call("s-17", makegood::v1::SERVER, at), request,
                          std::move(done));
    });
  }

  absl::StatusOr<RecoveryResult> GiveCode(const std::string& request_id,
                                          const std::string& case_id,
                                          absl::Time at) {
    makegood::v1::ApplyRemedyRequest request;
    request.set_request_id(request_id);
    request.set_case_id(case_id);
    request.set_option_id(kNextVisitCodeOption);
    return Wait<RecoveryResult>([&](RecoveryDone done) {
      store_->ApplyRemedy(Call("s-17", makegood::v1::SERVER, at), request,
                          std::move(done));
    });
  }

  core::DayBounds Bounds(const char* day) const {
    auto bounds = rules_->BoundsOf(day);
    EXPECT_TRUE(bounds.ok()) << bounds.status();
    return bounds.ok() ? *bounds : core::DayBounds{};
  }

  makegood::testing::TempDir dir_;
  core::FakeClock clock_{Local(11, 28, 9, 0)};
  std::optional<core::RecoveryRules> rules_;
  std::unique_ptr<SqliteStore> store_;
  RecoveryCase case_x_, case_y_, case_z_;
};

TEST_F(ReportQueriesTest, ADayHasItsCasesWithTheirLinesItsSalesAndNoReturn) {
  const core::DayBounds day = Bounds(kFirstDay);
  auto rows = store_->ReadDay(kLocation, day.start, day.end);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_THAT(TextOf(rows->cases),
              ElementsAre(absl::StrCat(case_x_.case_id(),
                                       " guest G-1 [1 BURGER Burger grill]")));
  ASSERT_EQ(rows->cases.size(), 1u);
  EXPECT_EQ(rows->cases[0].recovery.category_id(), "wrong_item");
  EXPECT_FALSE(rows->cases[0].recovery.has_guest_contact());
  EXPECT_EQ(rows->sales_minor, 3300 + 2000);
  EXPECT_THAT(rows->redeemed_codes, IsEmpty());
  EXPECT_EQ(rows->follow_ups_due, 0);
  EXPECT_EQ(rows->follow_ups_done, 0);
  // G-1's check opened before X was flagged on it: not a return.
  EXPECT_THAT(rows->returns, IsEmpty());
}

TEST_F(ReportQueriesTest, AReturnCountsByGuestAndByCodeWithinTheHorizonOnly) {
  const core::DayBounds day = Bounds(kReturnDay);
  auto rows = store_->ReadDay(kLocation, day.start, day.end);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_THAT(TextOf(rows->cases),
              ElementsAre(absl::StrCat(case_y_.case_id(),
                                       " guest G-1 [1 STEAK Steak grill]")));
  EXPECT_EQ(rows->sales_minor, 4000 + 2500 + 1000);
  // Both codes, with their cases' category, in the order redeemed.
  EXPECT_THAT(
      TextOf(rows->redeemed_codes),
      ElementsAre(absl::StrCat(case_x_.case_id(),
                               " wrong_item on g2 1000 at 2026-11-27 17:30"),
                  absl::StrCat(case_z_.case_id(),
                               " wrong_item on g3 1000 at 2026-11-27 18:10")));
  // X's follow-up was due on the 27th and done then.
  EXPECT_EQ(rows->follow_ups_due, 1);
  EXPECT_EQ(rows->follow_ups_done, 1);
  // G-1's g2, six days after X: by guest id, and by X's code (the report
  // counts the check once). Y, flagged on g2 itself, came after it opened.
  // G-3's g3 comes 118 days after Z, past the 90 days, by guest and by
  // code alike; G-2 was never recovered.
  const std::string g2 =
      "G-1 on g2 at 2026-11-27 17:00 recovered 2026-11-20 23:30 spent 4000";
  EXPECT_THAT(TextOf(rows->returns), ElementsAre(g2, g2));
}

TEST_F(ReportQueriesTest, ACodeRedeemedOnTheCheckItWasGivenOnIsNoReturn) {
  // 2026-11-29: a guest of no known id; the burger flagged at 18:30 (case
  // W) and a code given at 18:32, which the server then redeems on the
  // same check at 18:40. The code counts as redeemed; the guest did not
  // come back.
  ASSERT_NO_FATAL_FAILURE(
      Visit("k1", "", Local(11, 29, 18, 0), "BURGER", "Burger", 1800));
  auto w = Flag("flag-w", "k1", Local(11, 29, 18, 30), /*consent=*/false);
  ASSERT_TRUE(w.ok()) << w.status();
  auto code_w =
      GiveCode("code-w", w->recovery.case_id(), Local(11, 29, 18, 32));
  ASSERT_TRUE(code_w.ok()) << code_w.status();
  ASSERT_NO_FATAL_FAILURE(
      Append({Redeemed("k1", code_w->recovery.remedies(0).discount_code(),
                       Local(11, 29, 18, 40))}));

  auto rows = store_->ReadDay(kLocation, Bounds("2026-11-29").start,
                              Bounds("2026-11-29").end);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_THAT(TextOf(rows->redeemed_codes),
              ElementsAre(absl::StrCat(w->recovery.case_id(),
                                       " wrong_item on k1 1000 at "
                                       "2026-11-29 23:40")));
  EXPECT_THAT(rows->returns, IsEmpty());
}

TEST_F(ReportQueriesTest, APeriodWithoutRowsAndAnotherLocationReadNothing) {
  const core::DayBounds empty = Bounds(kEmptyDay);
  const core::DayBounds full = Bounds(kReturnDay);
  for (const auto& [location, day] :
       {std::pair<std::string, core::DayBounds>{kLocation, empty},
        std::pair<std::string, core::DayBounds>{"uptown-02", full}}) {
    SCOPED_TRACE(location);
    auto rows = store_->ReadDay(location, day.start, day.end);
    ASSERT_TRUE(rows.ok()) << rows.status();
    EXPECT_THAT(rows->cases, IsEmpty());
    EXPECT_EQ(rows->sales_minor, 0);
    EXPECT_THAT(rows->redeemed_codes, IsEmpty());
    EXPECT_EQ(rows->follow_ups_due, 0);
    EXPECT_EQ(rows->follow_ups_done, 0);
    EXPECT_THAT(rows->returns, IsEmpty());

    auto flagged = store_->CasesFlagged(location, day.start, day.end);
    ASSERT_TRUE(flagged.ok()) << flagged.status();
    EXPECT_THAT(*flagged, IsEmpty());

    const std::string business_day = rules_->BusinessDay(day.start);
    auto staff = store_->ReadStaff(location, day.start, day.end, business_day,
                                   business_day);
    ASSERT_TRUE(staff.ok()) << staff.status();
    EXPECT_THAT(staff->checks, IsEmpty());
    EXPECT_THAT(staff->comps, IsEmpty());
    EXPECT_THAT(staff->cases, IsEmpty());
  }
}

TEST_F(ReportQueriesTest, CasesFlaggedAreOldestFirstInAHalfOpenRange) {
  const absl::Time start = Bounds(kSummerDay).start;
  const absl::Time end = Bounds(kReturnDay).end;
  auto all = store_->CasesFlagged(kLocation, start, end);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_THAT(CaseIds(*all), ElementsAre(case_z_.case_id(), case_x_.case_id(),
                                         case_y_.case_id()));
  // Without contact details, though X's guest left some.
  ASSERT_EQ(all->size(), 3u);
  EXPECT_TRUE((*all)[1].contact_on_file());
  EXPECT_FALSE((*all)[1].has_guest_contact());

  // A case flagged at the start of a range is in it; at its end, not.
  const absl::Time x = core::FromProto(case_x_.flagged_at());
  auto from_x = store_->CasesFlagged(kLocation, x, x + absl::Microseconds(1));
  ASSERT_TRUE(from_x.ok()) << from_x.status();
  EXPECT_THAT(CaseIds(*from_x), ElementsAre(case_x_.case_id()));
  auto until_x = store_->CasesFlagged(kLocation, start, x);
  ASSERT_TRUE(until_x.ok()) << until_x.status();
  EXPECT_THAT(CaseIds(*until_x), ElementsAre(case_z_.case_id()));
}

TEST_F(ReportQueriesTest, StaffRowsTakeChecksAndCasesByInstantCompsByDay) {
  // The instants of the 27th with the business day of the 20th: the 27th's
  // checks and case, the 20th's comp (X's code, charged to Dana, on g1).
  const core::DayBounds day = Bounds(kReturnDay);
  auto rows =
      store_->ReadStaff(kLocation, day.start, day.end, kFirstDay, kFirstDay);
  ASSERT_TRUE(rows.ok()) << rows.status();
  std::vector<std::string> checks;
  for (const report::CheckRow& check : rows->checks) {
    checks.push_back(absl::StrCat(
        check.check_id, " ", check.server_id, " ", check.sales_minor, " last ",
        TimeText(check.last_activity), check.has_case ? " case" : ""));
  }
  EXPECT_THAT(checks, ElementsAre("g2 s-17 4000 last 2026-11-27 18:30 case",
                                  "g3 s-17 2500 last 2026-11-27 19:00",
                                  "g4 s-17 1000 last 2026-11-27 20:00"));
  ASSERT_EQ(rows->comps.size(), 1u);
  const report::CompRow& comp = rows->comps[0];
  EXPECT_EQ(comp.case_id, case_x_.case_id());
  EXPECT_EQ(comp.check_id, "g1");
  EXPECT_EQ(comp.requested_by, "s-17");
  EXPECT_EQ(comp.business_day, kFirstDay);
  EXPECT_EQ(comp.guest_id, "G-1");
  EXPECT_EQ(comp.cost_minor, 1000);
  EXPECT_EQ(comp.requested_at, Local(11, 20, 18, 32));
  ASSERT_TRUE(comp.check_paid_at.has_value());
  EXPECT_EQ(*comp.check_paid_at, Local(11, 20, 20, 0));
  ASSERT_EQ(rows->cases.size(), 1u);
  EXPECT_EQ(rows->cases[0].case_id, case_y_.case_id());
  EXPECT_EQ(rows->cases[0].guest_id, "G-1");
  EXPECT_EQ(rows->cases[0].flagged_by, "s-17");
  EXPECT_EQ(rows->cases[0].flagged_at, Local(11, 27, 12, 45));

  // The 27th's own business day had no comp.
  auto own =
      store_->ReadStaff(kLocation, day.start, day.end, kReturnDay, kReturnDay);
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_THAT(own->comps, IsEmpty());
  EXPECT_EQ(own->checks.size(), 3u);
}

}  // namespace
}  // namespace makegood::store
