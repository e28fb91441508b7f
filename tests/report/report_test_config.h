#ifndef MAKEGOOD_TESTS_REPORT_REPORT_TEST_CONFIG_H_
#define MAKEGOOD_TESTS_REPORT_REPORT_TEST_CONFIG_H_

// The location the report tests build their days for.

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/recovery_rules.h"
#include "google/protobuf/text_format.h"
#include "makegood/v1/config.pb.h"

namespace makegood::report::testing {

inline constexpr char kReportConfig[] = R"pb(
  location {
    id: "downtown-01"
    name: "Downtown"
    currency: "USD"
    timezone: "America/New_York"
    business_day_starts: "04:00"
  }
  staff { id: "s-17" name: "Dana" role: SERVER }
  staff { id: "s-22" name: "Sam" role: SERVER }
  staff { id: "s-30" name: "Kim" role: SERVER }
  staff { id: "m-2" name: "Lee" role: MANAGER }
  categories { id: "cold_food" label: "Cold food" }
  categories { id: "wrong_item" label: "Wrong item" }
  categories { id: "long_wait" label: "Long wait" }
  remedies { id: "refire" kind: REMAKE }
  recurring { count: 3 window_minutes: 90 }
  loss_prevention {
    median_multiple: 2.0
    end_of_shift_minutes: 30
    repeat_guest_cases: 2
  }
)pb";

inline core::RecoveryRules ReportRules() {
  makegood::v1::Config config;
  google::protobuf::TextFormat::ParseFromString(kReportConfig, &config);
  return *core::RecoveryRules::Compile(config);
}

// A minute of November 2026 in the location's time zone.
inline absl::Time NovemberAt(int day, int hour, int minute) {
  absl::TimeZone tz;
  absl::LoadTimeZone("America/New_York", &tz);
  return absl::FromCivil(absl::CivilMinute(2026, 11, day, hour, minute), tz);
}

}  // namespace makegood::report::testing

#endif  // MAKEGOOD_TESTS_REPORT_REPORT_TEST_CONFIG_H_
