#ifndef MAKEGOOD_CLI_WATCH_SCREEN_H_
#define MAKEGOOD_CLI_WATCH_SCREEN_H_

// The pieces of `makegood watch` that decide rather than do I/O: the lines
// of the screen, where a lost stream resumes, whether and when it
// reconnects. The contract they follow is RecoveryUpdate's in
// recovery.proto. Values; thread-compatible.

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <string>
#include <utility>

#include "absl/time/time.h"
#include "cli/format.h"
#include "client/watch_resume.h"
#include "makegood/v1/recovery.pb.h"

namespace makegood::cli {

// Reconnect backoff: 0.5 s, doubling, at most 10 s; back to the first once
// a stream has caught up.
inline constexpr absl::Duration kFirstWatchRetry = absl::Milliseconds(500);
inline constexpr absl::Duration kLongestWatchRetry = absl::Seconds(10);

// The wait after `previous`: twice as long, at most kLongestWatchRetry.
absl::Duration NextWatchRetry(absl::Duration previous);

// Whether a watch whose stream ended with `status` reconnects: yes when
// makegoodd stopped (OK, UNAVAILABLE) or the connection failed (any code
// but the refusals); no when the caller cancelled or was refused
// (CANCELLED, INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS,
// PERMISSION_DENIED, FAILED_PRECONDITION, OUT_OF_RANGE, UNIMPLEMENTED,
// UNAUTHENTICATED): asking again would get the same answer.
bool WatchReconnects(const grpc::Status& status);

using client::ResumePoint;

// The text lines of the watch screen, one per update, in the screen's
// time zone:
//   18:10:04  RC-...  PENDING_APPROVAL  check c1  wrong_item  cost 30.00
//   18:10:04  ALERT PENDING_APPROVAL  s-17 asks approval for ...
//   pending   ALERT PENDING_APPROVAL  ...      (part of the snapshot)
//   18:10:00  — 1 pending (snapshot) —         (the caught_up)
// Snapshot updates say "pending" where a change says its time: they are
// the state when the stream started, not changes.
class WatchScreen {
 public:
  explicit WatchScreen(TimeDisplay times) : times_(std::move(times)) {}

  // A new stream begins: forget the count of an unfinished snapshot.
  void StreamStarted() { snapshot_alerts_ = 0; }

  // The line for `update`, without a newline.
  std::string Line(const makegood::v1::RecoveryUpdate& update);

 private:
  TimeDisplay times_;
  // Alerts in the current stream's snapshot so far.
  int snapshot_alerts_ = 0;
};

// The caught_up marker's text, without the time: "— 2 pending (snapshot) —",
// "— resumed, 3 missed —", "— fresh snapshot: resume point too old,
// 1 pending —", "— fresh snapshot: makegoodd restarted, 1 pending —".
// `pending` is the number of alerts the snapshot held.
std::string CaughtUpText(const makegood::v1::CaughtUp& caught_up, int pending);

}  // namespace makegood::cli

#endif  // MAKEGOOD_CLI_WATCH_SCREEN_H_
