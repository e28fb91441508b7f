#ifndef MAKEGOOD_TESTS_SUPPORT_SAMPLE_EVENTS_H_
#define MAKEGOOD_TESTS_SUPPORT_SAMPLE_EVENTS_H_

// Builders of valid order events for tests and benchmarks.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "makegood/v1/order_events.pb.h"

namespace makegood::testing {

inline constexpr char kLocation[] = "downtown-01";
inline constexpr char kCurrency[] = "USD";

// An event with ids and time set and no kind.
makegood::v1::OrderEvent BaseEvent(const std::string& event_id,
                                   const std::string& check_id, absl::Time at);

makegood::v1::OrderEvent CheckOpened(const std::string& event_id,
                                     const std::string& check_id, absl::Time at,
                                     const std::string& table = "12");
makegood::v1::OrderEvent ItemAdded(const std::string& event_id,
                                   const std::string& check_id,
                                   const std::string& line_id, absl::Time at,
                                   int64_t price_minor = 4200,
                                   int quantity = 1);
makegood::v1::OrderEvent ItemFired(const std::string& event_id,
                                   const std::string& check_id,
                                   const std::string& line_id, absl::Time at);
makegood::v1::OrderEvent ItemServed(const std::string& event_id,
                                    const std::string& check_id,
                                    const std::string& line_id, absl::Time at);

// A realistic stream of `count` events: checks of 8 to 10 events each
// (opened, items added, fired, served, paid), event ids "<prefix>-<n>".
std::vector<makegood::v1::OrderEvent> SyntheticService(
    int count, const std::string& prefix, absl::Time start);

}  // namespace makegood::testing

#endif  // MAKEGOOD_TESTS_SUPPORT_SAMPLE_EVENTS_H_
