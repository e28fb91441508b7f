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
  // The watch screen's own cancel (the operator's Ctrl-C) ends it too.
  return status.error_code() != grpc::StatusCode::CANCELLED &&
         !client::WatchRefused(status);
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
