#include "report/render_util.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/money.h"
#include "core/proto_time.h"
#include "google/protobuf/util/time_util.h"

namespace makegood::report {

std::string Decimal(const makegood::v1::Money& money) {
  if (money.currency().empty()) return "-";
  return core::FormatAmount(money.minor_units(), money.currency());
}

std::string MoneyText(const makegood::v1::Money& money) {
  if (money.currency().empty()) return "-";
  return absl::StrCat(Decimal(money), " ", money.currency());
}

std::string Percent(int32_t bps) {
  return absl::StrFormat("%d.%02d%%", bps / 100, bps % 100);
}

std::string DurationText(const google::protobuf::Duration& d) {
  const int64_t seconds =
      google::protobuf::util::TimeUtil::DurationToSeconds(d);
  if (seconds >= 3600) {
    return absl::StrFormat("%dh %02dm", seconds / 3600, seconds % 3600 / 60);
  }
  return absl::StrFormat("%dm %02ds", seconds / 60, seconds % 60);
}

std::string LocalTime(const google::protobuf::Timestamp& ts,
                      const std::string& zone, const char* format) {
  absl::TimeZone tz = absl::UTCTimeZone();
  if (!zone.empty()) absl::LoadTimeZone(zone, &tz);
  return absl::FormatTime(format, core::FromProto(ts), tz);
}

}  // namespace makegood::report
