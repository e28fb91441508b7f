#include "cli/format.h"

#include "absl/time/time.h"
#include "core/money.h"
#include "core/proto_time.h"

namespace makegood::cli {

std::string When(bool set, const google::protobuf::Timestamp& ts,
                 const char* format) {
  if (!set) return "-";
  return absl::FormatTime(format, core::FromProto(ts), absl::LocalTimeZone());
}

std::string Amount(const makegood::v1::Money& money) {
  if (money.currency().empty()) return "-";
  return core::FormatAmount(money.minor_units(), money.currency());
}

}  // namespace makegood::cli
