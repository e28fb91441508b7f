#include "service/command_dispatcher.h"

#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "core/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace makegood::service {
namespace {

using makegood::v1::RemedyCommand;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Records what it is handed.
class RecordingStream : public CommandDispatcher::Stream {
 public:
  void Deliver(const RemedyCommand& command) override {
    absl::MutexLock lock(&mu_);
    got_.push_back(command.command_id() + "#" +
                   std::to_string(command.delivery_attempt()));
  }
  std::vector<std::string> got() const {
    absl::MutexLock lock(&mu_);
    return got_;
  }
  // Waits until `count` deliveries arrived or `timeout` passed.
  bool AwaitCount(size_t count, absl::Duration timeout) const {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return got_.size() >= count;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> got_ ABSL_GUARDED_BY(mu_);
};

RemedyCommand Remedy(const std::string& id, int created_second) {
  RemedyCommand command;
  command.set_command_id(id);
  *command.mutable_created_at() =
      core::ToProto(absl::FromUnixSeconds(1800000000 + created_second));
  command.mutable_apply_remedy()->set_kind(makegood::v1::COMP_ITEM);
  return command;
}

RemedyCommand FollowUp(const std::string& id, int created_second) {
  RemedyCommand command = Remedy(id, created_second);
  command.mutable_guest_follow_up()->set_category_id("cold_food");
  return command;
}

TEST(CommandDispatcherTest, TheBacklogGoesOutOldestFirstWithItsAttempt) {
  CommandDispatcher dispatcher;
  RemedyCommand later = Remedy("CMD-b", 2);
  later.set_delivery_attempt(3);
  RemedyCommand older = Remedy("CMD-a", 1);
  older.set_delivery_attempt(1);
  dispatcher.Load({later, older});
  RecordingStream stream;
  dispatcher.AddStream(&stream, {});
  EXPECT_THAT(stream.got(), ElementsAre("CMD-a#1", "CMD-b#3"));
  dispatcher.RemoveStream(&stream);
}

TEST(CommandDispatcherTest, EachCommandIsLeasedToOneStream) {
  CommandDispatcher dispatcher;
  RecordingStream a, b;
  dispatcher.AddStream(&a, {});
  dispatcher.AddStream(&b, {});
  for (int i = 0; i < 4; ++i)
    dispatcher.OnCommand(Remedy("CMD-" + std::to_string(i), i));
  // The stream with fewer leases takes the next one.
  EXPECT_THAT(a.got(), ElementsAre("CMD-0#1", "CMD-2#1"));
  EXPECT_THAT(b.got(), ElementsAre("CMD-1#1", "CMD-3#1"));
  // A commit seen twice (hub and backlog) is one command.
  dispatcher.OnCommand(Remedy("CMD-0", 0));
  EXPECT_EQ(a.got().size() + b.got().size(), 4u);
  EXPECT_EQ(dispatcher.LeasedAndWaiting(), std::make_pair(4, 0));
  dispatcher.RemoveStream(&a);
  dispatcher.RemoveStream(&b);
}

TEST(CommandDispatcherTest, AStreamThatEndsHandsItsCommandsOn) {
  CommandDispatcher dispatcher;
  RecordingStream a, b;
  dispatcher.AddStream(&a, {});
  dispatcher.OnCommand(Remedy("CMD-1", 1));
  dispatcher.AddStream(&b, {});
  EXPECT_THAT(b.got(), IsEmpty());
  dispatcher.RemoveStream(&a);
  EXPECT_THAT(b.got(), ElementsAre("CMD-1#2"));
  dispatcher.RemoveStream(&b);
}

TEST(CommandDispatcherTest, AnAnsweredCommandIsNeverOfferedAgain) {
  CommandDispatcher dispatcher;
  RecordingStream a, b;
  dispatcher.AddStream(&a, {});
  dispatcher.OnCommand(Remedy("CMD-1", 1));
  dispatcher.Acked("CMD-1");
  dispatcher.Acked("CMD-unknown");  // Ignored.
  dispatcher.RemoveStream(&a);
  dispatcher.AddStream(&b, {});
  EXPECT_THAT(b.got(), IsEmpty());
  EXPECT_EQ(dispatcher.LeasedAndWaiting(), std::make_pair(0, 0));
  dispatcher.RemoveStream(&b);
}

TEST(CommandDispatcherTest, CommandsGoOnlyToStreamsTakingTheirKind) {
  CommandDispatcher dispatcher;
  RecordingStream pos, crm;
  dispatcher.AddStream(&pos, {makegood::v1::COMMAND_KIND_REMEDY});
  dispatcher.OnCommand(FollowUp("CMD-f", 1));
  dispatcher.OnCommand(Remedy("CMD-r", 2));
  EXPECT_THAT(pos.got(), ElementsAre("CMD-r#1"));
  EXPECT_EQ(dispatcher.LeasedAndWaiting(), std::make_pair(1, 1));
  dispatcher.AddStream(&crm, {makegood::v1::COMMAND_KIND_FOLLOW_UP});
  EXPECT_THAT(crm.got(), ElementsAre("CMD-f#1"));
  dispatcher.RemoveStream(&pos);
  dispatcher.RemoveStream(&crm);
}

TEST(CommandDispatcherTest, RetryLaterWaitsThenOffersItAgain) {
  CommandDispatcher dispatcher;
  RecordingStream a;
  dispatcher.AddStream(&a, {});
  dispatcher.OnCommand(Remedy("CMD-1", 1));
  dispatcher.RetryLater("CMD-1", absl::Hours(1));
  EXPECT_EQ(dispatcher.LeasedAndWaiting(), std::make_pair(0, 1));
  EXPECT_THAT(a.got(), ElementsAre("CMD-1#1"));
  dispatcher.RetryLater("CMD-1", absl::ZeroDuration());
  EXPECT_THAT(a.got(), ElementsAre("CMD-1#1", "CMD-1#2"));
  dispatcher.RemoveStream(&a);
}

TEST(CommandDispatcherTest, ALeasePastItsDeadlineIsOfferedAgain) {
  CommandDispatcher dispatcher({.ack_deadline = absl::Milliseconds(20)});
  RecordingStream a;
  dispatcher.AddStream(&a, {});
  dispatcher.OnCommand(Remedy("CMD-1", 1));
  // The timer releases the lease; the same stream gets attempt 2.
  ASSERT_TRUE(a.AwaitCount(2, absl::Seconds(30)));
  EXPECT_EQ(a.got()[1], "CMD-1#2");
  dispatcher.Acked("CMD-1");
  dispatcher.RemoveStream(&a);
}

}  // namespace
}  // namespace makegood::service
