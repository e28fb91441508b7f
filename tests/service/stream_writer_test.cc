// QueuedWriter's limit (stream_writer.h, 6.), through a real gRPC transport
// in this process. The test stream queues its whole burst in its
// constructor, before gRPC has bound the reactor: the first message is
// then in flight and every later one waits, whatever the transport does,
// so the limit alone decides what is written. No timing is involved.

#include "service/stream_writer.h"

#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "in_process_server.h"
#include "makegood/v1/recovery.grpc.pb.h"

namespace makegood::service {
namespace {

using makegood::v1::RecoveryUpdate;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

struct Burst {
  size_t limit = 1;
  int uncounted = 0;  // A catch-up, queued first.
  int counted = 0;    // Live updates after it.
};

// Updates numbered by their sequence, from 1.
RecoveryUpdate Numbered(int sequence) {
  RecoveryUpdate update;
  update.set_sequence(sequence);
  return update;
}

// Queues the burst, then closes the stream.
class BurstWriter final : public QueuedWriter<RecoveryUpdate> {
 public:
  BurstWriter(const Burst& burst, std::vector<bool>& accepted)
      : QueuedWriter<RecoveryUpdate>(burst.limit) {
    int sequence = 0;
    for (int i = 0; i < burst.uncounted; ++i) {
      accepted.push_back(EnqueueUncounted(Numbered(++sequence)));
    }
    for (int i = 0; i < burst.counted; ++i) {
      accepted.push_back(Enqueue(Numbered(++sequence)));
    }
    Close();
  }

 private:
  void Unregister() override {}
};

// WatchRecoveries answers with the burst it is given.
class BurstService final
    : public makegood::v1::RecoveryService::CallbackService {
 public:
  explicit BurstService(Burst burst) : burst_(burst) {}

  grpc::ServerWriteReactor<RecoveryUpdate>* WatchRecoveries(
      grpc::CallbackServerContext* /*context*/,
      const makegood::v1::WatchRecoveriesRequest* /*request*/) override {
    absl::MutexLock lock(&mu_);
    return new BurstWriter(burst_, accepted_);
  }

  // What each Enqueue answered.
  std::vector<bool> accepted() const {
    absl::MutexLock lock(&mu_);
    return accepted_;
  }

 private:
  const Burst burst_;
  mutable absl::Mutex mu_;
  std::vector<bool> accepted_ ABSL_GUARDED_BY(mu_);
};

struct Received {
  std::vector<int> sequences;
  grpc::Status status;
};

Received Watch(const InProcessServer& server) {
  auto stub = makegood::v1::RecoveryService::NewStub(server.channel());
  auto context = TestContext();
  auto reader = stub->WatchRecoveries(context.get(),
                                      makegood::v1::WatchRecoveriesRequest());
  Received received;
  RecoveryUpdate update;
  while (reader->Read(&update)) {
    received.sequences.push_back(static_cast<int>(update.sequence()));
  }
  received.status = reader->Finish();
  return received;
}

std::vector<int> OneTo(int n) {
  std::vector<int> all;
  for (int i = 1; i <= n; ++i) all.push_back(i);
  return all;
}

TEST(QueuedWriterTest, UpToTheLimitWaitingEverythingIsWritten) {
  // One in flight and three waiting.
  BurstService service(Burst{.limit = 3, .counted = 4});
  InProcessServer server(&service);
  const Received received = Watch(server);
  EXPECT_TRUE(received.status.ok()) << received.status.error_message();
  EXPECT_THAT(received.sequences, ElementsAreArray(OneTo(4)));
  EXPECT_THAT(service.accepted(), ElementsAre(true, true, true, true));
}

TEST(QueuedWriterTest, OneMoreEndsTheStreamAsOverloaded) {
  BurstService service(Burst{.limit = 3, .counted = 6});
  InProcessServer server(&service);
  const Received received = Watch(server);
  EXPECT_EQ(received.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ReasonOf(received.status), "STREAM_OVERLOADED");
  EXPECT_THAT(received.status.error_message(),
              ::testing::HasSubstr("more than 3 messages"));
  // The one in flight went out; what waited was dropped, and nothing was
  // queued after the overload.
  EXPECT_THAT(received.sequences, ElementsAre(1));
  EXPECT_THAT(service.accepted(),
              ElementsAre(true, true, true, true, false, false));
}

TEST(QueuedWriterTest, TheCatchUpDoesNotCountAgainstTheLimit) {
  BurstService service(Burst{.limit = 2, .uncounted = 10, .counted = 2});
  InProcessServer server(&service);
  const Received received = Watch(server);
  EXPECT_TRUE(received.status.ok()) << received.status.error_message();
  EXPECT_THAT(received.sequences, ElementsAreArray(OneTo(12)));
}

TEST(QueuedWriterTest, LiveUpdatesBehindTheCatchUpAreCounted) {
  BurstService service(Burst{.limit = 2, .uncounted = 10, .counted = 3});
  InProcessServer server(&service);
  const Received received = Watch(server);
  EXPECT_EQ(received.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ReasonOf(received.status), "STREAM_OVERLOADED");
  std::vector<bool> want(10, true);
  want.insert(want.end(), {true, true, false});
  EXPECT_THAT(service.accepted(), ElementsAreArray(want));
}

}  // namespace
}  // namespace makegood::service
