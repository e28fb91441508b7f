#ifndef MAKEGOOD_CLI_FORMAT_H_
#define MAKEGOOD_CLI_FORMAT_H_

// How the CLI's tables show times and money.

#include <string>

#include "google/protobuf/timestamp.pb.h"
#include "makegood/v1/common.pb.h"

namespace makegood::cli {

// `ts` in this machine's local time zone; "-" when `set` is false.
std::string When(bool set, const google::protobuf::Timestamp& ts,
                 const char* format = "%Y-%m-%d %H:%M");

// The amount with its currency's digits ("18.00"); "-" when unset.
std::string Amount(const makegood::v1::Money& money);

}  // namespace makegood::cli

#endif  // MAKEGOOD_CLI_FORMAT_H_
