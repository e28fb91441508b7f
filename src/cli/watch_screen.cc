#include "cli/watch_screen.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace makegood::cli {

using makegood::v1::CaughtUp;
using makegood::v1::RecoveryCase;
using makegood::v1::RecoveryUpdate;

absl::Duration NextWatchRetry(absl::Duration previous) {
  return std::min(previous * 2, kLongestWatchRetry);
}

bool WatchReconnects(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
    case grpc::StatusCode::UNIMPLEMENTED:
    case grpc::StatusCode::UNAUTHENTICATED:
      return false;
    default:
      return true;
  }
}

void ResumePoint::Saw(const RecoveryUpdate& update) {
  if (update.has_caught_up()) {
    after_sequence_ = update.sequence();
    stream_epoch_ = update.stream_epoch();
    return;
  }
  if (update.sequence() <= 0) return;  // A snapshot update: no resume point.
  if (update.stream_epoch() != stream_epoch_) {
    stream_epoch_ = update.stream_epoch();
    after_sequence_ = update.sequence();
    return;
  }
  after_sequence_ = std::max(after_sequence_, update.sequence());
}

makegood::v1::WatchRecoveriesRequest ResumePoint::Request() const {
  makegood::v1::WatchRecoveriesRequest request;
  // A sequence is a resume point only with its run's name.
  if (after_sequence_ > 0 && !stream_epoch_.empty()) {
    request.set_after_sequence(after_sequence_);
    request.set_stream_epoch(stream_epoch_);
  }
  return request;
}

std::string CaughtUpText(const CaughtUp& caught_up, int pending) {
  const std::string held =
      pending == 0 ? "nothing pending" : absl::StrCat(pending, " pending");
  switch (caught_up.start()) {
    case CaughtUp::SNAPSHOT:
      return absl::StrCat("— ", held, " (snapshot) —");
    case CaughtUp::RESUMED:
      return absl::StrCat("— resumed, ", caught_up.updates(), " missed —");
    case CaughtUp::SNAPSHOT_TOO_OLD:
      return absl::StrCat("— fresh snapshot: resume point too old, ", held,
                          " —");
    case CaughtUp::SNAPSHOT_OTHER_RUN:
      return absl::StrCat("— fresh snapshot: makegoodd restarted, ", held,
                          " —");
    default:
      return "— caught up —";
  }
}

std::string WatchScreen::Line(const RecoveryUpdate& update) {
  const std::string at = times_.When(true, update.at(), "%H:%M:%S");
  if (update.has_caught_up()) {
    const int pending = snapshot_alerts_;
    snapshot_alerts_ = 0;
    return absl::StrCat(at, "  ", CaughtUpText(update.caught_up(), pending));
  }
  // A snapshot update is the state when the stream started, not a change
  // made at `at`.
  const std::string when = update.snapshot() ? "pending " : at;
  if (update.has_alert()) {
    if (update.snapshot()) ++snapshot_alerts_;
    return absl::StrCat(when, "  ALERT ",
                        makegood::v1::Alert::Kind_Name(update.alert().kind()),
                        "  ", update.alert().message());
  }
  const RecoveryCase& c = update.case_changed();
  return absl::StrCat(when, "  ", c.case_id(), "  ",
                      RecoveryCase::Status_Name(c.status()), "  check ",
                      c.check_id(), "  ", c.category_id(), "  cost ",
                      Amount(c.total_cost()));
}

}  // namespace makegood::cli
