// `makegood watch` without a server: the screen's lines (snapshot items
// marked pending, the caught_up marker), where a lost stream resumes, and
// which ends it reconnects after.

#include "cli/watch_screen.h"

#include <string>
#include <vector>

#include "core/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace makegood::cli {
namespace {

using makegood::v1::Alert;
using makegood::v1::CaughtUp;
using makegood::v1::RecoveryCase;
using makegood::v1::RecoveryUpdate;

// 18:10:04 in New York.
google::protobuf::Timestamp Dinner() {
  return core::ToProto(absl::FromCivil(
      absl::CivilSecond(2026, 7, 14, 22, 10, 4), absl::UTCTimeZone()));
}

RecoveryUpdate CaseUpdate(int64_t sequence, const std::string& epoch,
                          bool snapshot) {
  RecoveryUpdate update;
  *update.mutable_at() = Dinner();
  update.set_sequence(sequence);
  update.set_stream_epoch(epoch);
  update.set_snapshot(snapshot);
  RecoveryCase* c = update.mutable_case_changed();
  c->set_case_id("RC-1");
  c->set_status(RecoveryCase::PENDING_APPROVAL);
  c->set_check_id("c1");
  c->set_category_id("wrong_item");
  return update;
}

RecoveryUpdate AlertUpdate(int64_t sequence, const std::string& epoch,
                           bool snapshot) {
  RecoveryUpdate update;
  *update.mutable_at() = Dinner();
  update.set_sequence(sequence);
  update.set_stream_epoch(epoch);
  update.set_snapshot(snapshot);
  update.mutable_alert()->set_kind(Alert::PENDING_APPROVAL);
  update.mutable_alert()->set_message("s-17 asks approval for Comp (30.00)");
  return update;
}

RecoveryUpdate CaughtUpUpdate(int64_t sequence, const std::string& epoch,
                              CaughtUp::Start start, int updates) {
  RecoveryUpdate update;
  *update.mutable_at() = Dinner();
  update.set_sequence(sequence);
  update.set_stream_epoch(epoch);
  update.mutable_caught_up()->set_start(start);
  update.mutable_caught_up()->set_updates(updates);
  return update;
}

TEST(WatchScreenTest, SnapshotItemsArePendingAndTheMarkerCountsThem) {
  WatchScreen screen(TimeDisplay::InZone("America/New_York"));
  screen.StreamStarted();
  EXPECT_EQ(screen.Line(CaseUpdate(0, "e1", true)),
            "pending   RC-1  PENDING_APPROVAL  check c1  wrong_item  cost -");
  EXPECT_EQ(screen.Line(AlertUpdate(0, "e1", true)),
            "pending   ALERT PENDING_APPROVAL  s-17 asks approval for Comp "
            "(30.00)");
  EXPECT_EQ(screen.Line(CaughtUpUpdate(7, "e1", CaughtUp::SNAPSHOT, 2)),
            "18:10:04  — 1 pending (snapshot) —");
  // Live changes show their time in the location's zone.
  EXPECT_EQ(screen.Line(AlertUpdate(8, "e1", false)),
            "18:10:04  ALERT PENDING_APPROVAL  s-17 asks approval for Comp "
            "(30.00)");
}

TEST(WatchScreenTest, EveryWayOfCatchingUpHasItsMarker) {
  CaughtUp caught_up;
  caught_up.set_start(CaughtUp::SNAPSHOT);
  EXPECT_EQ(CaughtUpText(caught_up, 0), "— nothing pending (snapshot) —");
  caught_up.set_start(CaughtUp::RESUMED);
  caught_up.set_updates(3);
  EXPECT_EQ(CaughtUpText(caught_up, 0), "— resumed, 3 missed —");
  caught_up.set_start(CaughtUp::SNAPSHOT_TOO_OLD);
  EXPECT_EQ(CaughtUpText(caught_up, 2),
            "— fresh snapshot: resume point too old, 2 pending —");
  caught_up.set_start(CaughtUp::SNAPSHOT_OTHER_RUN);
  EXPECT_EQ(CaughtUpText(caught_up, 1),
            "— fresh snapshot: makegoodd restarted, 1 pending —");
  caught_up.set_start(CaughtUp::START_UNSPECIFIED);
  EXPECT_EQ(CaughtUpText(caught_up, 0), "— caught up —");
}

TEST(WatchScreenTest, AStreamLostDuringItsSnapshotCountsAfresh) {
  WatchScreen screen(TimeDisplay::Utc());
  screen.StreamStarted();
  screen.Line(AlertUpdate(0, "e1", true));
  screen.StreamStarted();  // Reconnected before the caught_up.
  screen.Line(AlertUpdate(0, "e1", true));
  EXPECT_EQ(screen.Line(CaughtUpUpdate(0, "e1", CaughtUp::SNAPSHOT, 1)),
            "22:10:04  — 1 pending (snapshot) —");
}

TEST(ResumePointTest, ResumesAfterTheLargestSequenceOfTheNewestRun) {
  ResumePoint resume;
  // Nothing seen: a snapshot.
  EXPECT_EQ(resume.Request().after_sequence(), 0);
  EXPECT_EQ(resume.Request().stream_epoch(), "");

  // Snapshot updates are no resume point; the caught_up is.
  resume.Saw(CaseUpdate(0, "e1", true));
  EXPECT_EQ(resume.after_sequence(), 0);
  resume.Saw(CaughtUpUpdate(5, "e1", CaughtUp::SNAPSHOT, 1));
  EXPECT_EQ(resume.after_sequence(), 5);
  resume.Saw(CaseUpdate(6, "e1", false));
  resume.Saw(AlertUpdate(7, "e1", false));
  EXPECT_EQ(resume.Request().after_sequence(), 7);
  EXPECT_EQ(resume.Request().stream_epoch(), "e1");

  // makegoodd restarted: its snapshot and caught_up start the new run's
  // numbers, lower than the old ones.
  resume.Saw(CaseUpdate(0, "e2", true));
  EXPECT_EQ(resume.stream_epoch(), "e1");  // Not yet: no caught_up.
  resume.Saw(CaughtUpUpdate(0, "e2", CaughtUp::SNAPSHOT_OTHER_RUN, 1));
  EXPECT_EQ(resume.stream_epoch(), "e2");
  // A run that published nothing yet: start with a snapshot again.
  EXPECT_EQ(resume.Request().after_sequence(), 0);
  EXPECT_EQ(resume.Request().stream_epoch(), "");
  resume.Saw(CaseUpdate(1, "e2", false));
  resume.Saw(CaseUpdate(2, "e2", false));
  EXPECT_EQ(resume.Request().after_sequence(), 2);
  EXPECT_EQ(resume.Request().stream_epoch(), "e2");
}

TEST(ResumePointTest, ALiveUpdateOfAnotherRunMovesThePointToThatRun) {
  ResumePoint resume;
  resume.Saw(CaughtUpUpdate(40, "e1", CaughtUp::SNAPSHOT, 0));
  resume.Saw(CaseUpdate(3, "e2", false));
  EXPECT_EQ(resume.after_sequence(), 3);
  EXPECT_EQ(resume.stream_epoch(), "e2");
}

TEST(WatchReconnectTest, ReconnectsWhenTheServerOrTheNetworkWentAway) {
  EXPECT_TRUE(WatchReconnects(grpc::Status::OK));  // makegoodd stopped.
  for (const grpc::StatusCode code :
       {grpc::StatusCode::UNAVAILABLE, grpc::StatusCode::UNKNOWN,
        grpc::StatusCode::INTERNAL, grpc::StatusCode::DEADLINE_EXCEEDED,
        grpc::StatusCode::RESOURCE_EXHAUSTED}) {
    EXPECT_TRUE(WatchReconnects(grpc::Status(code, "gone"))) << code;
  }
}

TEST(WatchReconnectTest, StopsWhenCancelledOrRefused) {
  for (const grpc::StatusCode code :
       {grpc::StatusCode::CANCELLED, grpc::StatusCode::PERMISSION_DENIED,
        grpc::StatusCode::UNAUTHENTICATED, grpc::StatusCode::INVALID_ARGUMENT,
        grpc::StatusCode::UNIMPLEMENTED}) {
    EXPECT_FALSE(WatchReconnects(grpc::Status(code, "no"))) << code;
  }
}

TEST(WatchReconnectTest, BackoffDoublesFromHalfASecondToTenSeconds) {
  absl::Duration retry = kFirstWatchRetry;
  std::vector<absl::Duration> waits;
  for (int i = 0; i < 7; ++i) {
    waits.push_back(retry);
    retry = NextWatchRetry(retry);
  }
  EXPECT_THAT(waits, ::testing::ElementsAre(
                         absl::Milliseconds(500), absl::Seconds(1),
                         absl::Seconds(2), absl::Seconds(4), absl::Seconds(8),
                         absl::Seconds(10), absl::Seconds(10)));
}

}  // namespace
}  // namespace makegood::cli
