// The staff report's rows streamed out of a store (Store::StreamStaff,
// StreamStaffRows), on days written through the store's own write path:
// several staff and days, comps sent and one waiting for approval, a voided
// line, POS discounts with and without a case, a comp after payment, and a
// manager's comps without checks of their own. The report aggregated as
// the rows stream must be the row-by-row report of the same rows held
// (tests/report/staff_report_reference.h). The rows come from one snapshot,
// whatever is written while they stream. The read leaves the reader's page
// cache as it found it, also when it fails; a reader whose cache size
// cannot be put back (a connection's authorizer refuses the PRAGMA) is not
// reused by the pool, and both errors are told.

#include <sqlite3.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "core/proto_time.h"
#include "core/recovery_rules.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "report/staff_report.h"
#include "report/staff_report_reference.h"
#include "sqlite/connection.h"
#include "store/reader_pool.h"
#include "store/report_queries.h"
#include "store/report_sql.h"
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
using makegood::v1::StaffFinding;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kConfig[] = R"pb(
  location {
    id: "downtown-01"
    name: "Downtown"
    currency: "USD"
    timezone: "America/New_York"
    business_day_starts: "04:00"
  }
  staff { id: "s-17" name: "Dana" role: SERVER }
  staff { id: "s-22" name: "Marco" role: SERVER }
  staff { id: "m-2" name: "Lee" role: MANAGER }
  categories { id: "wrong_item" label: "Wrong item" }
  categories { id: "long_wait" label: "Long wait" }
  remedies { id: "refire" kind: REMAKE }
  remedies { id: "comp_item" kind: COMP_ITEM }
  remedies {
    id: "drinks_round"
    kind: COMPLIMENTARY_ITEM
    sku: "SOFT-DRINK-ROUND"
    value: "12.00"
  }
  policy {
    id: "wrong-item"
    when { category: "wrong_item" }
    offer: "refire"
    offer: "comp_item"
  }
  policy {
    id: "long-wait"
    when { category: "long_wait" }
    offer: "drinks_round"
  }
  authority {
    roles { role: SERVER max_per_case: "25.00" }
    roles { role: MANAGER max_per_case: "200.00" }
  }
  recurring { count: 3 window_minutes: 90 }
  loss_prevention {
    median_multiple: 2.0
    end_of_shift_minutes: 30
    repeat_guest_cases: 2
  }
)pb";

// The page cache of the store's connections, 64 MiB (sqlite/connection.cc).
constexpr int64_t kOwnCacheSize = -65536;

constexpr char kFirstDay[] = "2026-11-20";
constexpr char kLastDay[] = "2026-11-22";

absl::Time Local(int day, int hour, int minute) {
  absl::TimeZone tz;
  absl::LoadTimeZone("America/New_York", &tz);
  return absl::FromCivil(absl::CivilMinute(2026, 11, day, hour, minute), tz);
}

// Remembers which kind of row came, in order.
class RowKinds final : public report::StaffRowSink {
 public:
  void AddCheck(const report::CheckRow&) override { kinds_.push_back('h'); }
  void AddComp(const report::CompRow&) override { kinds_.push_back('o'); }
  void AddCase(const report::CaseRow&) override { kinds_.push_back('a'); }
  // Runs of the same kind collapsed: "hoa" when checks, comps and cases
  // each came together, in that order.
  std::string Runs() const {
    std::string runs;
    for (char kind : kinds_) {
      if (runs.empty() || runs.back() != kind) runs.push_back(kind);
    }
    return runs;
  }

 private:
  std::string kinds_;
};

class StaffRowsStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    makegood::v1::Config config;
    ASSERT_TRUE(
        google::protobuf::TextFormat::ParseFromString(kConfig, &config));
    auto rules = core::RecoveryRules::Compile(config);
    ASSERT_TRUE(rules.ok()) << rules.status();
    rules_ = std::make_unique<core::RecoveryRules>(*std::move(rules));
    SqliteStoreOptions options;
    options.path = db_path();
    options.cleanup_interval = absl::Hours(24);
    auto store = SqliteStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    ASSERT_TRUE(store_->RegisterLocation(config.location()).ok());
    for (int day = 20; day <= 22; ++day) WriteDay(day);
    auto first = rules_->BoundsOf(kFirstDay);
    auto last = rules_->BoundsOf(kLastDay);
    ASSERT_TRUE(first.ok() && last.ok());
    start_ = first->start;
    end_ = last->end;
  }
  void TearDown() override { store_->Shutdown(); }

  // One business day (times local):
  //  - A (Dana, guest G-1) 18:00: a burger 18.00 and a ribeye 42.00, the
  //    ribeye voided at 18:10. Flagged wrong item 18:40, comped 18:42
  //    (18.00). Paid 20:00. Flagged long wait 21:10, a round of drinks at
  //    21:12 (12.00): after payment, and within 30 minutes of the end of
  //    Dana's shift (21:00, when B was paid).
  //  - B (Dana) 19:00: a ribeye 42.00, flagged 19:30; her comp of it at
  //    19:32 is over her 25.00 and waits for approval: no comp. Paid 21:00.
  //  - C (Marco) 18:30: a burger 18.00, 5.00 off it at the POS at 19:00
  //    with no case. Paid 21:30 (13.00).
  //  - D (Marco) 20:00: a burger, never paid. Lee flags it wrong item at
  //    22:40 and comps it at 22:42 (18.00), then long wait at 22:50 and a
  //    round of drinks at 22:52 (12.00): Lee has no checks, so his shift
  //    ends at 22:52 and both comps are at its end.
  void WriteDay(int day) {
    const std::string d = absl::StrCat(day);
    const auto at = [&](int hour, int minute) {
      return Local(day, hour, minute);
    };
    OrderEvent open_a = CheckOpened("A-open-" + d, "A" + d, at(18, 0));
    open_a.mutable_check_opened()->set_guest_id("G-1");
    OrderEvent void_a = BaseEvent("A-void-" + d, "A" + d, at(18, 10));
    void_a.mutable_item_voided()->set_line_id("2");
    void_a.mutable_item_voided()->set_reason("rang in twice");
    OrderEvent open_c = CheckOpened("C-open-" + d, "C" + d, at(18, 30));
    open_c.mutable_check_opened()->set_server_id("s-22");
    OrderEvent discount_c = BaseEvent("C-off-" + d, "C" + d, at(19, 0));
    discount_c.mutable_item_discounted()->set_line_id("1");
    discount_c.mutable_item_discounted()->mutable_amount()->set_minor_units(
        500);
    OrderEvent open_d = CheckOpened("D-open-" + d, "D" + d, at(20, 0));
    open_d.mutable_check_opened()->set_server_id("s-22");
    Append({open_a, ItemAdded("A-1-" + d, "A" + d, "1", at(18, 0), 1800),
            ItemAdded("A-2-" + d, "A" + d, "2", at(18, 0), 4200), void_a,
            CheckOpened("B-open-" + d, "B" + d, at(19, 0)),
            ItemAdded("B-1-" + d, "B" + d, "1", at(19, 0), 4200), open_c,
            ItemAdded("C-1-" + d, "C" + d, "1", at(18, 30), 1800), discount_c,
            open_d, ItemAdded("D-1-" + d, "D" + d, "1", at(20, 0), 1800)});

    const std::string a1 =
        Flag("s-17", makegood::v1::SERVER, at(18, 40), "A" + d, "wrong_item");
    EXPECT_EQ(
        Apply("s-17", makegood::v1::SERVER, at(18, 42), a1, "o2").status(),
        RecoveryCase::REMEDY_APPLIED);
    const std::string b1 =
        Flag("s-17", makegood::v1::SERVER, at(19, 30), "B" + d, "wrong_item");
    EXPECT_EQ(
        Apply("s-17", makegood::v1::SERVER, at(19, 32), b1, "o2").status(),
        RecoveryCase::PENDING_APPROVAL);
    Append({Paid("A" + d, at(20, 0), 1800), Paid("B" + d, at(21, 0), 4200),
            Paid("C" + d, at(21, 30), 1300)});
    const std::string a2 =
        Flag("s-17", makegood::v1::SERVER, at(21, 10), "A" + d, "long_wait");
    Apply("s-17", makegood::v1::SERVER, at(21, 12), a2, "o1");
    const std::string d1 =
        Flag("m-2", makegood::v1::MANAGER, at(22, 40), "D" + d, "wrong_item");
    Apply("m-2", makegood::v1::MANAGER, at(22, 42), d1, "o2");
    const std::string d2 =
        Flag("m-2", makegood::v1::MANAGER, at(22, 50), "D" + d, "long_wait");
    Apply("m-2", makegood::v1::MANAGER, at(22, 52), d2, "o1");
  }

  static OrderEvent Paid(const std::string& check, absl::Time at,
                         int64_t total) {
    OrderEvent paid = BaseEvent(check + "-paid", check, at);
    paid.mutable_check_paid()->mutable_total()->set_minor_units(total);
    return paid;
  }

  void Append(std::vector<OrderEvent> events) {
    const absl::Time received = core::FromProto(events.back().occurred_at());
    auto results = AppendEventsAndWait(*store_, std::move(events), received);
    ASSERT_TRUE(results.ok()) << results.status();
    for (const auto& r : *results)
      ASSERT_EQ(r.outcome, EventOutcome::kAccepted) << r.reason;
  }

  // The new case's id.
  std::string Flag(const std::string& by, makegood::v1::Role role,
                   absl::Time at, const std::string& check,
                   const std::string& category) {
    makegood::v1::FlagProblemRequest request;
    request.set_request_id(absl::StrCat("flag-", ++requests_));
    request.set_check_id(check);
    request.add_line_ids("1");
    request.set_new_problem(true);
    request.set_category_id(category);
    request.set_severity(makegood::v1::MINOR);
    return Wait([&](auto done) {
             store_->FlagProblem(Call(by, role, at), request, done);
           })
        .case_id();
  }

  RecoveryCase Apply(const std::string& by, makegood::v1::Role role,
                     absl::Time at, const std::string& case_id,
                     const std::string& option) {
    makegood::v1::ApplyRemedyRequest request;
    request.set_request_id(absl::StrCat("apply-", ++requests_));
    request.set_case_id(case_id);
    request.set_option_id(option);
    return Wait([&](auto done) {
      store_->ApplyRemedy(Call(by, role, at), request, done);
    });
  }

  RecoveryCall Call(const std::string& by, makegood::v1::Role role,
                    absl::Time at) const {
    RecoveryCall call;
    call.actor_id = by;
    call.actor_role = role;
    call.now = at;
    call.rules = rules_.get();
    return call;
  }

  template <typename Submit>
  RecoveryCase Wait(Submit submit) {
    absl::Notification done;
    absl::StatusOr<RecoveryResult> result;
    submit([&](absl::StatusOr<RecoveryResult> r) {
      result = std::move(r);
      done.Notify();
    });
    done.WaitForNotification();
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? result->recovery : RecoveryCase();
  }

  std::string db_path() const { return dir_.File("s.db"); }

  makegood::testing::TempDir dir_;
  std::unique_ptr<core::RecoveryRules> rules_;
  std::unique_ptr<SqliteStore> store_;
  absl::Time start_, end_;
  int requests_ = 0;
};

TEST_F(StaffRowsStreamTest, TheStreamedReportIsTheRowByRowReportOfTheRows) {
  report::StaffReportBuilder builder(*rules_, kFirstDay, kLastDay);
  ASSERT_TRUE(
      store_->StreamStaff(kLocation, start_, end_, kFirstDay, kLastDay, builder)
          .ok());
  const makegood::v1::StaffReportResponse streamed = builder.Finish();
  auto rows = store_->ReadStaff(kLocation, start_, end_, kFirstDay, kLastDay);
  ASSERT_TRUE(rows.ok()) << rows.status();
  const makegood::v1::StaffReportResponse reference =
      report::testing::ReferenceStaffReport(*rules_, kFirstDay, kLastDay,
                                            *rows);
  google::protobuf::util::MessageDifferencer differencer;
  std::string differences;
  differencer.ReportDifferencesToString(&differences);
  EXPECT_TRUE(differencer.Compare(reference, streamed)) << differences;

  // What the days hold: per day Dana's comp and drinks (her comp waiting
  // for approval is none), Lee's comp and drinks, Marco's sales.
  EXPECT_EQ(rows->comps.size(), 12u);
  EXPECT_EQ(rows->checks.size(), 12u);
  ASSERT_EQ(streamed.shifts_size(), 9);
  std::vector<std::string> totals;
  for (const auto& t : streamed.totals()) {
    totals.push_back(absl::StrCat(t.staff_id(), " ", t.comp_count(), " ",
                                  t.comp_value().minor_units(), "/",
                                  t.sales().minor_units()));
  }
  // Highest comp share first; Lee, without sales, has a share of 0.
  EXPECT_THAT(totals, ElementsAre("s-17 6 9000/18000", "m-2 6 9000/0",
                                  "s-22 0 0/3900"));
  std::vector<std::string> findings;
  for (const auto& f : streamed.findings()) {
    findings.push_back(absl::StrCat(StaffFinding::Kind_Name(f.kind()), " ",
                                    f.staff_id(), " ", f.business_date()));
  }
  EXPECT_THAT(findings,
              ElementsAre("COMP_AFTER_PAYMENT s-17 2026-11-20",
                          "COMP_AFTER_PAYMENT s-17 2026-11-21",
                          "COMP_AFTER_PAYMENT s-17 2026-11-22",
                          "COMP_AT_SHIFT_END s-17 2026-11-20",
                          "COMP_AT_SHIFT_END m-2 2026-11-20",
                          "COMP_AT_SHIFT_END m-2 2026-11-20",
                          "COMP_AT_SHIFT_END s-17 2026-11-21",
                          "COMP_AT_SHIFT_END m-2 2026-11-21",
                          "COMP_AT_SHIFT_END m-2 2026-11-21",
                          "COMP_AT_SHIFT_END s-17 2026-11-22",
                          "COMP_AT_SHIFT_END m-2 2026-11-22",
                          "COMP_AT_SHIFT_END m-2 2026-11-22",
                          "REPEAT_GUEST s-17 2026-11-22",
                          "UNEXPLAINED_POS_DISCOUNT s-22 2026-11-20",
                          "UNEXPLAINED_POS_DISCOUNT s-22 2026-11-21",
                          "UNEXPLAINED_POS_DISCOUNT s-22 2026-11-22"));
}

TEST_F(StaffRowsStreamTest, ChecksComeFirstThenCompsThenCases) {
  RowKinds kinds;
  ASSERT_TRUE(
      store_->StreamStaff(kLocation, start_, end_, kFirstDay, kLastDay, kinds)
          .ok());
  EXPECT_EQ(kinds.Runs(), "hoa");
}

// Remembers the checks, the comps' checks and the cases' guests, and runs
// `write` at the first check: while the rows are being read.
class WriteWhileReading final : public report::StaffRowSink {
 public:
  explicit WriteWhileReading(std::function<void()> write)
      : write_(std::move(write)) {}
  void AddCheck(const report::CheckRow& check) override {
    checks_.push_back(check.check_id);
    if (checks_.size() == 1) write_();
  }
  void AddComp(const report::CompRow& comp) override {
    comp_checks_.push_back(comp.check_id);
  }
  void AddCase(const report::CaseRow& flagged) override {
    case_guests_.push_back(flagged.guest_id);
  }
  const std::vector<std::string>& checks() const { return checks_; }
  const std::vector<std::string>& comp_checks() const { return comp_checks_; }
  const std::vector<std::string>& case_guests() const { return case_guests_; }

 private:
  std::function<void()> write_;
  std::vector<std::string> checks_, comp_checks_, case_guests_;
};

TEST_F(StaffRowsStreamTest, RowsWrittenWhileTheRowsStreamAreInNoneOfThem) {
  auto db = sqlite::Connection::Open(db_path(), /*read_only=*/true);
  ASSERT_TRUE(db.ok()) << db.status();
  // Once the checks are being read: a check of guest G-9 opened on the
  // 21st, flagged and comped. Its comp and its case would come without
  // their check if the comps and cases were read from a later snapshot.
  WriteWhileReading sink([&] {
    OrderEvent open = CheckOpened("E-open", "E21", Local(21, 17, 0));
    open.mutable_check_opened()->set_guest_id("G-9");
    Append({open, ItemAdded("E-1", "E21", "1", Local(21, 17, 0), 1800)});
    const std::string e = Flag("s-17", makegood::v1::SERVER, Local(21, 17, 30),
                               "E21", "wrong_item");
    EXPECT_EQ(Apply("s-17", makegood::v1::SERVER, Local(21, 17, 32), e, "o2")
                  .status(),
              RecoveryCase::REMEDY_APPLIED);
  });
  ASSERT_TRUE(
      StreamStaffRows(**db, kLocation, start_, end_, kFirstDay, kLastDay, sink)
          .ok());
  EXPECT_EQ(sink.checks().size(), 12u);
  EXPECT_THAT(sink.checks(), Not(Contains("E21")));
  EXPECT_EQ(sink.comp_checks().size(), 12u);
  EXPECT_THAT(sink.comp_checks(), Not(Contains("E21")));
  EXPECT_EQ(sink.case_guests().size(), 6u);
  EXPECT_THAT(sink.case_guests(), Not(Contains("G-9")));

  // The writes are stored: a read after them has their rows.
  auto after = store_->ReadStaff(kLocation, start_, end_, kFirstDay, kLastDay);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->checks.size(), 13u);
  EXPECT_EQ(after->comps.size(), 13u);
  EXPECT_EQ(after->cases.size(), 7u);
}

// PRAGMA cache_size of `db`; 0, which no connection has, when unreadable.
int64_t CacheSizeOf(sqlite::Connection& db) {
  auto stmt = db.Prepare("PRAGMA cache_size");
  if (!stmt.ok()) {
    ADD_FAILURE() << stmt.status();
    return 0;
  }
  auto found = (*stmt)->Step();
  if (!found.ok() || !*found) {
    ADD_FAILURE() << "PRAGMA cache_size gave no row";
    return 0;
  }
  return (*stmt)->Int(0);
}

// Reads PRAGMA cache_size of the connection the rows come from, at the
// first check.
class CacheSizeProbe final : public report::StaffRowSink {
 public:
  explicit CacheSizeProbe(sqlite::Connection& db) : db_(db) {}
  void AddCheck(const report::CheckRow&) override {
    if (during_ == 0) during_ = CacheSizeOf(db_);
  }
  void AddComp(const report::CompRow&) override {}
  void AddCase(const report::CaseRow&) override {}
  int64_t during() const { return during_; }

 private:
  sqlite::Connection& db_;
  int64_t during_ = 0;
};

TEST_F(StaffRowsStreamTest, TheReadFillsAtMostTheReportCacheAndGivesItBack) {
  auto db = sqlite::Connection::Open(db_path(), /*read_only=*/true);
  ASSERT_TRUE(db.ok()) << db.status();
  CacheSizeProbe probe(**db);
  ASSERT_TRUE(
      StreamStaffRows(**db, kLocation, start_, end_, kFirstDay, kLastDay, probe)
          .ok());
  EXPECT_EQ(probe.during(), -report_sql::kReportCacheKiB);
  EXPECT_EQ(CacheSizeOf(**db), kOwnCacheSize);
  EXPECT_NE(sqlite3_get_autocommit((*db)->raw()), 0);  // Transaction ended.
}

// Refuses every statement that sets PRAGMA cache_size (reading it is let
// through), as an authorizer of the connection (sqlite3_set_authorizer).
int RefuseSettingCacheSize(void*, int action, const char* pragma,
                           const char* value, const char*, const char*) {
  const bool sets_cache_size = action == SQLITE_PRAGMA && pragma != nullptr &&
                               value != nullptr &&
                               absl::EqualsIgnoreCase(pragma, "cache_size");
  return sets_cache_size ? SQLITE_DENY : SQLITE_OK;
}

// At the first check, breaks the read of the connection the rows come
// from: interrupts it (its next step fails with SQLITE_INTERRUPT), or
// makes putting its cache size back fail, or both.
class FaultAtFirstCheck final : public report::StaffRowSink {
 public:
  struct Faults {
    bool interrupt = false;
    bool refuse_cache_size = false;
  };
  FaultAtFirstCheck(sqlite::Connection& db, Faults faults)
      : db_(db), faults_(faults) {}
  void AddCheck(const report::CheckRow&) override {
    if (++checks_ != 1) return;
    if (faults_.refuse_cache_size) {
      sqlite3_set_authorizer(db_.raw(), RefuseSettingCacheSize, nullptr);
    }
    if (faults_.interrupt) sqlite3_interrupt(db_.raw());
  }
  void AddComp(const report::CompRow&) override { ++comps_; }
  void AddCase(const report::CaseRow&) override {}
  int checks() const { return checks_; }
  int comps() const { return comps_; }

 private:
  sqlite::Connection& db_;
  const Faults faults_;
  int checks_ = 0;
  int comps_ = 0;
};

TEST_F(StaffRowsStreamTest, AFailedReadStillGivesTheCacheBackAndEndsItsRead) {
  auto db = sqlite::Connection::Open(db_path(), /*read_only=*/true);
  ASSERT_TRUE(db.ok()) << db.status();
  FaultAtFirstCheck sink(**db, {.interrupt = true});
  const absl::Status status =
      StreamStaffRows(**db, kLocation, start_, end_, kFirstDay, kLastDay, sink);
  EXPECT_EQ(sqlite::SqliteCodeOf(status), SQLITE_INTERRUPT) << status;
  EXPECT_FALSE(status.GetPayload(kUnfitConnectionPayload).has_value());
  EXPECT_EQ(sink.checks(), 1);  // The read stopped there.
  EXPECT_EQ(sink.comps(), 0);
  EXPECT_EQ(CacheSizeOf(**db), kOwnCacheSize);
  EXPECT_NE(sqlite3_get_autocommit((*db)->raw()), 0);
}

// What a staff read through a pool gave, and the cache size of the
// connection the pool gives the read after it.
struct PooledRead {
  absl::Status status;
  int64_t next_cache_size = 0;
};

// Staff reads through a pool that keeps one idle reader, so that the read
// after one gets its connection unless the pool closed it.
class PooledStaffRead {
 public:
  PooledStaffRead(const std::string& path, absl::Time start, absl::Time end)
      : pool_(path, /*max_idle=*/1), start_(start), end_(end) {}

  PooledRead Run(FaultAtFirstCheck::Faults faults) {
    PooledRead read;
    read.status =
        pool_
            .With<bool>([&](Connection& db) -> absl::StatusOr<bool> {
              FaultAtFirstCheck sink(db, faults);
              if (auto s = StreamStaffRows(db, kLocation, start_, end_,
                                           kFirstDay, kLastDay, sink);
                  !s.ok())
                return s;
              return true;
            })
            .status();
    auto next =
        pool_.With<int64_t>([](Connection& db) -> absl::StatusOr<int64_t> {
          return CacheSizeOf(db);
        });
    EXPECT_TRUE(next.ok()) << next.status();
    if (next.ok()) read.next_cache_size = *next;
    return read;
  }

 private:
  ReaderPool pool_;
  const absl::Time start_, end_;
};

TEST_F(StaffRowsStreamTest, AReaderWhoseCacheCannotBeGivenBackIsNotReused) {
  PooledStaffRead reads(db_path(), start_, end_);
  const PooledRead read = reads.Run({.refuse_cache_size = true});
  // The rows were all read; the restore's error is the read's.
  EXPECT_EQ(sqlite::SqliteCodeOf(read.status), SQLITE_AUTH) << read.status;
  EXPECT_THAT(read.status.message(), HasSubstr("PRAGMA cache_size"));
  EXPECT_FALSE(read.status.GetPayload(kUnfitConnectionPayload).has_value());
  // A new connection: the one left with the report's cache was closed.
  EXPECT_EQ(read.next_cache_size, kOwnCacheSize);
}

TEST_F(StaffRowsStreamTest, AFailedReadThatCannotGiveTheCacheBackTellsBoth) {
  PooledStaffRead reads(db_path(), start_, end_);
  const PooledRead read =
      reads.Run({.interrupt = true, .refuse_cache_size = true});
  // The read's error first, with its SQLite code; then the restore's.
  EXPECT_EQ(sqlite::SqliteCodeOf(read.status), SQLITE_INTERRUPT) << read.status;
  EXPECT_THAT(read.status.message(), HasSubstr("interrupted"));
  EXPECT_THAT(read.status.message(),
              HasSubstr("putting back PRAGMA cache_size failed too"));
  EXPECT_THAT(read.status.message(), HasSubstr("not authorized"));
  EXPECT_FALSE(read.status.GetPayload(kUnfitConnectionPayload).has_value());
  EXPECT_EQ(read.next_cache_size, kOwnCacheSize);
}

}  // namespace
}  // namespace makegood::store
