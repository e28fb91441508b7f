#ifndef MAKEGOOD_CONFIG_CONFIG_VALIDATION_H_
#define MAKEGOOD_CONFIG_CONFIG_VALIDATION_H_

// The meaning of a parsed configuration: what protobuf's parser cannot check.
// Pure apart from reading the time zone database and probing TLS files;
// thread-safe.

#include <string>
#include <vector>

#include "makegood/v1/config.pb.h"

namespace makegood::config {

// Default listen address: loopback only.
inline constexpr char kDefaultListen[] = "127.0.0.1:50051";
// Default database, relative to the working directory.
inline constexpr char kDefaultDatabase[] = "var/makegood.db";
inline constexpr char kDefaultBusinessDayStarts[] = "04:00";
inline constexpr int kDefaultFollowUpDays = 7;
inline constexpr int kDefaultContactRetentionDays = 90;
inline constexpr int kDefaultRecurringCount = 3;
inline constexpr int kDefaultRecurringWindowMinutes = 90;
inline constexpr double kDefaultMedianMultiple = 2.0;
inline constexpr int kDefaultEndOfShiftMinutes = 30;
inline constexpr int kDefaultRepeatGuestCases = 2;
inline constexpr int kDefaultFlagClosedWithinHours = 24;
inline constexpr int kDefaultCommandAckDeadlineSeconds = 30;
// server.write_queue_limit: writes waiting for the store at most.
inline constexpr int kDefaultWriteQueueLimit = 10000;
inline constexpr int kMaxWriteQueueLimit = 1000000;
inline constexpr int kDefaultCommandStuckAfterSeconds = 120;
inline constexpr int kDefaultKeepaliveSeconds = 10;
inline constexpr int kDefaultStreamQueueLimit = 1000;
// server.http: the HTTP listener (web app, Connect protocol), loopback only
// by default; kHttpOff turns it off.
inline constexpr char kDefaultHttp[] = "127.0.0.1:8080";
inline constexpr char kHttpOff[] = "off";
// server.http_max_body_bytes: the largest HTTP request body, in bytes.
inline constexpr int kDefaultHttpMaxBodyBytes = 1048576;
inline constexpr int kMinHttpMaxBodyBytes = 1024;
// gRPC's own limit on a message (4 MiB): the Connect call is a gRPC call
// in-process.
inline constexpr int kMaxHttpMaxBodyBytes = 4194304;
// server.session_idle_minutes: a tablet session ends after this long
// without a call.
inline constexpr int kDefaultSessionIdleMinutes = 30;
inline constexpr int kMaxSessionIdleMinutes = 1440;

// Every problem found, each "field.path: what is wrong"; empty when valid.
std::vector<std::string> ValidateConfig(const makegood::v1::Config& config);

// Fills in the documented defaults of unset fields.
void ApplyDefaults(makegood::v1::Config& config);

// True when the host of a listen address ("host:port") is an IPv4 literal
// of 127.0.0.0/8, ::1 (bracketed or not) or "localhost"; false for any other
// name (even "127.0.0.1.nip.io"), a wildcard (0.0.0.0, ::), an empty host,
// or an address without a port.
bool IsLoopbackListenAddress(const std::string& address);

}  // namespace makegood::config

#endif  // MAKEGOOD_CONFIG_CONFIG_VALIDATION_H_
