#include "service/server_limits.h"

#include "config/config_validation.h"

namespace makegood::service {
namespace {

int OrDefault(int value, int default_value) {
  return value > 0 ? value : default_value;
}

}  // namespace

absl::Duration CommandStuckAfter(const makegood::v1::Config& config) {
  return absl::Seconds(OrDefault(config.server().command_stuck_after_seconds(),
                                 config::kDefaultCommandStuckAfterSeconds));
}

absl::Duration KeepaliveTime(const makegood::v1::Config& config) {
  return absl::Seconds(OrDefault(config.server().keepalive_seconds(),
                                 config::kDefaultKeepaliveSeconds));
}

size_t StreamQueueLimit(const makegood::v1::Config& config) {
  return static_cast<size_t>(OrDefault(config.server().stream_queue_limit(),
                                       config::kDefaultStreamQueueLimit));
}

absl::Duration SessionIdleLimit(const makegood::v1::Config& config) {
  return absl::Minutes(OrDefault(config.server().session_idle_minutes(),
                                 config::kDefaultSessionIdleMinutes));
}

}  // namespace makegood::service
