#ifndef MAKEGOOD_CLI_FORMAT_H_
#define MAKEGOOD_CLI_FORMAT_H_

// How the CLI's tables show times and money.

#include <string>
#include <utility>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "makegood/v1/common.pb.h"

namespace makegood::cli {

// How one screen shows times: in the location's time zone, as the reports
// do (a case flagged at dinner in New York shows 18:10, not 23:10), or in
// UTC with --utc. A screen names its zone once, with Caption(). A value;
// thread-compatible.
class TimeDisplay {
 public:
  // In the IANA time zone `zone` ("America/New_York"); in UTC when `zone`
  // is empty or unknown on this machine, which Caption() then says.
  static TimeDisplay InZone(const std::string& zone);
  static TimeDisplay Utc();

  // `ts` as `format` (absl::FormatTime) in the zone; "-" when `set` is
  // false.
  std::string When(bool set, const google::protobuf::Timestamp& ts,
                   const char* format = "%Y-%m-%d %H:%M") const;

  // "times in America/New_York", "times in UTC".
  const std::string& Caption() const { return caption_; }

 private:
  TimeDisplay(absl::TimeZone zone, std::string caption)
      : zone_(zone), caption_(std::move(caption)) {}

  absl::TimeZone zone_;
  std::string caption_;
};

// The amount with its currency's digits ("18.00"); "-" when unset.
std::string Amount(const makegood::v1::Money& money);

}  // namespace makegood::cli

#endif  // MAKEGOOD_CLI_FORMAT_H_
