// The recovery's rules at their edges, through the real makegoodd: codes
// count at face value, late flags need a manager, every pending remedy has
// someone who can approve it, approvals re-check the case, the check and
// the budget, nobody approves their own request under another credential,
// a retried flag returns its case, a second ack answers the first, and
// every refusal carries a reason a program can read.

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "integration/error_details.h"
#include "integration/recovery_calls.h"
#include "makegood/v1/errors.pb.h"
#include "support/sample_events.h"

namespace makegood {
namespace {

using makegood::testing::BaseEvent;
using v1::AckCommandRequest;
using v1::AppliedRemedy;
using v1::Error;
using v1::RecoveryCase;

// Tokens of the credentials this file's configuration adds to the demo ones
// (their SHA-256 is in ConfigYaml).
constexpr char kOtherManagerToken[] = "test-manager-kim";  // m-3
constexpr char kBarTabletToken[] = "test-bar-tablet-lee";  // s-40, person lee

// `status` has `code`, and details in domain makegood.v1 with `reason` that
// repeat the code and message; the message shows no SQL.
::testing::AssertionResult IsRefused(const grpc::Status& status,
                                     grpc::StatusCode code,
                                     Error::Reason reason) {
  const ErrorDetails details = DetailsOf(status);
  const std::string want = Error::Reason_Name(reason);
  auto failure = [&]() {
    return ::testing::AssertionFailure()
           << "got code " << status.error_code() << " reason '"
           << details.reason << "' domain '" << details.domain << "' message '"
           << status.error_message() << "'; want code " << code << " reason "
           << want;
  };
  if (status.error_code() != code) return failure();
  if (!details.parsed) return failure() << " (no google.rpc.Status details)";
  if (details.reason != want) return failure();
  if (details.domain != "makegood.v1") return failure();
  if (details.code != static_cast<int>(status.error_code()) ||
      details.message != status.error_message()) {
    return failure() << " (details say code " << details.code << " message '"
                     << details.message << "')";
  }
  if (absl::AsciiStrToLower(status.error_message()).find("sql") !=
      std::string::npos) {
    return failure() << " (the message shows SQL)";
  }
  return ::testing::AssertionSuccess();
}

// The configuration of this file: demo credentials plus a second MANAGER
// (m-3) and a bar tablet held by the manager Lee (s-40, person "lee", the
// person of m-2 too); SERVER 25.00 per case and 60.00 per shift, MANAGER
// 200.00, ADMIN 500.00; two next-visit codes, one 50% of the check capped
// at 20.00 and one of 40.00.
struct RulesConfig {
  // Whether the ADMIN o-1 holds a credential.
  bool with_admin = true;
  std::string daily_budget = "1000.00";
  // recovery.flag_closed_within_hours; 0 leaves it out (the default, 24).
  int flag_closed_within_hours = 0;
};

std::string ConfigYaml(const RulesConfig& rules) {
  std::string yaml = R"yaml(location:
  id: downtown-01
  name: Rules test kitchen
  currency: USD
  timezone: America/New_York
  business_day_starts: "04:00"

staff:
  - { id: s-17, name: Dana, role: SERVER, token_sha256: 2cb166d8e576d0367668bb8eaebf3d744cd0a02ce79355deb484f0064a338243 }
  - { id: s-40, name: Lee (bar tablet), role: SERVER, person_id: lee, token_sha256: b4af409676d1b47d7379837e3c295a4d21535e35943c8867f12b695ff7091d71 }
  - { id: m-2, name: Lee, role: MANAGER, person_id: lee, token_sha256: 1d4c3381353a73a0ac25a9424ad25a23b87a4d6c160f2c147cb4ffbad63001da }
  - { id: m-3, name: Kim, role: MANAGER, token_sha256: eda74b93e05ca194fa1c2eeee4e54ac76945802ac058d08b30b0ba260b6f4c69 }
)yaml";
  if (rules.with_admin) {
    absl::StrAppend(&yaml,
                    "  - { id: o-1, name: Sam (owner), role: ADMIN, "
                    "token_sha256: 6c5317657323a04805653a55a120cd140115b0ebe7d"
                    "1752fbc5143eb9260ee5e }\n");
  }
  absl::StrAppend(&yaml, R"yaml(
devices:
  - { id: pos-adapter-1, name: POS adapter, role: ADAPTER, token_sha256: c9947808b93399504a8dd46173c0e3279d7181a4ee1d446ffaa720e782f994e5 }
  - { id: office-screen, name: Report screen, role: REPORTER, token_sha256: 105adbaca53043ae21ee9e28b824d6d18488b996e14c2cf39c9379a1b11e6cf3 }

authority:
  roles:
    - { role: SERVER, max_per_case: "25.00", max_per_shift: "60.00" }
    - { role: MANAGER, max_per_case: "200.00" }
    - { role: ADMIN, max_per_case: "500.00" }
)yaml");
  absl::StrAppend(&yaml, "  location_daily_budget: \"", rules.daily_budget,
                  "\"\n");
  if (rules.flag_closed_within_hours > 0) {
    absl::StrAppend(&yaml, "\nrecovery: { flag_closed_within_hours: ",
                    rules.flag_closed_within_hours, " }\n");
  }
  absl::StrAppend(&yaml, R"yaml(
categories:
  - { id: cold_food, label: Cold food, guidance: Apologize and refire it right away. }
  - { id: wrong_item, label: Wrong item, guidance: Apologize and put the right dish in. }

remedies:
  - { id: refire, label: Refire the dish, kind: REMAKE }
  - { id: comp_item, label: Comp the item, kind: COMP_ITEM }
  - { id: code_half, label: Half off the next visit, kind: DISCOUNT_CODE, percent: 50, max_value: "20.00", expires_after_days: 60 }
  - { id: code_40usd, label: "$40 off the next visit", kind: DISCOUNT_CODE, amount: "40.00", expires_after_days: 90 }
  - { id: manager_visit, label: Manager to the table, kind: MANAGER_VISIT }

policy:
  - id: cold
    when: { category: cold_food }
    offer: [refire, comp_item]
    extra: [code_half, code_40usd]
  - id: wrong
    when: { category: wrong_item }
    offer: [refire, comp_item]
  - id: second-problem
    when: { problems_on_check_at_least: 2 }
    extra: [manager_visit]
)yaml");
  return yaml;
}

// The business date of `t` (the day starts at 04:00 in New York).
std::string BusinessDate(absl::Time t) {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone("America/New_York", &zone));
  return absl::FormatTime("%Y-%m-%d", t - absl::Hours(4), zone);
}

class RecoveryRulesTest : public RecoveryCallsTest {
 protected:
  void SetUp() override { StartWith(RulesConfig{}); }

  // (Re)starts the daemon on this file's configuration; the database stays.
  void StartWith(const RulesConfig& rules) {
    daemon_.reset();
    config_path_ = dir_.File("rules.yaml");
    {
      std::ofstream out(config_path_);
      out << ConfigYaml(rules);
    }
    StartDaemon();
  }

  // The check is paid at `at` and, with `close`, closed then too.
  void Settle(const std::string& check_id, absl::Time at, bool close) {
    std::vector<OrderEvent> events;
    OrderEvent pay = BaseEvent(check_id + "-paid", check_id, at);
    pay.mutable_check_paid()->mutable_total()->set_minor_units(10000);
    pay.mutable_check_paid()->mutable_total()->set_currency("USD");
    events.push_back(pay);
    if (close) {
      OrderEvent closed = BaseEvent(check_id + "-closed", check_id, at);
      closed.mutable_check_closed();
      events.push_back(closed);
    }
    PublishAll(events);
  }

  // Flags `check_id` line 1 as a wrong item by `token` and asks for the
  // comp of it, which must be left waiting for approval; the case, and the
  // remedy's application id in `application_id`.
  RecoveryCase PendingComp(const std::string& token,
                           const std::string& check_id,
                           std::string* application_id) {
    RecoveryCase flagged, applied;
    EXPECT_TRUE(Flag(token, "flag-" + check_id, check_id, {"1"}, "wrong_item",
                     v1::MAJOR, &flagged)
                    .ok());
    const v1::RemedyOption* comp = OptionFor(flagged, "comp_item");
    EXPECT_NE(comp, nullptr);
    if (comp == nullptr) return flagged;
    grpc::Status status = Apply(token, "comp-" + check_id, flagged.case_id(),
                                comp->option_id(), &applied);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(applied.remedies_size(), 1);
    if (applied.remedies_size() != 1) return applied;
    EXPECT_EQ(applied.remedies(0).status(), AppliedRemedy::PENDING_APPROVAL);
    *application_id = applied.remedies(0).remedy_application_id();
    return applied;
  }

  RecoveryCase Get(const std::string& case_id) {
    v1::GetRecoveryRequest request;
    request.set_case_id(case_id);
    RecoveryCase recovery;
    grpc::Status status = Recovery()->GetRecovery(Context(kManagerToken).get(),
                                                  request, &recovery);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return recovery;
  }

  int CaseCount() {
    v1::ListRecoveriesResponse page;
    grpc::Status status = Recovery()->ListRecoveries(
        Context(kReporterToken).get(), v1::ListRecoveriesRequest(), &page);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return page.cases_size();
  }
};

const v1::StaffShift* TotalOf(const v1::StaffReportResponse& report,
                              const std::string& staff_id) {
  for (const auto& total : report.totals()) {
    if (total.staff_id() == staff_id) return &total;
  }
  return nullptr;
}

// 1. A next-visit code costs its face value when issued: it counts against
// the issuer's per-shift and per-case limits, and is a comp of theirs in
// the staff report.
TEST_F(RecoveryRulesTest, ACodeCountsAtItsFaceValueAgainstTheIssuersLimits) {
  // 50% of a 100.00 check, capped at 20.00: three fit the SERVER's 60.00
  // per shift, the fourth waits.
  for (int i = 1; i <= 4; ++i) {
    const std::string check = absl::StrCat("c", i);
    SeedCheck(check, {10000});
    RecoveryCase flagged, applied;
    ASSERT_TRUE(Flag(kServerToken, "f" + check, check, {"1"}, "cold_food",
                     v1::MAJOR, &flagged)
                    .ok());
    const v1::RemedyOption* code = OptionFor(flagged, "code_half");
    ASSERT_NE(code, nullptr);
    EXPECT_EQ(code->estimated_cost().minor_units(), 2000);
    ASSERT_TRUE(Apply(kServerToken, "a" + check, flagged.case_id(), "",
                      &applied, {code->option_id()})
                    .ok());
    ASSERT_EQ(applied.remedies_size(), 1);
    const AppliedRemedy& remedy = applied.remedies(0);
    EXPECT_EQ(remedy.cost().minor_units(), 2000) << check;
    if (i <= 3) {
      EXPECT_EQ(remedy.status(), AppliedRemedy::SENT) << check;
      EXPECT_FALSE(remedy.discount_code().empty()) << check;
    } else {
      EXPECT_EQ(remedy.status(), AppliedRemedy::PENDING_APPROVAL) << check;
      EXPECT_THAT(remedy.approval_reason(), HasSubstr("per shift"));
      EXPECT_TRUE(remedy.discount_code().empty());
    }
  }

  // 40.00 is over the SERVER's 25.00 per case: it waits for a manager.
  SeedCheck("c5", {10000});
  RecoveryCase flagged, applied, approved;
  ASSERT_TRUE(
      Flag(kServerToken, "f-c5", "c5", {"1"}, "cold_food", v1::MAJOR, &flagged)
          .ok());
  const v1::RemedyOption* code = OptionFor(flagged, "code_40usd");
  ASSERT_NE(code, nullptr);
  EXPECT_EQ(code->estimated_cost().minor_units(), 4000);
  ASSERT_TRUE(Apply(kServerToken, "a-c5", flagged.case_id(), "", &applied,
                    {code->option_id()})
                  .ok());
  ASSERT_EQ(applied.remedies_size(), 1);
  EXPECT_EQ(applied.remedies(0).status(), AppliedRemedy::PENDING_APPROVAL);
  EXPECT_EQ(applied.remedies(0).cost().minor_units(), 4000);
  EXPECT_THAT(applied.remedies(0).approval_reason(), HasSubstr("per case"));
  EXPECT_THAT(applied.remedies(0).approval_reason(), HasSubstr("25.00"));
  EXPECT_TRUE(applied.remedies(0).discount_code().empty());
  ASSERT_TRUE(Approve(kManagerToken, "ok-c5", flagged.case_id(),
                      applied.remedies(0).remedy_application_id(), &approved)
                  .ok());
  ASSERT_EQ(approved.remedies_size(), 1);
  EXPECT_EQ(approved.remedies(0).status(), AppliedRemedy::SENT);
  EXPECT_FALSE(approved.remedies(0).discount_code().empty());
  EXPECT_EQ(approved.total_cost().minor_units(), 4000);

  // The staff report counts every code given as a comp of its issuer, at
  // face value: three of 20.00 and the approved 40.00 (not the pending one).
  auto stub = v1::ReportService::NewStub(channel_);
  v1::StaffReportRequest request;
  request.set_from_date(BusinessDate(absl::Now() - absl::Hours(24)));
  request.set_to_date(BusinessDate(absl::Now() + absl::Hours(24)));
  v1::StaffReportResponse staff;
  grpc::Status status =
      stub->StaffReport(Context(kReporterToken).get(), request, &staff);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::StaffShift* dana = TotalOf(staff, "s-17");
  ASSERT_NE(dana, nullptr) << staff.DebugString();
  EXPECT_EQ(dana->comp_count(), 4);
  EXPECT_EQ(dana->comp_value().minor_units(), 3 * 2000 + 4000);
  const v1::StaffShift* lee = TotalOf(staff, "m-2");
  if (lee != nullptr) {
    EXPECT_EQ(lee->comp_count(), 0);
  }
}

// 1. A check closed more than recovery.flag_closed_within_hours (24) ago is
// flagged by a manager only.
TEST_F(RecoveryRulesTest, OnlyAManagerFlagsACheckClosedMoreThanADayAgo) {
  const absl::Time now = absl::Now();
  SeedCheck("old", {3000}, now - absl::Hours(32));
  Settle("old", now - absl::Hours(30), /*close=*/true);
  SeedCheck("recent", {3000}, now - absl::Hours(3));
  Settle("recent", now - absl::Hours(2), /*close=*/true);

  RecoveryCase recovery;
  grpc::Status late =
      Flag(kServerToken, "r1", "old", {"1"}, "cold_food", v1::MAJOR, &recovery);
  EXPECT_TRUE(IsRefused(late, grpc::StatusCode::PERMISSION_DENIED,
                        Error::FLAG_TOO_LATE));
  EXPECT_THAT(late.error_message(), HasSubstr("flag_closed_within_hours"));
  EXPECT_EQ(CaseCount(), 0);

  ASSERT_TRUE(Flag(kServerToken, "r2", "recent", {"1"}, "cold_food", v1::MAJOR,
                   &recovery)
                  .ok());
  EXPECT_EQ(recovery.flagged_by(), "s-17");
  ASSERT_TRUE(
      Flag(kManagerToken, "r3", "old", {"1"}, "cold_food", v1::MAJOR, &recovery)
          .ok());
  EXPECT_EQ(recovery.flagged_by(), "m-2");
  EXPECT_FALSE(recovery.already_open());
  EXPECT_EQ(CaseCount(), 2);
}

TEST_F(RecoveryRulesTest, TheLateFlagWindowIsConfigured) {
  RulesConfig rules;
  rules.flag_closed_within_hours = 48;
  StartWith(rules);
  const absl::Time now = absl::Now();
  SeedCheck("old", {3000}, now - absl::Hours(32));
  Settle("old", now - absl::Hours(30), /*close=*/true);
  RecoveryCase recovery;
  ASSERT_TRUE(
      Flag(kServerToken, "r1", "old", {"1"}, "cold_food", v1::MAJOR, &recovery)
          .ok());
  EXPECT_EQ(recovery.flagged_by(), "s-17");
}

// 2. A MANAGER's remedy above every approver's limit is refused at once,
// not left waiting forever.
TEST_F(RecoveryRulesTest, AnOverLimitRemedyNobodyCanApproveIsRefusedAtApply) {
  RulesConfig rules;
  rules.with_admin = false;
  StartWith(rules);
  SeedCheck("c1", {25000});
  RecoveryCase flagged, applied;
  ASSERT_TRUE(
      Flag(kManagerToken, "r1", "c1", {"1"}, "wrong_item", v1::MAJOR, &flagged)
          .ok());
  const v1::RemedyOption* comp = OptionFor(flagged, "comp_item");
  ASSERT_NE(comp, nullptr);
  // 250.00 is over the MANAGER's 200.00, and the other MANAGER's limit is
  // the same: nobody configured can approve it.
  grpc::Status refused = Apply(kManagerToken, "r2", flagged.case_id(),
                               comp->option_id(), &applied);
  EXPECT_TRUE(IsRefused(refused, grpc::StatusCode::FAILED_PRECONDITION,
                        Error::NO_APPROVER));
  EXPECT_THAT(refused.error_message(), HasSubstr("200.00"));
  const RecoveryCase now = Get(flagged.case_id());
  EXPECT_EQ(now.remedies_size(), 0);
  EXPECT_EQ(now.status(), RecoveryCase::OPEN);
  EXPECT_EQ(Count("SELECT count(*) FROM remedies"), 0);
}

// 2. With an ADMIN configured it waits; the approver's own limit applies, so
// another MANAGER cannot approve it and the ADMIN can.
TEST_F(RecoveryRulesTest, AManagersOverLimitRemedyIsApprovedByTheAdmin) {
  SeedCheck("c1", {25000});
  std::string id;
  const RecoveryCase pending = PendingComp(kManagerToken, "c1", &id);
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(pending.status(), RecoveryCase::PENDING_APPROVAL);
  EXPECT_EQ(pending.remedies(0).requested_by(), "m-2");

  RecoveryCase approved;
  grpc::Status other =
      Approve(kOtherManagerToken, "r1", pending.case_id(), id, &approved);
  EXPECT_TRUE(IsRefused(other, grpc::StatusCode::FAILED_PRECONDITION,
                        Error::OVER_AUTHORITY));
  EXPECT_THAT(other.error_message(), HasSubstr("200.00"));
  grpc::Status own =
      Approve(kManagerToken, "r2", pending.case_id(), id, &approved);
  EXPECT_TRUE(IsRefused(own, grpc::StatusCode::PERMISSION_DENIED,
                        Error::SELF_APPROVAL));
  EXPECT_EQ(Get(pending.case_id()).remedies(0).status(),
            AppliedRemedy::PENDING_APPROVAL);

  grpc::Status admin =
      Approve(kAdminToken, "r3", pending.case_id(), id, &approved);
  ASSERT_TRUE(admin.ok()) << admin.error_code() << " " << ReasonOf(admin) << " "
                          << admin.error_message();
  ASSERT_EQ(approved.remedies_size(), 1);
  EXPECT_EQ(approved.remedies(0).status(), AppliedRemedy::SENT);
  EXPECT_EQ(approved.remedies(0).approved_by(), "o-1");
  EXPECT_EQ(approved.total_cost().minor_units(), 25000);
}

// 3. An approval checks the case and the check again.
TEST_F(RecoveryRulesTest, ApprovalIsRefusedOnAClosedCaseOrAPaidCheck) {
  // The guest accepted what was given before the manager came.
  SeedCheck("c1", {3000});
  std::string id1;
  const RecoveryCase first = PendingComp(kServerToken, "c1", &id1);
  ASSERT_FALSE(id1.empty());
  v1::RecordOutcomeRequest outcome;
  outcome.set_request_id("out-1");
  outcome.set_case_id(first.case_id());
  outcome.set_guest_response(v1::ACCEPTED);
  RecoveryCase closed;
  ASSERT_TRUE(Recovery()
                  ->RecordOutcome(Context(kServerToken).get(), outcome, &closed)
                  .ok());
  ASSERT_EQ(closed.status(), RecoveryCase::RESOLVED);
  RecoveryCase approved;
  EXPECT_TRUE(
      IsRefused(Approve(kManagerToken, "r1", first.case_id(), id1, &approved),
                grpc::StatusCode::FAILED_PRECONDITION, Error::CASE_CLOSED));

  // The guest paid before the manager came: a comp no longer fits.
  SeedCheck("c2", {3000});
  std::string id2;
  const RecoveryCase second = PendingComp(kServerToken, "c2", &id2);
  ASSERT_FALSE(id2.empty());
  Settle("c2", absl::Now(), /*close=*/false);
  EXPECT_TRUE(
      IsRefused(Approve(kManagerToken, "r2", second.case_id(), id2, &approved),
                grpc::StatusCode::FAILED_PRECONDITION, Error::CHECK_PAID));

  EXPECT_EQ(Get(first.case_id()).remedies(0).status(),
            AppliedRemedy::PENDING_APPROVAL);
  EXPECT_EQ(Get(second.case_id()).remedies(0).status(),
            AppliedRemedy::PENDING_APPROVAL);
  EXPECT_EQ(Count("SELECT count(*) FROM commands"), 0);
}

// 3. The daily budget binds approvals, and refuses at apply instead of
// asking for approval.
TEST_F(RecoveryRulesTest, TheDailyBudgetBindsApprovalsAndApplies) {
  RulesConfig rules;
  rules.daily_budget = "100.00";
  StartWith(rules);
  SeedCheck("c1", {3000});
  std::string id;
  const RecoveryCase pending = PendingComp(kServerToken, "c1", &id);
  ASSERT_FALSE(id.empty());

  // 80.00 given by the manager: 30.00 more would reach 110.00.
  SeedCheck("c2", {8000});
  RecoveryCase flagged, applied;
  ASSERT_TRUE(
      Flag(kManagerToken, "r1", "c2", {"1"}, "wrong_item", v1::MAJOR, &flagged)
          .ok());
  ASSERT_NE(OptionFor(flagged, "comp_item"), nullptr);
  ASSERT_TRUE(Apply(kManagerToken, "r2", flagged.case_id(),
                    OptionFor(flagged, "comp_item")->option_id(), &applied)
                  .ok());
  ASSERT_EQ(applied.remedies(0).status(), AppliedRemedy::SENT);

  RecoveryCase approved;
  grpc::Status over =
      Approve(kOtherManagerToken, "r3", pending.case_id(), id, &approved);
  EXPECT_TRUE(IsRefused(over, grpc::StatusCode::FAILED_PRECONDITION,
                        Error::OVER_BUDGET));
  EXPECT_THAT(over.error_message(), HasSubstr("100.00"));
  EXPECT_EQ(Get(pending.case_id()).remedies(0).status(),
            AppliedRemedy::PENDING_APPROVAL);

  SeedCheck("c3", {3000});
  ASSERT_TRUE(
      Flag(kServerToken, "r4", "c3", {"1"}, "wrong_item", v1::MAJOR, &flagged)
          .ok());
  grpc::Status refused =
      Apply(kServerToken, "r5", flagged.case_id(),
            OptionFor(flagged, "comp_item")->option_id(), &applied);
  EXPECT_TRUE(IsRefused(refused, grpc::StatusCode::FAILED_PRECONDITION,
                        Error::OVER_BUDGET));
  EXPECT_EQ(Get(flagged.case_id()).remedies_size(), 0);
}

// 4. One person, two credentials: the bar tablet s-40 and the manager login
// m-2 are both Lee.
TEST_F(RecoveryRulesTest, NobodyApprovesTheirOwnRequestWithAnotherCredential) {
  SeedCheck("c1", {3000});
  std::string id;
  const RecoveryCase pending = PendingComp(kBarTabletToken, "c1", &id);
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(pending.remedies(0).requested_by(), "s-40");
  EXPECT_EQ(pending.remedies(0).requested_by_person(), "lee");

  RecoveryCase approved;
  grpc::Status self =
      Approve(kManagerToken, "r1", pending.case_id(), id, &approved);
  EXPECT_TRUE(IsRefused(self, grpc::StatusCode::PERMISSION_DENIED,
                        Error::SELF_APPROVAL));
  EXPECT_EQ(Get(pending.case_id()).remedies(0).status(),
            AppliedRemedy::PENDING_APPROVAL);
  ASSERT_TRUE(
      Approve(kOtherManagerToken, "r2", pending.case_id(), id, &approved).ok());
  EXPECT_EQ(approved.remedies(0).status(), AppliedRemedy::SENT);
  EXPECT_EQ(approved.remedies(0).approved_by(), "m-3");
}

// 5. A retried press with a new request_id returns the open case; a second
// problem on purpose opens another.
TEST_F(RecoveryRulesTest, ARetriedFlagReturnsTheOpenCase) {
  SeedCheck("c1", {3000, 2000});
  RecoveryCase first, retried, second;
  ASSERT_TRUE(
      Flag(kServerToken, "r1", "c1", {"1"}, "cold_food", v1::MAJOR, &first)
          .ok());
  EXPECT_FALSE(first.already_open());
  EXPECT_EQ(OptionFor(first, "manager_visit"), nullptr);

  ASSERT_TRUE(
      Flag(kServerToken, "r2", "c1", {"1"}, "cold_food", v1::MAJOR, &retried)
          .ok());
  EXPECT_EQ(retried.case_id(), first.case_id());
  EXPECT_TRUE(retried.already_open());
  // No "second problem on this check" escalation.
  EXPECT_EQ(OptionFor(retried, "manager_visit"), nullptr);
  EXPECT_EQ(CaseCount(), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM ledger WHERE action='flagged'"), 1);

  ASSERT_TRUE(Flag(kServerToken, "r3", "c1", {"1"}, "cold_food", v1::MAJOR,
                   &second, /*new_problem=*/true)
                  .ok());
  EXPECT_NE(second.case_id(), first.case_id());
  EXPECT_FALSE(second.already_open());
  EXPECT_NE(OptionFor(second, "manager_visit"), nullptr);
  EXPECT_EQ(CaseCount(), 2);
}

// 8. A later ack, whatever its result, gets the first answer back.
TEST_F(RecoveryRulesTest, ASecondAckWithAnotherResultGetsTheFirstAnswer) {
  SeedCheck("c1", {2000});
  RecoveryCase flagged, applied;
  ASSERT_TRUE(
      Flag(kServerToken, "r1", "c1", {"1"}, "cold_food", v1::MAJOR, &flagged)
          .ok());
  ASSERT_NE(OptionFor(flagged, "refire"), nullptr);
  ASSERT_TRUE(Apply(kServerToken, "r2", flagged.case_id(),
                    OptionFor(flagged, "refire")->option_id(), &applied)
                  .ok());
  auto commands = ReadCommands(1);
  ASSERT_EQ(commands.size(), 1u);
  const std::string command_id = commands[0].command_id();

  v1::AckCommandResponse ack;
  ASSERT_TRUE(
      Ack("a1", command_id, AckCommandRequest::APPLIED, "ref-1", &ack).ok());
  EXPECT_FALSE(ack.duplicate());
  const int64_t ledger_rows = Count("SELECT count(*) FROM ledger");

  v1::AckCommandResponse contrary;
  grpc::Status status = Ack("a2", command_id, AckCommandRequest::REJECTED,
                            "Order is locked", &contrary);
  ASSERT_TRUE(status.ok()) << status.error_code() << " "
                           << status.error_message();
  EXPECT_TRUE(contrary.duplicate());
  EXPECT_EQ(contrary.recorded_result(), AckCommandRequest::APPLIED);
  EXPECT_EQ(contrary.command_id(), command_id);
  EXPECT_EQ(Count("SELECT count(*) FROM ledger"), ledger_rows);
  const RecoveryCase now = Get(flagged.case_id());
  EXPECT_EQ(now.remedies(0).status(), AppliedRemedy::APPLIED);
  EXPECT_EQ(now.remedies(0).pos_reference(), "ref-1");
  EXPECT_FALSE(now.options(0).declined());
}

// Errors a program can read: INVALID_ARGUMENT names the field.
TEST_F(RecoveryRulesTest, BadInputCarriesItsReasonAndField) {
  SeedCheck("c1", {3000});
  RecoveryCase recovery;
  grpc::Status category =
      Flag(kServerToken, "r1", "c1", {"1"}, "soggy", v1::MAJOR, &recovery);
  EXPECT_TRUE(IsRefused(category, grpc::StatusCode::INVALID_ARGUMENT,
                        Error::UNKNOWN_CATEGORY));
  EXPECT_EQ(FieldOf(category), "category_id");

  grpc::Status twice = Flag(kServerToken, "r2", "c1", {"1", "1"}, "cold_food",
                            v1::MAJOR, &recovery);
  EXPECT_TRUE(IsRefused(twice, grpc::StatusCode::INVALID_ARGUMENT,
                        Error::INVALID_FIELD));
  EXPECT_EQ(FieldOf(twice), "line_ids[1]");

  grpc::Status empty =
      Flag(kServerToken, "r3", "c1", {""}, "cold_food", v1::MAJOR, &recovery);
  EXPECT_TRUE(IsRefused(empty, grpc::StatusCode::INVALID_ARGUMENT,
                        Error::INVALID_FIELD));
  EXPECT_EQ(FieldOf(empty), "line_ids[0]");

  grpc::Status severity = Flag(kServerToken, "r4", "c1", {"1"}, "cold_food",
                               v1::SEVERITY_UNSPECIFIED, &recovery);
  EXPECT_TRUE(IsRefused(severity, grpc::StatusCode::INVALID_ARGUMENT,
                        Error::INVALID_FIELD));
  EXPECT_EQ(FieldOf(severity), "severity");
  EXPECT_EQ(CaseCount(), 0);

  RecoveryCase flagged, applied;
  ASSERT_TRUE(
      Flag(kServerToken, "r5", "c1", {"1"}, "cold_food", v1::MAJOR, &flagged)
          .ok());
  grpc::Status option =
      Apply(kServerToken, "r6", flagged.case_id(), "o99", &applied);
  EXPECT_TRUE(IsRefused(option, grpc::StatusCode::INVALID_ARGUMENT,
                        Error::UNKNOWN_OPTION));
  EXPECT_EQ(FieldOf(option), "option_id");
}

// Errors a program can read: NOT_FOUND says what was not found.
TEST_F(RecoveryRulesTest, UnknownThingsAreNotFoundWithTheirReason) {
  SeedCheck("c1", {3000});
  RecoveryCase recovery;
  EXPECT_TRUE(IsRefused(
      Flag(kServerToken, "r1", "nope", {}, "cold_food", v1::MAJOR, &recovery),
      grpc::StatusCode::NOT_FOUND, Error::UNKNOWN_CHECK));
  EXPECT_TRUE(IsRefused(
      Flag(kServerToken, "r2", "c1", {"9"}, "cold_food", v1::MAJOR, &recovery),
      grpc::StatusCode::NOT_FOUND, Error::UNKNOWN_LINE));
  EXPECT_TRUE(IsRefused(Apply(kServerToken, "r3", "RC-nope", "o1", &recovery),
                        grpc::StatusCode::NOT_FOUND, Error::UNKNOWN_CASE));
  v1::GetRecoveryRequest get;
  get.set_case_id("RC-nope");
  EXPECT_TRUE(IsRefused(
      Recovery()->GetRecovery(Context(kManagerToken).get(), get, &recovery),
      grpc::StatusCode::NOT_FOUND, Error::UNKNOWN_CASE));

  RecoveryCase flagged;
  ASSERT_TRUE(
      Flag(kServerToken, "r4", "c1", {"1"}, "cold_food", v1::MAJOR, &flagged)
          .ok());
  EXPECT_TRUE(IsRefused(
      Approve(kManagerToken, "r5", flagged.case_id(), "RA-nope", &recovery),
      grpc::StatusCode::NOT_FOUND, Error::UNKNOWN_REMEDY));
  v1::AckCommandResponse ack;
  EXPECT_TRUE(
      IsRefused(Ack("a1", "CMD-nope", AckCommandRequest::APPLIED, "x", &ack),
                grpc::StatusCode::NOT_FOUND, Error::UNKNOWN_COMMAND));
}

// Errors a program can read: who may not call, and a reused request id.
TEST_F(RecoveryRulesTest, RefusedCallersAreToldWhy) {
  SeedCheck("c1", {3000});
  RecoveryCase recovery;
  EXPECT_TRUE(IsRefused(
      Flag("not-a-token", "r1", "c1", {"1"}, "cold_food", v1::MAJOR, &recovery),
      grpc::StatusCode::UNAUTHENTICATED, Error::UNAUTHENTICATED));
  EXPECT_TRUE(
      IsRefused(Flag("", "r1", "c1", {"1"}, "cold_food", v1::MAJOR, &recovery),
                grpc::StatusCode::UNAUTHENTICATED, Error::UNAUTHENTICATED));
  EXPECT_TRUE(IsRefused(Flag(kReporterToken, "r1", "c1", {"1"}, "cold_food",
                             v1::MAJOR, &recovery),
                        grpc::StatusCode::PERMISSION_DENIED,
                        Error::ROLE_NOT_ALLOWED));
  EXPECT_TRUE(IsRefused(
      Flag(kAdapterToken, "r1", "c1", {"1"}, "cold_food", v1::MAJOR, &recovery),
      grpc::StatusCode::PERMISSION_DENIED, Error::ROLE_NOT_ALLOWED));
  EXPECT_EQ(CaseCount(), 0);

  ASSERT_TRUE(
      Flag(kServerToken, "r1", "c1", {"1"}, "cold_food", v1::MAJOR, &recovery)
          .ok());
  EXPECT_TRUE(IsRefused(
      Flag(kServerToken, "r1", "c1", {"1"}, "wrong_item", v1::MAJOR, &recovery),
      grpc::StatusCode::ALREADY_EXISTS, Error::REQUEST_ID_REUSED));
}

}  // namespace
}  // namespace makegood
