#include "service/recovery_hub.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace makegood::service {
namespace {

using makegood::v1::Alert;
using makegood::v1::CaughtUp;
using makegood::v1::RecoveryUpdate;

const absl::Time kAt = absl::FromUnixSeconds(1795000000);

// Records what the hub hands it.
class Recorder final : public RecoveryHub::Listener {
 public:
  void OnUpdate(const RecoveryUpdate& update) override {
    updates.push_back(update);
  }
  void OnCommand(const makegood::v1::RemedyCommand& command) override {
    commands.push_back(command.command_id());
  }
  void OnClose() override { closed = true; }

  std::vector<int64_t> Sequences() const {
    std::vector<int64_t> sequences;
    for (const auto& update : updates) sequences.push_back(update.sequence());
    return sequences;
  }

  std::vector<RecoveryUpdate> updates;
  std::vector<std::string> commands;
  bool closed = false;
};

RecoveryHub Hub(size_t capacity) {
  return RecoveryHub(RecoveryHubOptions{capacity, "run-1"});
}

// A committed change of `case_id` with `alerts` alerts and one command.
store::RecoveryResult Change(const std::string& case_id, int alerts = 0) {
  store::RecoveryResult result;
  result.recovery.set_case_id(case_id);
  for (int i = 0; i < alerts; ++i) {
    Alert* alert = &result.alerts.emplace_back();
    alert->set_alert_id(absl::StrCat(case_id, "-alert-", i));
    alert->set_kind(Alert::PENDING_APPROVAL);
  }
  result.commands.emplace_back().set_command_id("CMD-" + case_id);
  return result;
}

TEST(RecoveryHubTest, NumbersEveryUpdateInPublishOrderWithTheEpoch) {
  RecoveryHub hub = Hub(16);
  Recorder live;
  ASSERT_TRUE(hub.Add(&live));
  hub.Publish(Change("RC-1", /*alerts=*/2), kAt);
  hub.Publish(Change("RC-2"), kAt);
  EXPECT_EQ(live.Sequences(), (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(live.updates[0].case_changed().case_id(), "RC-1");
  EXPECT_EQ(live.updates[1].alert().alert_id(), "RC-1-alert-0");
  EXPECT_EQ(live.updates[2].alert().alert_id(), "RC-1-alert-1");
  EXPECT_EQ(live.updates[3].case_changed().case_id(), "RC-2");
  for (const auto& update : live.updates) {
    EXPECT_EQ(update.stream_epoch(), "run-1");
    EXPECT_FALSE(update.snapshot());
  }
  EXPECT_EQ(live.commands, (std::vector<std::string>{"CMD-RC-1", "CMD-RC-2"}));
}

TEST(RecoveryHubTest, AReplayedAnswerIsNotPublishedNorNumbered) {
  RecoveryHub hub = Hub(16);
  Recorder live;
  ASSERT_TRUE(hub.Add(&live));
  store::RecoveryResult replayed = Change("RC-1", 1);
  replayed.replayed = true;
  hub.Publish(replayed, kAt);
  hub.Publish(Change("RC-2"), kAt);
  EXPECT_EQ(live.Sequences(), (std::vector<int64_t>{1}));
  EXPECT_EQ(live.commands, (std::vector<std::string>{"CMD-RC-2"}));
}

TEST(RecoveryHubTest, ResumeReplaysExactlyTheMissedUpdatesThenGoesLive) {
  RecoveryHub hub = Hub(16);
  for (int i = 1; i <= 5; ++i) hub.Publish(Change(absl::StrCat("RC-", i)), kAt);
  Recorder screen;
  auto start = hub.Resume(&screen, "run-1", 2, kAt);
  ASSERT_TRUE(start.ok()) << start.status();
  EXPECT_EQ(*start, CaughtUp::RESUMED);
  // 3, 4, 5, then caught_up at 5; the next change is 6.
  ASSERT_EQ(screen.updates.size(), 4u);
  EXPECT_EQ(screen.updates[0].case_changed().case_id(), "RC-3");
  EXPECT_EQ(screen.updates[2].case_changed().case_id(), "RC-5");
  EXPECT_EQ(screen.updates[3].caught_up().start(), CaughtUp::RESUMED);
  EXPECT_EQ(screen.updates[3].caught_up().updates(), 3);
  hub.Publish(Change("RC-6"), kAt);
  EXPECT_EQ(screen.Sequences(), (std::vector<int64_t>{3, 4, 5, 5, 6}));
  EXPECT_EQ(screen.updates[4].case_changed().case_id(), "RC-6");
}

TEST(RecoveryHubTest, ResumeAtTheNewestUpdateReplaysNothing) {
  RecoveryHub hub = Hub(16);
  hub.Publish(Change("RC-1", 1), kAt);
  Recorder screen;
  ASSERT_EQ(*hub.Resume(&screen, "run-1", 2, kAt), CaughtUp::RESUMED);
  ASSERT_EQ(screen.updates.size(), 1u);
  EXPECT_TRUE(screen.updates[0].has_caught_up());
  EXPECT_EQ(screen.updates[0].sequence(), 2);
  EXPECT_EQ(screen.updates[0].caught_up().updates(), 0);
}

TEST(RecoveryHubTest, TheRingKeepsTheNewestUpdatesOnly) {
  RecoveryHub hub = Hub(3);
  for (int i = 1; i <= 5; ++i) hub.Publish(Change(absl::StrCat("RC-", i)), kAt);
  // 3, 4 and 5 are kept: resuming after 2 works, after 1 does not.
  Recorder oldest;
  ASSERT_EQ(*hub.Resume(&oldest, "run-1", 2, kAt), CaughtUp::RESUMED);
  EXPECT_EQ(oldest.Sequences(), (std::vector<int64_t>{3, 4, 5, 5}));
  Recorder too_old;
  EXPECT_EQ(*hub.Resume(&too_old, "run-1", 1, kAt), CaughtUp::SNAPSHOT_TOO_OLD);
  EXPECT_TRUE(too_old.updates.empty());
}

TEST(RecoveryHubTest, WhenItCannotResumeItRegistersNothing) {
  RecoveryHub hub = Hub(16);
  hub.Publish(Change("RC-1"), kAt);
  Recorder fresh, other_run, future;
  EXPECT_EQ(*hub.Resume(&fresh, "run-1", 0, kAt), CaughtUp::SNAPSHOT);
  EXPECT_EQ(*hub.Resume(&other_run, "run-0", 1, kAt),
            CaughtUp::SNAPSHOT_OTHER_RUN);
  EXPECT_EQ(*hub.Resume(&future, "run-1", 2, kAt), CaughtUp::SNAPSHOT_TOO_OLD);
  hub.Publish(Change("RC-2"), kAt);
  EXPECT_TRUE(fresh.updates.empty());
  EXPECT_TRUE(other_run.updates.empty());
  EXPECT_TRUE(future.updates.empty());
}

TEST(RecoveryHubTest, ASnapshotIsMarkedAndUnnumberedThenLiveFollows) {
  RecoveryHub hub = Hub(16);
  hub.Publish(Change("RC-1", 1), kAt);  // 1 and 2, before the snapshot.
  std::vector<RecoveryUpdate> snapshot(2);
  snapshot[0].mutable_case_changed()->set_case_id("RC-1");
  snapshot[1].mutable_alert()->set_alert_id("AL-1");
  Recorder screen;
  ASSERT_TRUE(hub.StartWithSnapshot(&screen, snapshot,
                                    CaughtUp::SNAPSHOT_TOO_OLD, kAt));
  hub.Publish(Change("RC-3"), kAt);
  ASSERT_EQ(screen.updates.size(), 4u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(screen.updates[i].snapshot());
    EXPECT_EQ(screen.updates[i].sequence(), 0);
    EXPECT_EQ(screen.updates[i].stream_epoch(), "run-1");
  }
  EXPECT_EQ(screen.updates[2].caught_up().start(), CaughtUp::SNAPSHOT_TOO_OLD);
  EXPECT_EQ(screen.updates[2].caught_up().updates(), 2);
  EXPECT_EQ(screen.updates[2].sequence(), 2);
  EXPECT_FALSE(screen.updates[3].snapshot());
  EXPECT_EQ(screen.updates[3].sequence(), 3);
  EXPECT_EQ(screen.updates[3].case_changed().case_id(), "RC-3");
  // Resuming from the caught_up's sequence gets what came after it.
  Recorder again;
  ASSERT_EQ(*hub.Resume(&again, "run-1", 2, kAt), CaughtUp::RESUMED);
  EXPECT_EQ(again.Sequences(), (std::vector<int64_t>{3, 3}));
}

TEST(RecoveryHubTest, ARemovedListenerGetsNothingMore) {
  RecoveryHub hub = Hub(16);
  Recorder screen;
  ASSERT_EQ(*hub.Resume(&screen, "run-1", 0, kAt), CaughtUp::SNAPSHOT);
  ASSERT_TRUE(hub.StartWithSnapshot(&screen, {}, CaughtUp::SNAPSHOT, kAt));
  hub.Remove(&screen);
  hub.Publish(Change("RC-1"), kAt);
  ASSERT_EQ(screen.updates.size(), 1u);  // The caught_up only.
  EXPECT_EQ(screen.updates[0].sequence(), 0);
}

TEST(RecoveryHubTest, AClosedHubClosesStreamsAndStartsNone) {
  RecoveryHub hub = Hub(16);
  Recorder screen, late;
  ASSERT_TRUE(hub.StartWithSnapshot(&screen, {}, CaughtUp::SNAPSHOT, kAt));
  hub.Close();
  EXPECT_TRUE(screen.closed);
  EXPECT_EQ(hub.Resume(&late, "run-1", 0, kAt).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_FALSE(hub.StartWithSnapshot(&late, {}, CaughtUp::SNAPSHOT, kAt));
  EXPECT_FALSE(hub.Add(&late));
  EXPECT_TRUE(late.updates.empty());
}

TEST(RecoveryHubTest, AnAlertIsPublishedOnlyWhileStillDue) {
  RecoveryHub hub = Hub(16);
  Recorder live;
  ASSERT_TRUE(hub.Add(&live));
  Alert alert;
  alert.set_alert_id("AL-COMMAND_STUCK-CMD-1");
  alert.set_kind(Alert::COMMAND_STUCK);
  EXPECT_FALSE(hub.PublishAlertIf(alert, kAt, [] { return false; }));
  EXPECT_TRUE(live.updates.empty());
  EXPECT_TRUE(hub.PublishAlertIf(alert, kAt, [] { return true; }));
  ASSERT_EQ(live.updates.size(), 1u);
  EXPECT_EQ(live.updates[0].sequence(), 1);
  EXPECT_EQ(live.updates[0].alert().alert_id(), "AL-COMMAND_STUCK-CMD-1");
  hub.Close();
  bool asked = false;
  EXPECT_FALSE(hub.PublishAlertIf(alert, kAt, [&] { return asked = true; }));
  EXPECT_FALSE(asked);
}

TEST(RecoveryHubTest, ASnapshotHandsOnlyWhatKeepAccepts) {
  RecoveryHub hub = Hub(16);
  std::vector<RecoveryUpdate> snapshot(3);
  snapshot[0].mutable_case_changed()->set_case_id("RC-1");
  snapshot[1].mutable_alert()->set_alert_id("keep");
  snapshot[2].mutable_alert()->set_alert_id("drop");
  Recorder screen;
  ASSERT_TRUE(hub.StartWithSnapshot(&screen, snapshot, CaughtUp::SNAPSHOT, kAt,
                                    [](const RecoveryUpdate& update) {
                                      return update.alert().alert_id() !=
                                             "drop";
                                    }));
  ASSERT_EQ(screen.updates.size(), 3u);
  EXPECT_EQ(screen.updates[0].case_changed().case_id(), "RC-1");
  EXPECT_EQ(screen.updates[1].alert().alert_id(), "keep");
  EXPECT_EQ(screen.updates[2].caught_up().updates(), 2);
}

TEST(RecoveryHubTest, EachRunHasItsOwnEpoch) {
  RecoveryHub first, second;
  EXPECT_EQ(first.epoch().size(), 16u);
  EXPECT_NE(first.epoch(), second.epoch());
}

}  // namespace
}  // namespace makegood::service
