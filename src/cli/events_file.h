#ifndef MAKEGOOD_CLI_EVENTS_FILE_H_
#define MAKEGOOD_CLI_EVENTS_FILE_H_

// JSON-lines files of order events: one OrderEvent per line in the proto
// JSON mapping; blank lines are skipped.

#include <istream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "makegood/v1/order_events.pb.h"

namespace makegood::cli {

// All events of the stream, or INVALID_ARGUMENT "NAME:LINE: what is wrong"
// for the first line that does not parse (unknown fields included).
absl::StatusOr<std::vector<makegood::v1::OrderEvent>> ReadEventsJsonl(
    std::istream& in, const std::string& name);

}  // namespace makegood::cli

#endif  // MAKEGOOD_CLI_EVENTS_FILE_H_
