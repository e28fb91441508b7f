#include "service/command_dispatcher.h"

#include <cstdint>
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

// Records what it is handed; refuses deliveries once `refuse_after` were
// taken (a stream whose client fell behind).
class RecordingStream : public CommandDispatcher::Stream {
 public:
  explicit RecordingStream(size_t refuse_after = SIZE_MAX)
      : refuse_after_(refuse_after) {}

  bool Deliver(const RemedyCommand& command) override {
    absl::MutexLock lock(&mu_);
    if (got_.size() >= refuse_after_) {
      ++refused_;
      return false;
    }
    got_.push_back(command.command_id() + "#" +
                   std::to_string(command.delivery_attempt()));
    lease_seconds_.push_back(command.lease_seconds());
    return true;
  }
  std::vector<int> lease_seconds() const {
    absl::MutexLock lock(&mu_);
    return lease_seconds_;
  }
  int refused() const {
    absl::MutexLock lock(&mu_);
    return refused_;
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
  const size_t refuse_after_;
  mutable absl::Mutex mu_;
  std::vector<std::string> got_ ABSL_GUARDED_BY(mu_);
  std::vector<int> lease_seconds_ ABSL_GUARDED_BY(mu_);
  int refused_ ABSL_GUARDED_BY(mu_) = 0;
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

TEST(CommandDispatcherTest, AStreamThatRefusesIsDroppedWithItsLeases) {
  CommandDispatcher dispatcher;
  RecordingStream overloaded(/*refuse_after=*/1), other;
  dispatcher.AddStream(&overloaded, {});
  dispatcher.OnCommand(Remedy("CMD-1", 1));  // Taken by `overloaded`.
  dispatcher.AddStream(&other, {});
  dispatcher.OnCommand(Remedy("CMD-2", 2));  // Fewest leases: `other`.
  // `overloaded` refuses CMD-3: it is dropped, and CMD-1, which it held,
  // goes to `other` before CMD-3 (oldest first), with its next attempt.
  dispatcher.OnCommand(Remedy("CMD-3", 3));
  EXPECT_EQ(overloaded.refused(), 1);
  EXPECT_THAT(overloaded.got(), ElementsAre("CMD-1#1"));
  EXPECT_THAT(other.got(), ElementsAre("CMD-2#1", "CMD-1#2", "CMD-3#1"));
  EXPECT_EQ(dispatcher.LeasedAndWaiting(), std::make_pair(3, 0));
  // Dropped already: nothing more is offered to it, and removing it again
  // changes nothing.
  dispatcher.OnCommand(Remedy("CMD-4", 4));
  EXPECT_EQ(overloaded.refused(), 1);
  dispatcher.RemoveStream(&overloaded);
  EXPECT_THAT(other.got(),
              ElementsAre("CMD-2#1", "CMD-1#2", "CMD-3#1", "CMD-4#1"));
  dispatcher.RemoveStream(&other);
}

TEST(CommandDispatcherTest, AStreamHoldsAtMostItsLeaseLimit) {
  CommandDispatcher dispatcher({.max_leases_per_stream = 2});
  RecordingStream a;
  dispatcher.AddStream(&a, {});
  for (int i = 1; i <= 3; ++i)
    dispatcher.OnCommand(Remedy("CMD-" + std::to_string(i), i));
  EXPECT_THAT(a.got(), ElementsAre("CMD-1#1", "CMD-2#1"));
  EXPECT_EQ(dispatcher.LeasedAndWaiting(), std::make_pair(2, 1));
  // An answer frees a lease: the waiting command goes out.
  dispatcher.Acked("CMD-1");
  EXPECT_THAT(a.got(), ElementsAre("CMD-1#1", "CMD-2#1", "CMD-3#1"));
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

TEST(CommandDispatcherTest, EachDeliveryNamesItsLeaseInWholeSeconds) {
  CommandDispatcher dispatcher({.ack_deadline = absl::Seconds(30)});
  RecordingStream a;
  dispatcher.AddStream(&a, {});
  dispatcher.OnCommand(Remedy("CMD-1", 1));
  EXPECT_THAT(a.lease_seconds(), ElementsAre(30));
  dispatcher.Acked("CMD-1");
  dispatcher.RemoveStream(&a);
  // A lease shorter than a second is rounded up, never sent as "no limit".
  CommandDispatcher quick({.ack_deadline = absl::Milliseconds(200)});
  RecordingStream b;
  quick.AddStream(&b, {});
  quick.OnCommand(Remedy("CMD-2", 2));
  ASSERT_FALSE(b.lease_seconds().empty());
  EXPECT_EQ(b.lease_seconds()[0], 1);
  quick.Acked("CMD-2");
  quick.RemoveStream(&b);
}

}  // namespace
}  // namespace makegood::service
