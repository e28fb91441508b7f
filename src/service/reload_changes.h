#ifndef MAKEGOOD_SERVICE_RELOAD_CHANGES_H_
#define MAKEGOOD_SERVICE_RELOAD_CHANGES_H_

// What a reload (SIGHUP) may change in the running configuration, decided
// field by field by what makegoodd does with the field after it started:
//
//  - Refused: location.id and location.currency. The database is the
//    location's and its money is in that currency (the file's amounts are
//    too), so the new file is not applied at all; a restart changes them.
//  - Restart-only: every server.* field, and location.timezone. They are
//    read once, at start: the gRPC and HTTP listeners (listen, http, their
//    TLS files, http_max_body_bytes, keepalive_seconds), the database and
//    its write queue (database, write_queue_limit), the delivery protocol
//    (command_ack_deadline_seconds, command_stuck_after_seconds and
//    stream_queue_limit, which the dispatcher and the stuck-command timer
//    took at start), the session table (session_idle_minutes), and the
//    location's row in the database (timezone). A reload keeps their
//    running values and reports them, so that no part of the daemon runs
//    with a value another part does not know.
//  - Everything else takes effect at once: staff, devices and their tokens,
//    authority, categories, remedies, policy, follow_up, recurring,
//    outcomes, loss_prevention, recovery, location.name and
//    location.business_day_starts.
//
// Pure; thread-safe.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "makegood/v1/config.pb.h"

namespace makegood::service {

// FAILED_PRECONDITION naming the field when `next` changes a field a
// reload may not change (location.id, location.currency); OK otherwise.
absl::Status CheckReloadable(const makegood::v1::Config& running,
                             const makegood::v1::Config& next);

// The restart-only fields whose value in `next` differs from `running`,
// as paths ("server.listen", "location.timezone"), in schema order.
std::vector<std::string> RestartOnlyChanges(const makegood::v1::Config& running,
                                            const makegood::v1::Config& next);

// `next` with every restart-only field at its value in `running`: the
// configuration a reload runs.
makegood::v1::Config KeepRestartOnly(const makegood::v1::Config& running,
                                     makegood::v1::Config next);

// Every field that differs, as paths in schema order: top-level fields
// ("staff", "authority"), and location's and server's own fields
// ("location.name", "server.listen"). For the reload's log line.
std::vector<std::string> ChangedFields(const makegood::v1::Config& running,
                                       const makegood::v1::Config& next);

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_RELOAD_CHANGES_H_
