// Reports through the real makegoodd: a business day written through the
// store's own write path at known times (a real SQLite file), then read
// back over gRPC and through the CLI in every format.

#include <fstream>
#include <sstream>

#include "absl/synchronization/notification.h"
#include "config/config_loader.h"
#include "core/proto_time.h"
#include "core/recovery_rules.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "integration/daemon_fixture.h"
#include "store/sqlite_store.h"
#include "support/csv_reader.h"

namespace makegood {
namespace {

using makegood::testing::BaseEvent;
using makegood::testing::CheckOpened;
using makegood::testing::ItemAdded;
using makegood::testing::ItemFired;
using TimeUtil = google::protobuf::util::TimeUtil;
using v1::RecoveryCase;

const absl::TimeZone& NewYork() {
  static const absl::TimeZone* tz = [] {
    auto* zone = new absl::TimeZone;
    absl::LoadTimeZone("America/New_York", zone);
    return zone;
  }();
  return *tz;
}

absl::Time Local(int month, int day, int hour, int minute) {
  return absl::FromCivil(absl::CivilMinute(2026, month, day, hour, minute),
                         NewYork());
}

// Writes a business day through SqliteStore with the times it names.
class DayWriter {
 public:
  explicit DayWriter(const std::string& path) {
    auto config = config::LoadConfigFile(MAKEGOOD_SAMPLE_CONFIG);
    EXPECT_TRUE(config.ok()) << config.status();
    rules_ = std::make_unique<core::RecoveryRules>(
        *core::RecoveryRules::Compile(*config));
    store::SqliteStoreOptions options;
    options.path = path;
    auto store = store::SqliteStore::Open(options);
    EXPECT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    EXPECT_TRUE(store_->RegisterLocation(config->location()).ok());
  }
  ~DayWriter() { store_->Shutdown(); }

  // A check served by `server` with one line (sku, name, station, price),
  // not paid yet.
  void Check(const std::string& id, const std::string& server,
             const std::string& guest, absl::Time opened,
             const std::string& sku, const std::string& name,
             const std::string& station, int64_t price) {
    std::vector<OrderEvent> events;
    OrderEvent open = CheckOpened(id + "-open", id, opened);
    open.mutable_check_opened()->set_server_id(server);
    open.mutable_check_opened()->set_guest_id(guest);
    events.push_back(open);
    OrderEvent add = ItemAdded(id + "-add", id, "1", opened, price);
    add.mutable_item_added()->set_sku(sku);
    add.mutable_item_added()->set_name(name);
    add.mutable_item_added()->set_station(station);
    events.push_back(add);
    events.push_back(
        ItemFired(id + "-fire", id, "1", opened + absl::Minutes(20)));
    Append(events, opened);
  }
  // Queues the check's payment for the next Append.
  void Pay(const std::string& id, absl::Time at, int64_t total) {
    OrderEvent pay = BaseEvent(id + "-paid", id, at);
    pay.mutable_check_paid()->mutable_total()->set_minor_units(total);
    pay.mutable_check_paid()->mutable_total()->set_currency("USD");
    pending_.push_back(pay);
  }
  void Redeem(const std::string& check, const std::string& code, absl::Time at,
              int64_t amount) {
    OrderEvent redeem = BaseEvent(check + "-code", check, at);
    redeem.mutable_discount_code_redeemed()->set_code(code);
    redeem.mutable_discount_code_redeemed()->mutable_amount()->set_minor_units(
        amount);
    redeem.mutable_discount_code_redeemed()->mutable_amount()->set_currency(
        "USD");
    Append({redeem}, at);
  }
  void Append(std::vector<OrderEvent> events, absl::Time at) {
    for (auto& e : pending_) events.push_back(e);
    pending_.clear();
    auto results = store::AppendEventsAndWait(*store_, events, at);
    ASSERT_TRUE(results.ok()) << results.status();
    for (const auto& r : *results)
      ASSERT_EQ(r.outcome, store::EventOutcome::kAccepted) << r.reason;
  }

  RecoveryCase Flag(const std::string& by, v1::Role role, absl::Time at,
                    const std::string& check, const std::string& category,
                    v1::Severity severity, bool consent = false) {
    v1::FlagProblemRequest request;
    request.set_request_id(absl::StrCat("flag-", ++requests_));
    request.set_check_id(check);
    request.add_line_ids("1");
    // Each flag of a written day is a problem of its own.
    request.set_new_problem(true);
    request.set_category_id(category);
    request.set_severity(severity);
    if (consent) {
      request.mutable_guest_contact()->set_name("Ada Guest");
      request.mutable_guest_contact()->set_email("ada@example.com");
      request.mutable_guest_contact()->set_follow_up_consent(true);
    }
    return Wait([&](auto done) {
      store_->FlagProblem(Call(by, role, at), request, done);
    });
  }
  RecoveryCase Apply(const std::string& by, v1::Role role, absl::Time at,
                     const std::string& case_id, const std::string& option,
                     std::vector<std::string> extras = {}) {
    v1::ApplyRemedyRequest request;
    request.set_request_id(absl::StrCat("apply-", ++requests_));
    request.set_case_id(case_id);
    request.set_option_id(option);
    for (const auto& e : extras) request.add_extra_option_ids(e);
    return Wait([&](auto done) {
      store_->ApplyRemedy(Call(by, role, at), request, done);
    });
  }
  RecoveryCase Approve(absl::Time at, const RecoveryCase& c) {
    v1::ApproveRemedyRequest request;
    request.set_request_id(absl::StrCat("approve-", ++requests_));
    request.set_case_id(c.case_id());
    request.set_remedy_application_id(
        c.remedies(c.remedies_size() - 1).remedy_application_id());
    request.set_approve(true);
    return Wait([&](auto done) {
      store_->ApproveRemedy(Call("m-2", v1::MANAGER, at), request, done);
    });
  }
  RecoveryCase Outcome(const std::string& by, v1::Role role, absl::Time at,
                       const std::string& case_id, v1::GuestResponse response,
                       v1::RootCause cause, const std::string& action) {
    v1::RecordOutcomeRequest request;
    request.set_request_id(absl::StrCat("outcome-", ++requests_));
    request.set_case_id(case_id);
    request.set_guest_response(response);
    request.set_root_cause(cause);
    request.set_action_taken(action);
    return Wait([&](auto done) {
      store_->RecordOutcome(Call(by, role, at), request, done);
    });
  }

 private:
  store::RecoveryCall Call(const std::string& by, v1::Role role,
                           absl::Time at) {
    return store::RecoveryCall{by, role, at, rules_.get()};
  }
  template <typename Submit>
  RecoveryCase Wait(Submit submit) {
    absl::Notification done;
    absl::StatusOr<store::RecoveryResult> result;
    submit([&](absl::StatusOr<store::RecoveryResult> r) {
      result = std::move(r);
      done.Notify();
    });
    done.WaitForNotification();
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? result->recovery : RecoveryCase();
  }

  std::unique_ptr<core::RecoveryRules> rules_;
  std::unique_ptr<store::SqliteStore> store_;
  std::vector<OrderEvent> pending_;
  // Request ids stay unique across writers of one database.
  static inline int requests_ = 0;
};

// 2026-11-20 at Harbor Street Kitchen (times local, EST):
//  - D1 (Dana, guest G-100) 18:00, ribeye 42.00; the guest's 20% code from
//    a case on Oct 1 is redeemed on it at 20:25 for 10.00; paid 120.00.
//  - C1 18:00 check, flagged cold (MAJOR) by Dana at 19:00; she asks to
//    comp it (42.00, over her 25.00 limit) at 19:04, Lee approves at 19:06;
//    accepted 19:20, cause KITCHEN.
//  - D2 (Marco) 18:30, ribeye; C2 flagged cold (MINOR) by Marco at 19:30,
//    refire 19:31, guest left 19:40, KITCHEN; contact with consent. Paid
//    90.00.
//  - D3 (Dana) 19:00, ribeye; C3 flagged cold at 20:15, refire 20:18, no
//    outcome: open at day end. Paid 80.00.
//  - D4 (Marco) 21:00, red wine 15.00 at the bar; C4 flagged wrong item by
//    Lee at 21:30, comped by Lee at 21:32 (15.00), accepted 21:35,
//    FRONT_OF_HOUSE. Not paid.
//  - E1: a case of Nov 13 whose follow-up falls due on Nov 20.
class ReportDayTest : public DaemonTest {
 protected:
  void SetUp() override {
    {
      DayWriter day(db_path());
      // Oct 1: G-100's first visit, a code for next time.
      day.Check("D0", "s-17", "G-100", Local(10, 1, 18, 0), "RIBEYE-12",
                "Ribeye 12oz", "grill", 4200);
      RecoveryCase e0 = day.Flag("s-17", v1::SERVER, Local(10, 1, 19, 0), "D0",
                                 "cold_food", v1::MAJOR);
      RecoveryCase e0_applied = day.Apply(
          "s-17", v1::SERVER, Local(10, 1, 19, 5), e0.case_id(), "o1", {"x2"});
      for (const auto& r : e0_applied.remedies()) {
        if (!r.discount_code().empty()) code_ = r.discount_code();
      }
      ASSERT_FALSE(code_.empty()) << e0_applied.DebugString();
      // Nov 13: a case with consent, follow-up due Nov 20 19:00.
      day.Check("D5", "s-22", "", Local(11, 13, 18, 0), "RIBEYE-12",
                "Ribeye 12oz", "grill", 4200);
      day.Flag("s-22", v1::SERVER, Local(11, 13, 19, 0), "D5", "quality",
               v1::MINOR, /*consent=*/true);

      day.Check("D1", "s-17", "G-100", Local(11, 20, 18, 0), "RIBEYE-12",
                "Ribeye 12oz", "grill", 4200);
      day.Check("D2", "s-22", "", Local(11, 20, 18, 30), "RIBEYE-12",
                "Ribeye 12oz", "grill", 4200);
      day.Check("D3", "s-17", "", Local(11, 20, 19, 0), "RIBEYE-12",
                "Ribeye 12oz", "grill", 4200);
      day.Check("D4", "s-22", "", Local(11, 20, 21, 0), "WINE-RED", "Red wine",
                "bar", 1500);

      RecoveryCase c1 = day.Flag("s-17", v1::SERVER, Local(11, 20, 19, 0), "D1",
                                 "cold_food", v1::MAJOR);
      c1 = day.Apply("s-17", v1::SERVER, Local(11, 20, 19, 4), c1.case_id(),
                     "o2");
      ASSERT_EQ(c1.status(), RecoveryCase::PENDING_APPROVAL);
      day.Approve(Local(11, 20, 19, 6), c1);
      day.Outcome("s-17", v1::SERVER, Local(11, 20, 19, 20), c1.case_id(),
                  v1::ACCEPTED, v1::KITCHEN, "Retrain the pass on plate heat");
      RecoveryCase c2 =
          day.Flag("s-22", v1::SERVER, Local(11, 20, 19, 30), "D2", "cold_food",
                   v1::MINOR, /*consent=*/true);
      day.Apply("s-22", v1::SERVER, Local(11, 20, 19, 31), c2.case_id(), "o1");
      day.Outcome("s-22", v1::SERVER, Local(11, 20, 19, 40), c2.case_id(),
                  v1::LEFT, v1::KITCHEN, "Fix the heat lamp");
      RecoveryCase c3 = day.Flag("s-17", v1::SERVER, Local(11, 20, 20, 15),
                                 "D3", "cold_food", v1::MINOR);
      day.Apply("s-17", v1::SERVER, Local(11, 20, 20, 18), c3.case_id(), "o1");
      open_case_ = c3.case_id();
      RecoveryCase c4 = day.Flag("m-2", v1::MANAGER, Local(11, 20, 21, 30),
                                 "D4", "wrong_item", v1::MINOR);
      day.Apply("m-2", v1::MANAGER, Local(11, 20, 21, 32), c4.case_id(), "o2");
      day.Outcome("m-2", v1::MANAGER, Local(11, 20, 21, 35), c4.case_id(),
                  v1::ACCEPTED, v1::FRONT_OF_HOUSE, "Read back orders");
      day.Redeem("D1", code_, Local(11, 20, 20, 25), 1000);
      day.Pay("D1", Local(11, 20, 20, 30), 12000);
      day.Pay("D2", Local(11, 20, 21, 0), 9000);
      day.Pay("D3", Local(11, 20, 21, 30), 8000);
      day.Append({}, Local(11, 20, 21, 30));
    }
    StartDaemon();
  }

  v1::EndOfDayReport EndOfDay(const std::string& date) {
    auto stub = v1::ReportService::NewStub(channel_);
    v1::EndOfDayRequest request;
    request.set_business_date(date);
    v1::EndOfDayReport report;
    grpc::Status status =
        stub->EndOfDay(Context(kManagerToken).get(), request, &report);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return report;
  }

  std::string code_;
  std::string open_case_;
};

std::map<std::string, std::pair<int, int64_t>> RowsOf(
    const google::protobuf::RepeatedPtrField<v1::CountRow>& rows) {
  std::map<std::string, std::pair<int, int64_t>> out;
  for (const auto& row : rows)
    out[row.key()] = {row.count(), row.cost().minor_units()};
  return out;
}

using Counts = std::map<std::string, std::pair<int, int64_t>>;

TEST_F(ReportDayTest, EndOfDayMatchesTheHandComputedDay) {
  const v1::EndOfDayReport r = EndOfDay("2026-11-20");
  EXPECT_EQ(r.location_name(), "Harbor Street Kitchen");
  EXPECT_EQ(core::FromProto(r.day_start()), Local(11, 20, 4, 0));
  EXPECT_EQ(core::FromProto(r.day_end()), Local(11, 21, 4, 0));
  EXPECT_EQ(r.cases(), 4);
  // C1 comp, C2 refire, C3 refire, C4 comp.
  EXPECT_EQ(r.remedies(), 4);
  // 42.00 + 15.00 in comps, plus the 10.00 code redeemed today.
  EXPECT_EQ(r.recovery_cost().minor_units(), 6700);
  // D1 120.00 + D2 90.00 + D3 80.00 (D4 unpaid).
  EXPECT_EQ(r.sales().minor_units(), 29000);
  // 6700 / 29000 = 23.10%.
  EXPECT_EQ(r.cost_share_bps(), 2310);
  EXPECT_EQ(RowsOf(r.by_category()), (Counts{{"cold_food", {3, 4200 + 1000}},
                                             {"wrong_item", {1, 1500}}}));
  EXPECT_EQ(RowsOf(r.by_item()),
            (Counts{{"RIBEYE-12", {3, 4200}}, {"WINE-RED", {1, 1500}}}));
  EXPECT_EQ(RowsOf(r.by_station()),
            (Counts{{"grill", {3, 4200}}, {"bar", {1, 1500}}}));
  EXPECT_EQ(RowsOf(r.by_hour()),
            (Counts{{"19", {2, 4200}}, {"20", {1, 0}}, {"21", {1, 1500}}}));
  EXPECT_EQ(
      RowsOf(r.by_flagged_by()),
      (Counts{{"s-17", {2, 4200}}, {"s-22", {1, 0}}, {"m-2", {1, 1500}}}));
  EXPECT_EQ(RowsOf(r.by_approver()), (Counts{{"m-2", {1, 4200}}}));
  EXPECT_EQ(RowsOf(r.remedies_by_kind()),
            (Counts{{"COMP_ITEM", {2, 5700}},
                    {"REMAKE", {2, 0}},
                    {"DISCOUNT_CODE", {0, 1000}}}));
  // Responses: 6 (approved at 19:06), 1, 3 and 2 minutes.
  EXPECT_EQ(TimeUtil::DurationToSeconds(r.response_p50()), 120);
  EXPECT_EQ(TimeUtil::DurationToSeconds(r.response_p90()), 360);
  EXPECT_EQ(TimeUtil::DurationToSeconds(r.response_max()), 360);
  EXPECT_EQ(r.accepted(), 2);
  EXPECT_EQ(r.declined(), 0);
  EXPECT_EQ(r.left(), 1);
  EXPECT_EQ(r.open_at_day_end(), 1);
  EXPECT_THAT(r.open_case_ids(), ::testing::ElementsAre(open_case_));
  EXPECT_EQ(r.codes_issued(), 0);
  EXPECT_EQ(r.codes_redeemed(), 1);
  EXPECT_EQ(r.codes_redeemed_value().minor_units(), 1000);
  EXPECT_EQ(r.follow_ups_due(), 1);
  EXPECT_EQ(r.follow_ups_done(), 0);
  // G-100 came back 50 days after the Oct 1 case and paid 120.00.
  ASSERT_EQ(r.won_back_size(), 3);
  EXPECT_EQ(r.won_back(0).guests(), 0);
  EXPECT_EQ(r.won_back(1).guests(), 1);
  EXPECT_EQ(r.won_back(1).spent().minor_units(), 12000);
  EXPECT_EQ(r.won_back(2).guests(), 1);
  ASSERT_EQ(r.recurring_size(), 2);
  EXPECT_EQ(r.recurring(0).description(),
            "Ribeye 12oz flagged 3 times for Cold food between 19:00 and "
            "20:15");
  EXPECT_EQ(r.recurring(1).description(),
            "Station grill flagged 3 times for Cold food between 19:00 and "
            "20:15");
  // Dana 42.00 of 200.00 = 21.00%; Marco 0 of 90.00: median 10.50%.
  ASSERT_EQ(r.staff_outliers_size(), 1);
  EXPECT_EQ(r.staff_outliers(0).staff_id(), "s-17");
  EXPECT_EQ(r.staff_outliers(0).reason(),
            "comp share 21.00% is 2.0x the median 10.50%");
}

TEST_F(ReportDayTest, CliWritesEveryFormatAndEachParsesBack) {
  CommandResult json =
      Cli({"report", "eod", "--date", "2026-11-20", "--format", "json"},
          kReporterToken);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  v1::EndOfDayReport parsed;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(json.out, &parsed).ok());
  EXPECT_EQ(parsed.cases(), 4);
  EXPECT_EQ(parsed.recovery_cost().minor_units(), 6700);

  CommandResult csv =
      Cli({"report", "eod", "--date", "2026-11-20", "--format", "csv"},
          kReporterToken);
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  auto rows = makegood::testing::ParseCsv(csv.out);
  ASSERT_TRUE(rows.has_value());
  std::map<std::string, std::vector<std::string>> by_key;
  for (const auto& row : *rows) by_key[row[0] + "/" + row[1]] = row;
  EXPECT_EQ(by_key["summary/recovery_cost"][4], "67.00");
  EXPECT_EQ(by_key["summary/sales"][4], "290.00");
  EXPECT_EQ(by_key["by_category/cold_food"][3], "3");

  const std::string html_file = dir_.File("eod.html");
  CommandResult html = Cli({"report", "eod", "--date", "2026-11-20", "--format",
                            "html", "--out", html_file},
                           kReporterToken);
  ASSERT_EQ(html.exit_code, 0) << html.err;
  std::ifstream in(html_file);
  std::stringstream page;
  page << in.rdbuf();
  EXPECT_THAT(page.str(), HasSubstr("chart-cost-by-category"));
  EXPECT_THAT(page.str(), HasSubstr("chart-cases-by-hour"));
  EXPECT_THAT(page.str(), HasSubstr("67.00 USD"));
  EXPECT_THAT(page.str(), HasSubstr("Harbor Street Kitchen"));

  CommandResult table =
      Cli({"report", "eod", "--date", "2026-11-20"}, kReporterToken);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("67.00 USD"));
  EXPECT_THAT(table.out, HasSubstr("Ribeye 12oz flagged 3 times"));

  CommandResult bad =
      Cli({"report", "eod", "--date", "2026-02-30"}, kReporterToken);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("business_date"));
}

TEST_F(ReportDayTest, EmptyDayAndCausesAndStaff) {
  const v1::EndOfDayReport empty = EndOfDay("2026-11-18");
  EXPECT_EQ(empty.cases(), 0);
  EXPECT_EQ(empty.sales().minor_units(), 0);
  EXPECT_EQ(empty.open_at_day_end(), 0);
  EXPECT_FALSE(empty.has_response_p50());

  CommandResult causes = Cli({"report", "causes", "--from", "2026-11-20",
                              "--to", "2026-11-20", "--format", "json"},
                             kManagerToken);
  ASSERT_EQ(causes.exit_code, 0) << causes.err;
  v1::CauseSummaryReport summary;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(causes.out, &summary).ok());
  EXPECT_EQ(summary.cases(), 4);
  EXPECT_EQ(summary.without_cause(), 1);
  ASSERT_EQ(summary.causes_size(), 2);
  EXPECT_EQ(summary.causes(0).root_cause(), v1::KITCHEN);
  EXPECT_EQ(summary.causes(0).count(), 2);
  EXPECT_EQ(summary.causes(0).actions_size(), 2);
  EXPECT_EQ(summary.causes(1).root_cause(), v1::FRONT_OF_HOUSE);
  CommandResult causes_csv = Cli({"report", "causes", "--from", "2026-11-20",
                                  "--to", "2026-11-20", "--format", "csv"},
                                 kManagerToken);
  ASSERT_EQ(causes_csv.exit_code, 0) << causes_csv.err;
  EXPECT_THAT(causes_csv.out,
              HasSubstr("section,key,label,count,amount,currency\r\n"
                        "summary,cases,,4,,\r\n"));
  EXPECT_THAT(causes_csv.out, HasSubstr("cause,KITCHEN,,2,"));

  auto stub = v1::ReportService::NewStub(channel_);
  v1::StaffReportRequest request;
  request.set_from_date("2026-11-20");
  request.set_to_date("2026-11-20");
  v1::StaffReportResponse staff;
  ASSERT_TRUE(
      stub->StaffReport(Context(kManagerToken).get(), request, &staff).ok());
  ASSERT_GE(staff.totals_size(), 2);
  EXPECT_EQ(staff.totals(0).staff_id(), "s-17");
  EXPECT_EQ(staff.totals(0).comp_value().minor_units(), 4200);
  EXPECT_EQ(staff.totals(0).sales().minor_units(), 20000);
  EXPECT_EQ(staff.median_comp_share_bps(), 1050);
  CommandResult text =
      Cli({"report", "staff", "--from", "2026-11-20", "--to", "2026-11-20"},
          kManagerToken);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("Dana"));
}

TEST_F(ReportDayTest, FollowUpsAreListedWithContactAndMarkedDone) {
  auto stub = v1::ReportService::NewStub(channel_);
  v1::ListFollowUpsRequest list;
  *list.mutable_due_by() = core::ToProto(Local(11, 21, 0, 0));
  v1::ListFollowUpsResponse due;
  ASSERT_TRUE(
      stub->ListFollowUps(Context(kManagerToken).get(), list, &due).ok());
  ASSERT_EQ(due.follow_ups_size(), 1);
  const v1::FollowUp& f = due.follow_ups(0);
  EXPECT_EQ(f.category_id(), "quality");
  EXPECT_EQ(core::FromProto(f.due_at()), Local(11, 20, 19, 0));
  EXPECT_EQ(f.contact().email(), "ada@example.com");

  CommandResult done =
      Cli({"followups", "done", f.case_id(), "--note",
           "Called, booked for Friday", "--request-id", "fu-1"},
          kManagerToken);
  ASSERT_EQ(done.exit_code, 0) << done.err;
  // The same request again is answered the same; another one is refused.
  EXPECT_EQ(Cli({"followups", "done", f.case_id(), "--note",
                 "Called, booked for Friday", "--request-id", "fu-1"},
                kManagerToken)
                .exit_code,
            0);
  CommandResult again =
      Cli({"followups", "done", f.case_id(), "--note", "again"}, kManagerToken);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("FAILED_PRECONDITION"));
  ASSERT_TRUE(
      stub->ListFollowUps(Context(kManagerToken).get(), list, &due).ok());
  EXPECT_EQ(due.follow_ups_size(), 0);
  EXPECT_EQ(EndOfDay("2026-11-20").follow_ups_done(), 1);
  EXPECT_EQ(QueryInt(db_path(),
                     "SELECT count(*) FROM ledger WHERE "
                     "action='follow_up_done'"),
            1);
  CommandResult unknown =
      Cli({"followups", "done", "RC-none", "--note", "x"}, kManagerToken);
  EXPECT_THAT(unknown.err, HasSubstr("NOT_FOUND"));
  // Reporters do not see guest contacts.
  EXPECT_EQ(Cli({"followups", "due"}, kReporterToken).exit_code, 1);
}

TEST_F(ReportDayTest, FollowUpsArePagedAndABadPageIsRefused) {
  auto stub = v1::ReportService::NewStub(channel_);
  v1::ListFollowUpsRequest list;
  *list.mutable_due_by() = core::ToProto(Local(11, 21, 0, 0));
  list.set_page_size(1001);
  v1::ListFollowUpsResponse due;
  grpc::Status too_big =
      stub->ListFollowUps(Context(kManagerToken).get(), list, &due);
  EXPECT_EQ(too_big.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(too_big.error_message(), HasSubstr("page_size"));
  list.set_page_size(1);
  list.set_page_token("not-a-token");
  grpc::Status bad_token =
      stub->ListFollowUps(Context(kManagerToken).get(), list, &due);
  EXPECT_EQ(bad_token.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad_token.error_message(), HasSubstr("page_token"));
  // The day's one follow-up fills a page of one, the last.
  list.clear_page_token();
  ASSERT_TRUE(
      stub->ListFollowUps(Context(kManagerToken).get(), list, &due).ok());
  EXPECT_EQ(due.follow_ups_size(), 1);
  EXPECT_TRUE(due.next_page_token().empty());
}

TEST_F(ReportDayTest, ADaylightSavingDayHas25HoursAndKeepsItsLateCases) {
  DaemonTest::TearDown();
  daemon_.reset();
  {
    DayWriter day(db_path());
    // 01:30 happens twice on Nov 1; the second (EST) is still Oct 31's
    // business day, which runs 04:00 EDT to 04:00 EST.
    const absl::Time second_0130 =
        absl::FromCivil(absl::CivilMinute(2026, 11, 1, 1, 30), NewYork()) +
        absl::Hours(1);
    day.Check("N1", "s-17", "", second_0130 - absl::Minutes(30), "RIBEYE-12",
              "Ribeye 12oz", "grill", 4200);
    day.Flag("s-17", v1::SERVER, second_0130, "N1", "cold_food", v1::MINOR);
    day.Flag("s-17", v1::SERVER,
             absl::FromCivil(absl::CivilMinute(2026, 11, 1, 4, 0), NewYork()),
             "N1", "cold_food", v1::MINOR);
  }
  StartDaemon();
  const v1::EndOfDayReport r = EndOfDay("2026-10-31");
  EXPECT_EQ(core::FromProto(r.day_end()) - core::FromProto(r.day_start()),
            absl::Hours(25));
  EXPECT_EQ(r.cases(), 1);
  EXPECT_EQ(RowsOf(r.by_hour()), (Counts{{"01", {1, 0}}}));
  EXPECT_EQ(EndOfDay("2026-11-01").cases(), 1);
}

}  // namespace
}  // namespace makegood
