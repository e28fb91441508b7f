// Report latency and memory on a year of a busy location.
//
// Generates (once; the file is reused when it exists) a database holding
// one year of about 1,000,000 recovery cases, each on its own check with
// its events, written through the store's own write path (SqliteStore, the
// code makegoodd runs) at their historical times. Then starts makegoodd on
// it (timing its start-up) and times, over gRPC, the end-of-day report of
// one day and the staff reports of 30 and of 365 days, each against its
// floor from the same run: the same rows read straight from SQLite, each
// read in one read transaction as the store's are, with the report's own
// SELECTs (store/report_sql.h) but for one join of the bench's own that
// stands for two of them (kFloorDayCasesWithLines), on the same indexes and
// with the same page cache, every column touched, no protobuf, no
// aggregation.
// After each kind of report it prints makegoodd's peak RSS (VmHWM).
// Targets: each report within 3x its floor; makegoodd's peak RSS under
// 128 MiB through the 365-day report; start-up under 200 ms.

#include <grpcpp/grpcpp.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/functional/function_ref.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "config/config_loader.h"
#include "core/recovery_rules.h"
#include "makegood/v1/report.grpc.pb.h"
#include "sqlite/connection.h"
#include "store/report_sql.h"
#include "store/sqlite_store.h"
#include "support/process.h"
#include "support/sample_events.h"
#include "support/temp_dir.h"

namespace {

namespace report_sql = makegood::store::report_sql;
using makegood::v1::OrderEvent;

constexpr char kManagerToken[] = "demo-manager-lee";
const char* const kStaff[] = {"s-17", "s-22", "m-2"};
const char* const kCategories[] = {"cold_food", "wrong_item", "quality",
                                   "long_wait", "missing_item"};
// Each generated check has one line, and its case flags it.
constexpr char kLineId[] = "1";

// At most this many flags and applies in flight, so the writer always has
// a full group to commit.
class InFlight {
 public:
  explicit InFlight(int limit) : limit_(limit) {}
  void Acquire() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](InFlight* f) { return f->count_ < f->limit_; }, this));
    ++count_;
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    --count_;
  }
  void WaitIdle() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](InFlight* f) { return f->count_ == 0; }, this));
  }

 private:
  absl::Mutex mu_;
  const int limit_;
  int count_ = 0;
};

// Acknowledges each of `commands` as applied, as the POS adapter does within
// moments all year: a year's database holds no backlog of unanswered
// commands for start-up to load. Calls `done` once all are answered.
void AckEach(makegood::store::SqliteStore& store,
             const std::vector<makegood::v1::RemedyCommand>& commands,
             const makegood::store::RecoveryCall& adapter,
             std::atomic<int64_t>& failed, std::function<void()> done) {
  if (commands.empty()) {
    done();
    return;
  }
  auto left = std::make_shared<std::atomic<size_t>>(commands.size());
  for (const makegood::v1::RemedyCommand& command : commands) {
    makegood::v1::AckCommandRequest ack;
    ack.set_request_id(absl::StrCat("ack-", command.command_id()));
    ack.set_command_id(command.command_id());
    ack.set_result(makegood::v1::AckCommandRequest::APPLIED);
    store.AckCommand(adapter, ack,
                     [&failed, left,
                      done](absl::StatusOr<makegood::store::AckResult> acked) {
                       if (!acked.ok()) ++failed;
                       if (left->fetch_sub(1) == 1) done();
                     });
  }
}

// A year ending yesterday, `per_day` cases a day between 11:00 and 23:00.
void Generate(const std::string& path, int days, int per_day) {
  auto config = makegood::config::LoadConfigFile(MAKEGOOD_SAMPLE_CONFIG);
  if (!config.ok()) {
    std::cerr << config.status() << std::endl;
    std::exit(1);
  }
  // Spending limits would send most comps of a busy year to approval.
  config->mutable_authority()->clear_location_daily_budget();
  for (auto& role : *config->mutable_authority()->mutable_roles())
    role.clear_max_per_shift();
  auto rules = makegood::core::RecoveryRules::Compile(*config);
  makegood::store::SqliteStoreOptions options;
  options.path = path;
  auto store = makegood::store::SqliteStore::Open(options);
  if (!rules.ok() || !store.ok()) {
    std::cerr << "cannot open " << path << std::endl;
    std::exit(1);
  }
  (void)(*store)->RegisterLocation(config->location());
  absl::TimeZone tz;
  absl::LoadTimeZone(config->location().timezone(), &tz);
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), tz);
  InFlight in_flight(4000);
  std::atomic<int64_t> failed{0};
  const absl::Time started = absl::Now();
  int64_t n = 0;
  for (int d = days; d >= 1; --d) {
    const absl::CivilDay day = today - d;
    std::vector<OrderEvent> events;
    std::vector<std::pair<std::string, absl::Time>> flags;
    for (int i = 0; i < per_day; ++i, ++n) {
      const absl::Time opened =
          absl::FromCivil(absl::CivilSecond(day) + 11 * 3600 +
                              (i * int64_t{12 * 3600}) / per_day,
                          tz);
      const std::string check = absl::StrCat("B", n);
      OrderEvent open =
          makegood::testing::CheckOpened(check + "o", check, opened);
      open.mutable_check_opened()->set_server_id(kStaff[n % 2]);
      if (n % 5 == 0)
        open.mutable_check_opened()->set_guest_id(absl::StrCat("G", n % 20000));
      events.push_back(open);
      OrderEvent add = makegood::testing::ItemAdded(
          check + "a", check, kLineId, opened + absl::Minutes(2), 1800);
      add.mutable_item_added()->set_sku(absl::StrCat("SKU-", n % 60));
      add.mutable_item_added()->set_station(n % 3 == 0 ? "grill" : "line");
      events.push_back(add);
      OrderEvent pay = makegood::testing::BaseEvent(check + "p", check,
                                                    opened + absl::Minutes(70));
      pay.mutable_check_paid()->mutable_total()->set_minor_units(6500);
      pay.mutable_check_paid()->mutable_total()->set_currency("USD");
      // Paid after the flag (below) so that remedies fit the open check.
      flags.emplace_back(check, opened + absl::Minutes(25));
      events.push_back(pay);
    }
    // Events first without payments, then flags and applies, then payments.
    std::vector<OrderEvent> payments;
    std::vector<OrderEvent> rest;
    for (auto& e : events)
      (e.has_check_paid() ? payments : rest).push_back(std::move(e));
    if (!makegood::store::AppendEventsAndWait(**store, rest, absl::Now()).ok())
      ++failed;
    for (size_t i = 0; i < flags.size(); ++i) {
      const int64_t k = n - per_day + static_cast<int64_t>(i);
      makegood::v1::FlagProblemRequest flag;
      flag.set_request_id(absl::StrCat("bf", k));
      flag.set_check_id(flags[i].first);
      flag.add_line_ids(kLineId);
      flag.set_category_id(kCategories[k % 5]);
      flag.set_severity(makegood::v1::MINOR);
      const std::string actor = kStaff[k % 3];
      const makegood::v1::Role role =
          actor == "m-2" ? makegood::v1::MANAGER : makegood::v1::SERVER;
      makegood::store::RecoveryCall call;
      call.actor_id = actor;
      call.actor_role = role;
      call.now = flags[i].second;
      call.rules = &*rules;
      in_flight.Acquire();
      (*store)->FlagProblem(
          call, flag,
          [&, call, k](absl::StatusOr<makegood::store::RecoveryResult> r) {
            if (!r.ok()) {
              ++failed;
              in_flight.Release();
              return;
            }
            makegood::v1::ApplyRemedyRequest apply;
            apply.set_request_id(absl::StrCat("ba", k));
            apply.set_case_id(r->recovery.case_id());
            // A third of the cases are comped, the rest remade or
            // given the first thing offered.
            apply.set_option_id(
                k % 3 == 0 && r->recovery.options_size() > 1 ? "o2" : "o1");
            makegood::store::RecoveryCall later = call;
            later.now += absl::Minutes(3);
            (*store)->ApplyRemedy(
                later, apply,
                [&, later](absl::StatusOr<makegood::store::RecoveryResult> a) {
                  if (!a.ok()) {
                    ++failed;
                    in_flight.Release();
                    return;
                  }
                  makegood::store::RecoveryCall adapter = later;
                  adapter.actor_id = "pos-adapter";
                  adapter.actor_role = makegood::v1::ADAPTER;
                  adapter.now += absl::Seconds(5);
                  AckEach(**store, a->commands, adapter, failed,
                          [&] { in_flight.Release(); });
                });
          });
    }
    in_flight.WaitIdle();
    if (!makegood::store::AppendEventsAndWait(**store, payments, absl::Now())
             .ok())
      ++failed;
    if (d % 30 == 0) {
      std::cerr << "generated " << n << " cases ("
                << absl::ToInt64Seconds(absl::Now() - started) << " s)"
                << std::endl;
    }
  }
  (*store)->Shutdown();
  if (failed > 0) {
    std::cerr << failed << " writes failed while generating" << std::endl;
    std::exit(1);
  }
}

// The same days as the daemon sees them: the bounds of business days.
struct Period {
  std::string first_day, last_day;
  absl::Time start, end;
};

Period PeriodOf(const makegood::core::RecoveryRules& rules,
                absl::CivilDay first, absl::CivilDay last) {
  Period period{
      absl::FormatCivilTime(first), absl::FormatCivilTime(last), {}, {}};
  auto from = rules.BoundsOf(period.first_day);
  auto to = rules.BoundsOf(period.last_day);
  if (!from.ok() || !to.ok()) {
    std::cerr << "no business days " << period.first_day << ".."
              << period.last_day << std::endl;
    std::exit(1);
  }
  period.start = from->start;
  period.end = to->end;
  return period;
}

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }
double Ms(absl::Duration d) { return absl::ToDoubleMilliseconds(d); }

// Sorted durations of `runs` calls of `call`.
template <typename Call>
std::vector<absl::Duration> Time(int runs, Call call) {
  std::vector<absl::Duration> samples;
  for (int i = 0; i < runs; ++i) {
    const absl::Time start = absl::Now();
    call();
    samples.push_back(absl::Now() - start);
  }
  std::sort(samples.begin(), samples.end());
  return samples;
}

absl::Duration Median(const std::vector<absl::Duration>& sorted) {
  return sorted[sorted.size() / 2];
}

void ExitUnlessOk(const grpc::Status& status) {
  if (status.ok()) return;
  std::cerr << status.error_message() << std::endl;
  std::exit(1);
}

void Authorize(grpc::ClientContext& context) {
  context.AddMetadata("authorization", std::string("Bearer ") + kManagerToken);
}

// What the floor read: its rows, and a sum over every column of every row
// (integers, and the length and first byte of texts and blobs), printed so
// that no read can be left out.
struct FloorRead {
  int64_t rows = 0;
  uint64_t checksum = 0;

  FloorRead& operator+=(const FloorRead& other) {
    rows += other.rows;
    checksum += other.checksum;
    return *this;
  }
};

// Every column of the current row, read where SQLite holds it.
uint64_t TouchColumns(sqlite3_stmt* stmt) {
  uint64_t sum = 0;
  for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
    const int type = sqlite3_column_type(stmt, i);
    if (type == SQLITE_INTEGER) {
      sum += static_cast<uint64_t>(sqlite3_column_int64(stmt, i));
    } else if (type == SQLITE_TEXT || type == SQLITE_BLOB) {
      const auto* bytes = static_cast<const unsigned char*>(
          type == SQLITE_TEXT ? sqlite3_column_text(stmt, i)
                              : sqlite3_column_blob(stmt, i));
      const int size = sqlite3_column_bytes(stmt, i);
      sum += static_cast<uint64_t>(size) + (size > 0 ? bytes[0] : 0);
    }
  }
  return sum;
}

void IgnoreRow(sqlite3_stmt*) {}

// One statement of the floor on the sqlite3 C API, prepared once (as the
// store caches its statements): bound, stepped to its end, every column
// read in place, nothing copied or kept. Exits on an error.
class FloorStatement {
 public:
  FloorStatement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_,
                           nullptr) != SQLITE_OK) {
      Exit(sql);
    }
  }
  FloorStatement(const FloorStatement&) = delete;
  FloorStatement& operator=(const FloorStatement&) = delete;
  ~FloorStatement() { sqlite3_finalize(stmt_); }

  FloorStatement& Bind(int index, int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
  }
  FloorStatement& Bind(int index, absl::string_view text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                      SQLITE_TRANSIENT);
    return *this;
  }

  // Steps every row, showing each to `row` once it is read; then resets,
  // so that the statement is bound and run again.
  FloorRead Run(absl::FunctionRef<void(sqlite3_stmt*)> row = IgnoreRow) {
    FloorRead read;
    int step;
    while ((step = sqlite3_step(stmt_)) == SQLITE_ROW) {
      ++read.rows;
      read.checksum += TouchColumns(stmt_);
      row(stmt_);
    }
    if (step != SQLITE_DONE) Exit(sqlite3_sql(stmt_));
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    return read;
  }

 private:
  [[noreturn]] void Exit(const char* sql) {
    std::cerr << "floor: " << sqlite3_errmsg(db_) << ": " << sql << std::endl;
    std::exit(1);
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// What EndOfDay reads for the day's cases, as one statement of the bench's
// own. The report runs report_sql::kDayCases, then report_sql::kFlaggedLine
// for each line id in each case's body; the store keeps those ids in the
// body only (no table holds a case's lines), and the floor parses no body.
// So it joins each case to line kLineId (?4) of its check, the one line
// every generated case flags: the same case rows through the same index
// (cases_by_time) and the same line rows through line_items' primary key.
// What it leaves out is the report's separate statement per line (a bind,
// step and reset each), beside the parsing. Not taken from report_sql.h:
// it must be changed by hand with kDayCases and kFlaggedLine.
constexpr char kFloorDayCasesWithLines[] =
    "SELECT c.body, coalesce(c.guest_id, ''), coalesce(l.sku, ''), "
    "coalesce(l.name, ''), coalesce(l.station, '') FROM cases c "
    "LEFT JOIN line_items l ON l.location_id=c.location_id AND "
    "l.check_id=c.check_id AND l.line_id=?4 WHERE c.location_id=?1 AND "
    "c.flagged_at_us>=?2 AND c.flagged_at_us<?3 "
    "ORDER BY c.flagged_at_us, c.case_id";

// The floor's own read-only connection to the bench database, with the page
// cache a report's read has in makegoodd, and its statements.
class Floor {
 public:
  explicit Floor(const std::string& path)
      : db_(Open(path)),
        day_cases_(db_->raw(), kFloorDayCasesWithLines),
        latest_case_of_guest_(db_->raw(), report_sql::kLatestCaseOfGuest),
        day_checks_(db_->raw(), report_sql::kDayChecks),
        day_codes_(db_->raw(), report_sql::kDayCodes),
        day_follow_ups_(db_->raw(), report_sql::kDayFollowUps),
        staff_checks_(db_->raw(), report_sql::kStaffChecks),
        staff_comps_(db_->raw(), report_sql::kStaffComps),
        staff_cases_(db_->raw(), report_sql::kStaffCases) {}

  // What ReadDayRows and then ReadStaffRows of the day read (EndOfDay), in
  // a read transaction each.
  FloorRead Day(absl::string_view location, const Period& day) {
    FloorRead read = InReadTransaction([&] {
      FloorRead cases = day_cases_.Bind(1, location)
                            .Bind(2, Micros(day.start))
                            .Bind(3, Micros(day.end))
                            .Bind(4, kLineId)
                            .Run();
      cases += GuestReturns(location, day);
      cases += Bounded(day_codes_, location, day).Run();
      cases += Bounded(day_follow_ups_, location, day).Run();
      return cases;
    });
    read += Staff(location, day);
    return read;
  }

  // What StreamStaffRows reads (StaffReport, and EndOfDay's outliers), in
  // one read transaction.
  FloorRead Staff(absl::string_view location, const Period& period) {
    return InReadTransaction([&] {
      FloorRead read = Bounded(staff_checks_, location, period).Run();
      read += staff_comps_.Bind(1, location)
                  .Bind(2, period.first_day)
                  .Bind(3, period.last_day)
                  .Run();
      read += Bounded(staff_cases_, location, period).Run();
      return read;
    });
  }

 private:
  static std::unique_ptr<makegood::sqlite::Connection> Open(
      const std::string& path) {
    auto db = makegood::sqlite::Connection::OpenReadOnly(path,
                                                         /*immutable=*/false);
    if (!db.ok()) {
      std::cerr << "floor: " << db.status() << std::endl;
      std::exit(1);
    }
    const std::string cache =
        absl::StrCat("PRAGMA cache_size=", -report_sql::kReportCacheKiB);
    if (auto s = (*db)->Exec(cache.c_str()); !s.ok()) {
      std::cerr << "floor: " << s << std::endl;
      std::exit(1);
    }
    return *std::move(db);
  }

  // `read` between BEGIN and COMMIT, as the store runs a report's read:
  // its statements share one snapshot. Exits on an error.
  FloorRead InReadTransaction(absl::FunctionRef<FloorRead()> read) {
    if (auto s = db_->Exec("BEGIN"); !s.ok()) {
      std::cerr << "floor: " << s << std::endl;
      std::exit(1);
    }
    const FloorRead result = read();
    if (auto s = db_->Exec("COMMIT"); !s.ok()) {
      std::cerr << "floor: " << s << std::endl;
      std::exit(1);
    }
    return result;
  }

  static FloorStatement& Bounded(FloorStatement& stmt,
                                 absl::string_view location,
                                 const Period& period) {
    return stmt.Bind(1, location)
        .Bind(2, Micros(period.start))
        .Bind(3, Micros(period.end));
  }

  // The day's checks, then each guest's latest case before their check.
  FloorRead GuestReturns(absl::string_view location, const Period& day) {
    std::vector<std::pair<std::string, int64_t>> guests;
    FloorRead read =
        Bounded(day_checks_, location, day).Run([&](sqlite3_stmt* row) {
          const int size = sqlite3_column_bytes(row, 1);
          if (size == 0) return;
          guests.emplace_back(std::string(reinterpret_cast<const char*>(
                                              sqlite3_column_text(row, 1)),
                                          size),
                              sqlite3_column_int64(row, 2));
        });
    for (const auto& [guest, at] : guests) {
      read += latest_case_of_guest_.Bind(1, location)
                  .Bind(2, guest)
                  .Bind(3, at)
                  .Run();
    }
    return read;
  }

  // Declared first: the statements are finalized before it closes.
  std::unique_ptr<makegood::sqlite::Connection> db_;
  FloorStatement day_cases_, latest_case_of_guest_, day_checks_, day_codes_,
      day_follow_ups_, staff_checks_, staff_comps_, staff_cases_;
};

// makegoodd's peak resident set so far (VmHWM), in MiB; -1 when unreadable.
double PeakRssMiB(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    absl::string_view value = line;
    if (!absl::ConsumePrefix(&value, "VmHWM:")) continue;
    value = absl::StripAsciiWhitespace(value);
    absl::ConsumeSuffix(&value, "kB");
    int64_t kib = 0;
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(value), &kib))
      return static_cast<double>(kib) / 1024;
  }
  return -1;
}

void PrintPeakRss(pid_t pid, absl::string_view after) {
  std::cout << "  makegoodd peak RSS (VmHWM) after " << after << ": "
            << PeakRssMiB(pid) << " MiB" << std::endl;
}

// A report's median against its floor's, and the 3x target.
void PrintAgainstFloor(absl::string_view what,
                       const std::vector<absl::Duration>& report,
                       const std::vector<absl::Duration>& floor,
                       const FloorRead& read) {
  const double ratio = Ms(Median(report)) / Ms(Median(floor));
  std::cout << what << ": median " << Ms(Median(report)) << " ms, max "
            << Ms(report.back()) << " ms over " << report.size() << " runs\n"
            << "  floor (the same rows straight from SQLite, " << read.rows
            << " rows, checksum " << read.checksum << "): median "
            << Ms(Median(floor)) << " ms, max " << Ms(floor.back())
            << " ms over " << floor.size() << " runs\n"
            << "  " << ratio << "x the floor; target within 3x: "
            << (ratio <= 3 ? "met" : "NOT met") << std::endl;
}

using Stub = makegood::v1::ReportService::Stub;

void MeasureEndOfDay(Stub& stub, Floor& floor, absl::string_view location,
                     const Period& day, int runs) {
  makegood::v1::EndOfDayRequest request;
  request.set_business_date(day.first_day);
  makegood::v1::EndOfDayReport report;
  const auto report_times = Time(runs, [&] {
    grpc::ClientContext context;
    Authorize(context);
    ExitUnlessOk(stub.EndOfDay(&context, request, &report));
  });
  FloorRead read;
  const auto floor_times = Time(runs, [&] { read = floor.Day(location, day); });
  PrintAgainstFloor(
      absl::StrCat("EndOfDay ", day.first_day, " (", report.cases(), " cases)"),
      report_times, floor_times, read);
}

void MeasureStaffReport(Stub& stub, Floor& floor, absl::string_view location,
                        const Period& period, int runs) {
  makegood::v1::StaffReportRequest request;
  request.set_from_date(period.first_day);
  request.set_to_date(period.last_day);
  makegood::v1::StaffReportResponse report;
  const auto report_times = Time(runs, [&] {
    grpc::ClientContext context;
    Authorize(context);
    ExitUnlessOk(stub.StaffReport(&context, request, &report));
  });
  FloorRead read;
  const auto floor_times =
      Time(runs, [&] { read = floor.Staff(location, period); });
  int comps = 0;
  for (const auto& s : report.totals()) comps += s.comp_count();
  PrintAgainstFloor(
      absl::StrCat("StaffReport ", period.first_day, "..", period.last_day,
                   " (", report.shifts_size(), " shifts, ", comps, " comps, ",
                   report.findings_size(), " findings)"),
      report_times, floor_times, read);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Report latency and memory on a year of a busy location",
               "report_bench"};
  std::string db = "report_bench.db";
  int days = 365;
  int per_day = 2740;
  int runs = 7;
  int year_runs = 3;
  app.add_option("--db", db,
                 "Database to read; generated first when it does not exist")
      ->capture_default_str();
  app.add_option("--days", days, "Days of history to generate")
      ->capture_default_str();
  app.add_option("--cases-per-day", per_day, "Cases a day to generate")
      ->capture_default_str();
  app.add_option("--runs", runs,
                 "Timed runs of EndOfDay, the 30-day StaffReport and their "
                 "floors")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--year-runs", year_runs,
                 "Timed runs of the 365-day StaffReport and its floor")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  if (!std::filesystem::exists(db)) {
    std::cerr << "generating " << days << " days x " << per_day
              << " cases into " << db << std::endl;
    Generate(db, days, per_day);
  }
  auto config = makegood::config::LoadConfigFile(MAKEGOOD_SAMPLE_CONFIG);
  if (!config.ok()) {
    std::cerr << config.status() << std::endl;
    return 1;
  }
  auto rules = makegood::core::RecoveryRules::Compile(*config);
  if (!rules.ok()) {
    std::cerr << rules.status() << std::endl;
    return 1;
  }
  const std::string& location = config->location().id();

  makegood::testing::TempDir dir;
  const absl::Time launched = absl::Now();
  auto daemon = makegood::testing::DaemonProcess::Start(
      MAKEGOODD_BIN,
      {"--config", MAKEGOOD_SAMPLE_CONFIG, "--listen", "127.0.0.1:0", "--http",
       "127.0.0.1:0", "--db", db},
      dir.File("makegoodd.log"));
  const absl::Duration startup = absl::Now() - launched;
  if (!daemon.ok()) {
    std::cerr << daemon.status() << std::endl;
    return 1;
  }
  const pid_t pid = (*daemon)->pid();
  std::cout << "database: " << db << " (" << days << " days x " << per_day
            << " cases)\n"
            << "start-up (until makegoodd listens): " << Ms(startup)
            << " ms; target < 200 ms: "
            << (startup < absl::Milliseconds(200) ? "met" : "NOT met")
            << std::endl;
  PrintPeakRss(pid, "start-up");

  // A year's staff report is larger than gRPC's default 4 MiB.
  grpc::ChannelArguments channel_args;
  channel_args.SetMaxReceiveMessageSize(-1);
  auto stub = makegood::v1::ReportService::NewStub(grpc::CreateCustomChannel(
      (*daemon)->address(), grpc::InsecureChannelCredentials(), channel_args));
  Floor floor(db);
  const absl::CivilDay yesterday =
      absl::ToCivilDay(absl::Now(), rules->time_zone()) - 1;

  MeasureEndOfDay(*stub, floor, location,
                  PeriodOf(*rules, yesterday, yesterday), runs);
  PrintPeakRss(pid, "EndOfDay");
  MeasureStaffReport(*stub, floor, location,
                     PeriodOf(*rules, yesterday - 29, yesterday), runs);
  PrintPeakRss(pid, "the 30-day StaffReport");
  MeasureStaffReport(*stub, floor, location,
                     PeriodOf(*rules, yesterday - 364, yesterday), year_runs);
  const double peak = PeakRssMiB(pid);
  std::cout << "  makegoodd peak RSS (VmHWM) after the 365-day StaffReport: "
            << peak << " MiB; target < 128 MiB: "
            << (peak >= 0 && peak < 128 ? "met" : "NOT met") << std::endl;
  return 0;
}
