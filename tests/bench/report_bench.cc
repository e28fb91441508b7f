// Report latency on a year of a busy location.
//
// Generates (once; the file is reused when it exists) a database holding
// one year of about 1,000,000 recovery cases, each on its own check with
// its events, written through the store's own write path (SqliteStore, the
// code makegoodd runs) at their historical times. Then starts makegoodd on
// it and times, over gRPC, the end-of-day report of one day and the staff
// report of 30 days. Targets: under 100 ms and under 1 s.

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iostream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "config/config_loader.h"
#include "core/recovery_rules.h"
#include "makegood/v1/report.grpc.pb.h"
#include "store/sqlite_store.h"
#include "support/process.h"
#include "support/sample_events.h"
#include "support/temp_dir.h"

namespace {

using makegood::v1::OrderEvent;

constexpr char kManagerToken[] = "demo-manager-lee";
const char* const kStaff[] = {"s-17", "s-22", "m-2"};
const char* const kCategories[] = {"cold_food", "wrong_item", "quality",
                                   "long_wait", "missing_item"};

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
          check + "a", check, "1", opened + absl::Minutes(2), 1800);
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
      flag.add_line_ids("1");
      flag.set_category_id(kCategories[k % 5]);
      flag.set_severity(makegood::v1::MINOR);
      const std::string actor = kStaff[k % 3];
      const makegood::v1::Role role =
          actor == "m-2" ? makegood::v1::MANAGER : makegood::v1::SERVER;
      const makegood::store::RecoveryCall call{actor, role, flags[i].second,
                                               &*rules};
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
                [&](absl::StatusOr<makegood::store::RecoveryResult> a) {
                  if (!a.ok()) ++failed;
                  in_flight.Release();
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

template <typename Call>
std::vector<absl::Duration> Time(int runs, Call call) {
  std::vector<absl::Duration> samples;
  for (int i = 0; i < runs; ++i) {
    const absl::Time start = absl::Now();
    grpc::Status status = call();
    samples.push_back(absl::Now() - start);
    if (!status.ok()) {
      std::cerr << status.error_message() << std::endl;
      std::exit(1);
    }
  }
  std::sort(samples.begin(), samples.end());
  return samples;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Report latency on a year of a busy location", "report_bench"};
  std::string db = "report_bench.db";
  int days = 365;
  int per_day = 2740;
  int runs = 7;
  app.add_option("--db", db,
                 "Database to read; generated first when it does not exist")
      ->capture_default_str();
  app.add_option("--days", days, "Days of history to generate")
      ->capture_default_str();
  app.add_option("--cases-per-day", per_day, "Cases a day to generate")
      ->capture_default_str();
  app.add_option("--runs", runs, "Timed runs of each report")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  if (!std::filesystem::exists(db)) {
    std::cerr << "generating " << days << " days x " << per_day
              << " cases into " << db << std::endl;
    Generate(db, days, per_day);
  }
  makegood::testing::TempDir dir;
  auto daemon = makegood::testing::DaemonProcess::Start(
      MAKEGOODD_BIN,
      {"--config", MAKEGOOD_SAMPLE_CONFIG, "--listen", "127.0.0.1:0", "--http",
       "127.0.0.1:0", "--db", db},
      dir.File("makegoodd.log"));
  if (!daemon.ok()) {
    std::cerr << daemon.status() << std::endl;
    return 1;
  }
  auto stub = makegood::v1::ReportService::NewStub(grpc::CreateChannel(
      (*daemon)->address(), grpc::InsecureChannelCredentials()));
  absl::TimeZone tz;
  absl::LoadTimeZone("America/New_York", &tz);
  const absl::CivilDay yesterday = absl::ToCivilDay(absl::Now(), tz) - 1;
  const auto date = [](absl::CivilDay d) { return absl::FormatCivilTime(d); };

  makegood::v1::EndOfDayRequest eod;
  eod.set_business_date(date(yesterday));
  makegood::v1::EndOfDayReport day_report;
  const auto eod_times = Time(runs, [&] {
    grpc::ClientContext context;
    context.AddMetadata("authorization",
                        std::string("Bearer ") + kManagerToken);
    return stub->EndOfDay(&context, eod, &day_report);
  });
  makegood::v1::StaffReportRequest staff;
  staff.set_from_date(date(yesterday - 29));
  staff.set_to_date(date(yesterday));
  makegood::v1::StaffReportResponse staff_report;
  const auto staff_times = Time(runs, [&] {
    grpc::ClientContext context;
    context.AddMetadata("authorization",
                        std::string("Bearer ") + kManagerToken);
    return stub->StaffReport(&context, staff, &staff_report);
  });
  int shift_comps = 0;
  for (const auto& s : staff_report.totals()) shift_comps += s.comp_count();

  std::cout << "database: " << db << " (" << days << " days x " << per_day
            << " cases)\n"
            << "EndOfDay " << eod.business_date() << " (" << day_report.cases()
            << " cases): median "
            << absl::ToDoubleMilliseconds(eod_times[eod_times.size() / 2])
            << " ms, max " << absl::ToDoubleMilliseconds(eod_times.back())
            << " ms over " << runs << " runs; target < 100 ms: "
            << (eod_times[eod_times.size() / 2] < absl::Milliseconds(100)
                    ? "met"
                    : "NOT met")
            << "\n"
            << "StaffReport " << staff.from_date() << ".." << staff.to_date()
            << " (" << staff_report.shifts_size() << " shifts, " << shift_comps
            << " comps): median "
            << absl::ToDoubleMilliseconds(staff_times[staff_times.size() / 2])
            << " ms, max " << absl::ToDoubleMilliseconds(staff_times.back())
            << " ms over " << runs << " runs; target < 1 s: "
            << (staff_times[staff_times.size() / 2] < absl::Seconds(1)
                    ? "met"
                    : "NOT met")
            << std::endl;
  return 0;
}
