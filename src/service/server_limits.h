#ifndef MAKEGOOD_SERVICE_SERVER_LIMITS_H_
#define MAKEGOOD_SERVICE_SERVER_LIMITS_H_

// The delivery protocol's settings (server.* in config.proto), with the
// documented default for a field left 0: the loader fills them in, but a
// Config built in code may not have been through it. Pure; thread-safe.

#include <cstddef>

#include "absl/time/time.h"
#include "makegood/v1/config.pb.h"

namespace makegood::service {

// server.command_stuck_after_seconds: when an unanswered remedy is stuck.
absl::Duration CommandStuckAfter(const makegood::v1::Config& config);

// server.keepalive_seconds: the keepalive ping period, and how long an
// unanswered ping is waited for.
absl::Duration KeepaliveTime(const makegood::v1::Config& config);

// server.stream_queue_limit: messages a server stream may have waiting.
size_t StreamQueueLimit(const makegood::v1::Config& config);

// server.session_idle_minutes: how long a tablet session may go without a
// call.
absl::Duration SessionIdleLimit(const makegood::v1::Config& config);

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_SERVER_LIMITS_H_
