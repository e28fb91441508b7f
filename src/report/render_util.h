#ifndef MAKEGOOD_REPORT_RENDER_UTIL_H_
#define MAKEGOOD_REPORT_RENDER_UTIL_H_

// Formatting shared by the renderers.

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "makegood/v1/common.pb.h"

namespace makegood::report {

// The decimal amount without the currency, "12.50"; "-" when unset.
std::string Decimal(const makegood::v1::Money& money);
// "12.50 USD".
std::string MoneyText(const makegood::v1::Money& money);
// 1234 bps -> "12.34%".
std::string Percent(int32_t bps);
// "4m 05s", "1h 02m".
std::string DurationText(const google::protobuf::Duration& d);
// Local "HH:MM" in `zone` ("" when unknown: UTC).
std::string LocalTime(const google::protobuf::Timestamp& ts,
                      const std::string& zone, const char* format = "%H:%M");

}  // namespace makegood::report

#endif  // MAKEGOOD_REPORT_RENDER_UTIL_H_
