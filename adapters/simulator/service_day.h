#ifndef MAKEGOOD_ADAPTERS_SIMULATOR_SERVICE_DAY_H_
#define MAKEGOOD_ADAPTERS_SIMULATOR_SERVICE_DAY_H_

// A believable day of service, planned in advance and deterministic for a
// seed: parties arriving over the lunch and dinner peaks, checks with
// starters, mains and desserts fired and served by station, problems at a
// configurable rate, and what the staff do about them. The plan is pure;
// makegood-sim plays it against makegoodd.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "makegood/v1/common.pb.h"
#include "makegood/v1/order_events.pb.h"

namespace makegood::simulator {

struct DayOptions {
  absl::CivilDay date;
  absl::TimeZone zone;
  std::string location_id = "downtown-01";
  std::string currency = "USD";
  int covers = 400;
  uint64_t seed = 1;
  // Chance that one item has a problem.
  double problem_rate = 0.03;
  // Staff ids the parties are served by (their tokens are the runner's).
  std::vector<std::string> servers = {"s-17", "s-22"};
  // Next-visit codes given on earlier days and still valid: about half of
  // those guests come back today and redeem theirs.
  struct Code {
    std::string code;
    int64_t value_minor = 0;  // What the code takes off (0: 10% of the check).
  };
  std::vector<Code> earlier_codes;
};

// A guest problem and what happens next, at the plan's times.
struct Problem {
  std::string check_id;
  std::vector<std::string> line_ids;  // Empty: the whole check.
  std::string category_id;
  makegood::v1::Severity severity = makegood::v1::MINOR;
  std::string guest_words;
  int server_index = 0;  // Into DayOptions::servers.
  absl::Time flagged_at;
  absl::Time applied_at;          // The staff member applies...
  int option_index = 0;           // ...this option (0 = the first offered).
  absl::Duration approval_after;  // A manager approves, when needed.
  absl::Time outcome_at;
  makegood::v1::GuestResponse response = makegood::v1::ACCEPTED;
  makegood::v1::RootCause root_cause = makegood::v1::KITCHEN;
  std::string action_taken;
};

struct ServiceDay {
  std::vector<makegood::v1::OrderEvent> events;  // In time order.
  std::vector<Problem> problems;                 // In flag order.
  int checks = 0;
  int covers = 0;
  int codes_redeemed = 0;
};

ServiceDay PlanServiceDay(const DayOptions& options);

}  // namespace makegood::simulator

#endif  // MAKEGOOD_ADAPTERS_SIMULATOR_SERVICE_DAY_H_
