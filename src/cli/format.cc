#include "cli/format.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "core/money.h"
#include "core/proto_time.h"

namespace makegood::cli {

TimeDisplay TimeDisplay::InZone(const std::string& zone) {
  absl::TimeZone loaded;
  if (zone.empty()) {
    return TimeDisplay(absl::UTCTimeZone(),
                       "times in UTC (the location's time zone is not known)");
  }
  if (!absl::LoadTimeZone(zone, &loaded)) {
    return TimeDisplay(absl::UTCTimeZone(),
                       absl::StrCat("times in UTC (the location's time zone ",
                                    zone, " is unknown on this machine)"));
  }
  return TimeDisplay(loaded, absl::StrCat("times in ", zone));
}

TimeDisplay TimeDisplay::Utc() {
  return TimeDisplay(absl::UTCTimeZone(), "times in UTC");
}

std::string TimeDisplay::When(bool set, const google::protobuf::Timestamp& ts,
                              const char* format) const {
  if (!set) return "-";
  return absl::FormatTime(format, core::FromProto(ts), zone_);
}

std::string Amount(const makegood::v1::Money& money) {
  if (money.currency().empty()) return "-";
  return core::FormatAmount(money.minor_units(), money.currency());
}

}  // namespace makegood::cli
