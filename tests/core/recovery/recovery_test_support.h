#ifndef MAKEGOOD_TESTS_CORE_RECOVERY_RECOVERY_TEST_SUPPORT_H_
#define MAKEGOOD_TESTS_CORE_RECOVERY_RECOVERY_TEST_SUPPORT_H_

// What the unit tests of the recovery state machine (src/core/recovery/)
// share: a fixed clock, ids that count ("RC-1", "RA-1", "CMD-1", "AL-1",
// "CODE-1"), the rules of a small restaurant, and builders of checks, cases
// and remedies. Header-only; no wall clock, no randomness.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/authority.h"
#include "core/proto_time.h"
#include "core/recovery/case_state.h"
#include "core/recovery/decision.h"
#include "core/recovery/id_source.h"
#include "core/recovery/request.h"
#include "core/recovery/snapshot.h"
#include "core/recovery_rules.h"
#include "core/refusal.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "makegood/v1/checks.pb.h"
#include "makegood/v1/common.pb.h"
#include "makegood/v1/config.pb.h"
#include "makegood/v1/errors.pb.h"
#include "makegood/v1/recovery.pb.h"
#include "makegood/v1/remedy_commands.pb.h"
#include "makegood/v1/report.pb.h"

namespace makegood::core::recovery_test {

using makegood::v1::AckCommandRequest;
using makegood::v1::Alert;
using makegood::v1::AppliedRemedy;
using makegood::v1::Check;
using makegood::v1::Error;
using makegood::v1::RecoveryCase;
using makegood::v1::RemedyCommand;
using makegood::v1::RemedyKind;
using makegood::v1::RemedyOption;
using makegood::v1::Role;

// The clock of every request unless a test says otherwise: 19:30 on
// 2026-06-12 in New York (EDT, UTC-4), in business day 2026-06-12.
inline const absl::Time kNow = absl::FromCivil(
    absl::CivilSecond(2026, 6, 12, 23, 30, 0), absl::UTCTimeZone());
inline constexpr char kToday[] = "2026-06-12";
inline constexpr char kLocation[] = "loc-1";
inline constexpr char kCheckId[] = "CHK-1";
// The case MakeCase builds; ids the tests' IdSource issues look like "RC-1".
inline constexpr char kCaseId[] = "RC-7";

inline absl::Duration Days(int days) { return absl::Hours(24) * days; }

// The keys of recurring problems as the store keeps them
// (core/recovery/recurring_keys.h): kind, id and category, separated by 0x1f.
inline std::string ItemKey(absl::string_view sku, absl::string_view category) {
  return absl::StrCat("item", "\x1f", sku, "\x1f", category);
}
inline std::string StationKey(absl::string_view station,
                              absl::string_view category) {
  return absl::StrCat("station", "\x1f", station, "\x1f", category);
}

// Ids from counters, one per prefix: "RC-1", "RC-2", "CMD-1"…; codes
// "CODE-1", "CODE-2"…
class CountingIds final : public IdSource {
 public:
  std::string NewId(absl::string_view prefix, absl::Time) override {
    ++issued_;
    return absl::StrCat(prefix, ++by_prefix_[std::string(prefix)]);
  }
  std::string NewDiscountCode() override {
    ++issued_;
    return absl::StrCat("CODE-", ++codes_);
  }
  // Ids and codes handed out so far.
  int issued() const { return issued_; }

 private:
  std::map<std::string, int> by_prefix_;
  int codes_ = 0;
  int issued_ = 0;
};

// A restaurant in New York: two servers (25.00 per case, 60.00 per shift),
// two managers (100.00 per case), a daily budget of 500.00 and no ADMIN
// credential (AddAdmin adds one, without a limits entry).
inline constexpr char kRulesConfig[] = R"pb(
  location {
    id: "loc-1"
    name: "Test Bistro"
    currency: "USD"
    timezone: "America/New_York"
    business_day_starts: "04:00"
  }
  staff { id: "server-1" name: "Sam" role: SERVER }
  staff { id: "server-2" name: "Sue" role: SERVER }
  staff { id: "manager-1" name: "Max" role: MANAGER }
  staff { id: "manager-2" name: "Mia" role: MANAGER }
  devices { id: "adapter-1" name: "POS adapter" role: ADAPTER }
  authority {
    roles { role: SERVER max_per_case: "25.00" max_per_shift: "60.00" }
    roles { role: MANAGER max_per_case: "100.00" }
    location_daily_budget: "500.00"
  }
  categories {
    id: "cold_food"
    label: "Cold food"
    guidance: "Apologize, offer a refire"
  }
  categories {
    id: "long_wait"
    label: "Long wait"
    guidance: "Apologize for the wait"
  }
  remedies { id: "refire" label: "Refire" kind: REMAKE }
  remedies { id: "comp" label: "Comp item" kind: COMP_ITEM }
  remedies { id: "comp_again" label: "Second comp" kind: COMP_ITEM }
  remedies {
    id: "dessert"
    label: "Dessert"
    kind: COMPLIMENTARY_ITEM
    sku: "DESSERT"
    value: "8.00"
  }
  remedies {
    id: "code_10"
    label: "10.00 next visit"
    kind: DISCOUNT_CODE
    amount: "10.00"
    expires_after_days: 30
  }
  remedies {
    id: "code_20pct"
    label: "20% next visit"
    kind: DISCOUNT_CODE
    percent: 20
    expires_after_days: 60
  }
  remedies {
    id: "code_20pct_capped"
    label: "20% next visit, at most 30.00"
    kind: DISCOUNT_CODE
    percent: 20
    max_value: "30.00"
    expires_after_days: 60
  }
  remedies {
    id: "check_10pct"
    label: "10% off"
    kind: DISCOUNT_CHECK
    percent: 10
  }
  remedies { id: "refund" label: "Refund" kind: REFUND }
  remedies { id: "manager" label: "Manager visit" kind: MANAGER_VISIT }
  policy {
    id: "cold"
    when { category: "cold_food" }
    offer: [ "refire", "comp" ]
    extra: [ "dessert" ]
  }
  policy {
    id: "wait"
    when { category: "long_wait" }
    offer: [ "check_10pct", "manager" ]
    extra: [ "code_10" ]
  }
  recurring { count: 3 window_minutes: 90 }
)pb";

inline makegood::v1::Config BaseConfig() {
  makegood::v1::Config config;
  if (!google::protobuf::TextFormat::ParseFromString(kRulesConfig, &config)) {
    ADD_FAILURE() << "kRulesConfig does not parse";
  }
  return config;
}

// An ADMIN credential "admin-1"; ADMIN has no limits entry.
inline void AddAdmin(makegood::v1::Config& config) {
  makegood::v1::Credential* admin = config.add_staff();
  admin->set_id("admin-1");
  admin->set_name("Ada");
  admin->set_role(makegood::v1::ADMIN);
}

inline makegood::v1::Credential* FindCredential(makegood::v1::Config& config,
                                                const std::string& id) {
  for (auto& credential : *config.mutable_staff()) {
    if (credential.id() == id) return &credential;
  }
  for (auto& credential : *config.mutable_devices()) {
    if (credential.id() == id) return &credential;
  }
  ADD_FAILURE() << "no credential " << id;
  return nullptr;
}

inline RecoveryRules CompileRules(const makegood::v1::Config& config) {
  absl::StatusOr<RecoveryRules> rules = RecoveryRules::Compile(config);
  EXPECT_TRUE(rules.ok()) << rules.status();
  return std::move(rules).value();
}

inline makegood::v1::Money Usd(int64_t minor_units) {
  makegood::v1::Money money;
  money.set_minor_units(minor_units);
  money.set_currency("USD");
  return money;
}

// One line of a check. FIRED and SERVED lines were made (a comp of them is
// waste).
struct LineSpec {
  std::string line_id;
  std::string sku;
  std::string name;
  std::string station;
  int64_t unit_price_minor = 0;
  makegood::v1::ItemState state = makegood::v1::ORDERED;
  int32_t quantity = 1;
};

inline LineSpec Ribeye(int64_t price_minor = 3200) {
  return {"L1", "RIBEYE", "Ribeye", "grill", price_minor, makegood::v1::FIRED};
}
inline LineSpec Salad() {
  return {"L2", "SALAD", "Caesar salad", "cold", 1200, makegood::v1::ORDERED};
}
inline LineSpec Tomahawk() {
  return {"L3", "TOMAHAWK", "Tomahawk", "grill", 15000, makegood::v1::FIRED};
}

// An open check kCheckId at table 12 of guest "G-1", opened an hour before
// kNow, with `lines` ordered 50 minutes before kNow (fired 40, served 30
// minutes before, by their state). Its subtotal is the lines not voided.
inline Check MakeCheck(const std::vector<LineSpec>& lines) {
  Check check;
  check.set_location_id(kLocation);
  check.set_check_id(kCheckId);
  check.set_state(Check::OPEN);
  check.set_table("12");
  check.set_guest_count(2);
  check.set_server_id("server-1");
  check.set_guest_id("G-1");
  *check.mutable_opened_at() = ToProto(kNow - absl::Hours(1));
  int64_t subtotal = 0;
  for (const LineSpec& spec : lines) {
    makegood::v1::LineItem* item = check.add_items();
    item->set_line_id(spec.line_id);
    item->set_sku(spec.sku);
    item->set_name(spec.name);
    item->set_station(spec.station);
    item->set_quantity(spec.quantity);
    *item->mutable_unit_price() = Usd(spec.unit_price_minor);
    *item->mutable_pos_discounts() = Usd(0);
    item->set_state(spec.state);
    *item->mutable_ordered_at() = ToProto(kNow - absl::Minutes(50));
    if (spec.state == makegood::v1::FIRED ||
        spec.state == makegood::v1::SERVED) {
      *item->mutable_fired_at() = ToProto(kNow - absl::Minutes(40));
    }
    if (spec.state == makegood::v1::SERVED) {
      *item->mutable_served_at() = ToProto(kNow - absl::Minutes(30));
    }
    if (spec.state == makegood::v1::VOIDED) {
      *item->mutable_voided_at() = ToProto(kNow - absl::Minutes(30));
    } else {
      subtotal += spec.unit_price_minor * spec.quantity;
    }
  }
  *check.mutable_subtotal() = Usd(subtotal);
  *check.mutable_pos_discounts() = Usd(0);
  return check;
}

inline void PayCheck(Check& check, absl::Time at) {
  check.set_state(Check::PAID);
  *check.mutable_paid_at() = ToProto(at);
}

// Closed at `at` (and paid then, unless it was paid before).
inline void CloseCheck(Check& check, absl::Time at) {
  if (!check.has_paid_at()) *check.mutable_paid_at() = ToProto(at);
  check.set_state(Check::CLOSED);
  *check.mutable_closed_at() = ToProto(at);
}

inline CheckState StateOf(Check check) {
  CheckState state;
  state.check = std::move(check);
  return state;
}

inline RemedyOption MakeOption(const std::string& option_id,
                               const std::string& remedy_id, RemedyKind kind,
                               const std::string& label) {
  RemedyOption option;
  option.set_option_id(option_id);
  option.set_remedy_id(remedy_id);
  option.set_kind(kind);
  option.set_label(label);
  *option.mutable_estimated_cost() = Usd(0);
  option.set_rule("cold");
  return option;
}

// An OPEN cold_food (MAJOR) case kCaseId on `line_ids` of kCheckId, flagged
// by server-1 ten minutes before kNow, with nothing given yet. Options (the
// ladder): o1 refire (REMAKE), o2 comp (COMP_ITEM), o3 manager
// (MANAGER_VISIT), o4 code_20pct (DISCOUNT_CODE, 20%), o5 refund (REFUND).
// Extras: x1 dessert (COMPLIMENTARY_ITEM, 8.00), x2 code_10 (DISCOUNT_CODE,
// 10.00), x3 code_20pct_capped (DISCOUNT_CODE, 20% capped at 30.00).
inline RecoveryCase MakeCase(const std::vector<std::string>& line_ids = {
                                 "L1"}) {
  RecoveryCase recovery;
  recovery.set_case_id(kCaseId);
  recovery.set_location_id(kLocation);
  recovery.set_check_id(kCheckId);
  for (const std::string& id : line_ids) recovery.add_line_ids(id);
  recovery.set_category_id("cold_food");
  recovery.set_severity(makegood::v1::MAJOR);
  recovery.set_guest_words("It is cold");
  recovery.set_status(RecoveryCase::OPEN);
  recovery.set_flagged_by("server-1");
  *recovery.mutable_flagged_at() = ToProto(kNow - absl::Minutes(10));
  recovery.set_guidance("Apologize, offer a refire");
  *recovery.add_options() =
      MakeOption("o1", "refire", makegood::v1::REMAKE, "Refire");
  *recovery.add_options() =
      MakeOption("o2", "comp", makegood::v1::COMP_ITEM, "Comp item");
  *recovery.add_options() =
      MakeOption("o3", "manager", makegood::v1::MANAGER_VISIT, "Manager visit");
  *recovery.add_options() = MakeOption(
      "o4", "code_20pct", makegood::v1::DISCOUNT_CODE, "20% next visit");
  *recovery.add_options() =
      MakeOption("o5", "refund", makegood::v1::REFUND, "Refund");
  *recovery.add_extras() =
      MakeOption("x1", "dessert", makegood::v1::COMPLIMENTARY_ITEM, "Dessert");
  *recovery.add_extras() = MakeOption(
      "x2", "code_10", makegood::v1::DISCOUNT_CODE, "10.00 next visit");
  *recovery.add_extras() =
      MakeOption("x3", "code_20pct_capped", makegood::v1::DISCOUNT_CODE,
                 "20% next visit, at most 30.00");
  *recovery.mutable_total_cost() = Usd(0);
  return recovery;
}

// The option of `recovery` (among options and extras) with that id.
inline RemedyOption OptionOf(const RecoveryCase& recovery,
                             const std::string& option_id) {
  for (const RemedyOption& option : recovery.options()) {
    if (option.option_id() == option_id) return option;
  }
  for (const RemedyOption& option : recovery.extras()) {
    if (option.option_id() == option_id) return option;
  }
  ADD_FAILURE() << "case " << recovery.case_id() << " has no option "
                << option_id;
  return RemedyOption();
}

inline std::vector<std::string> LinesOf(const RecoveryCase& recovery) {
  return std::vector<std::string>(recovery.line_ids().begin(),
                                  recovery.line_ids().end());
}

// Passes when `status` has `code` and carries `reason` (core/refusal.h).
inline ::testing::AssertionResult Refused(const absl::Status& status,
                                          absl::StatusCode code,
                                          Reason reason) {
  const std::optional<Reason> got = ReasonOf(status);
  if (status.code() == code && got.has_value() && *got == reason) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "got " << status << " with reason "
         << (got.has_value() ? Error::Reason_Name(*got) : std::string("(none)"))
         << "; want " << absl::StatusCodeToString(code) << " with reason "
         << Error::Reason_Name(reason);
}

// Rules compiled from `config_` on first use (so a test may change the
// configuration first), counting ids, and requests at kNow.
class RecoveryTest : public ::testing::Test {
 protected:
  const RecoveryRules& rules() {
    if (!rules_) rules_.emplace(CompileRules(config_));
    return *rules_;
  }

  RecoveryRequest As(const std::string& actor_id, Role role,
                     absl::Time now = kNow) {
    RecoveryRequest request;
    request.actor_id = actor_id;
    request.actor_role = role;
    request.now = now;
    request.rules = &rules();
    request.ids = &ids_;
    return request;
  }
  RecoveryRequest Server(absl::Time now = kNow) {
    return As("server-1", makegood::v1::SERVER, now);
  }
  RecoveryRequest Manager(absl::Time now = kNow) {
    return As("manager-1", makegood::v1::MANAGER, now);
  }
  RecoveryRequest Admin(absl::Time now = kNow) {
    return As("admin-1", makegood::v1::ADMIN, now);
  }

  // Adds a remedy of option `option_id` to `recovery`, requested by
  // `requested_by` (and their person) five minutes before kNow, and
  // recomputes the case's status and total.
  void AddRemedy(RecoveryCase& recovery, const std::string& application_id,
                 const std::string& option_id, AppliedRemedy::Status status,
                 int64_t cost_minor,
                 const std::string& requested_by = "server-1",
                 const std::string& line_id = "L1") {
    const RemedyOption option = OptionOf(recovery, option_id);
    AppliedRemedy* remedy = recovery.add_remedies();
    remedy->set_remedy_application_id(application_id);
    remedy->set_option_id(option_id);
    remedy->set_remedy_id(option.remedy_id());
    remedy->set_kind(option.kind());
    remedy->set_status(status);
    *remedy->mutable_cost() = Usd(cost_minor);
    remedy->set_requested_by(requested_by);
    remedy->set_requested_by_person(rules().PersonOf(requested_by));
    *remedy->mutable_requested_at() = ToProto(kNow - absl::Minutes(5));
    if (CountsAsGiven(status)) {
      *remedy->mutable_applied_at() = ToProto(kNow - absl::Minutes(5));
    }
    remedy->set_line_id(line_id);
    Recompute(recovery, rules());
  }

  makegood::v1::Config config_ = BaseConfig();
  std::optional<RecoveryRules> rules_;
  CountingIds ids_;
};

}  // namespace makegood::core::recovery_test

#endif  // MAKEGOOD_TESTS_CORE_RECOVERY_RECOVERY_TEST_SUPPORT_H_
