#ifndef MAKEGOOD_CORE_EVENT_JSON_H_
#define MAKEGOOD_CORE_EVENT_JSON_H_

// Order events as JSON: the protobuf JSON mapping of makegood.v1.OrderEvent,
// the format of JSON-lines exports, `makegood events publish` and the
// adapters' translate mode.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "makegood/v1/order_events.pb.h"

namespace makegood::core {

// One event; INVALID_ARGUMENT "not an OrderEvent: ..." for anything else,
// unknown fields included.
absl::StatusOr<makegood::v1::OrderEvent> ParseOrderEventJson(
    absl::string_view json);

// One line (no newline) with the proto's field names, as the fixtures use.
std::string OrderEventJsonLine(const makegood::v1::OrderEvent& event);

}  // namespace makegood::core

#endif  // MAKEGOOD_CORE_EVENT_JSON_H_
