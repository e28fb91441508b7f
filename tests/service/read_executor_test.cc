#include "service/read_executor.h"

#include <pthread.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "core/refusal.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "in_process_server.h"
#include "makegood/v1/checks.grpc.pb.h"

namespace makegood::service {
namespace {

TEST(ReadExecutorTest, RunsEveryJobOnItsOwnThreads) {
  ReadExecutor executor({.threads = 3});
  EXPECT_EQ(executor.threads(), 3);
  absl::Mutex mu;
  std::set<std::thread::id> ran_on;
  int ran = 0;
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(executor.Schedule([&] {
      absl::MutexLock lock(&mu);
      ran_on.insert(std::this_thread::get_id());
      ++ran;
    }));
  }
  executor.Shutdown();  // Drains.
  EXPECT_EQ(ran, 100);
  EXPECT_LE(ran_on.size(), 3u);
  EXPECT_EQ(ran_on.count(std::this_thread::get_id()), 0u);
}

TEST(ReadExecutorTest, JobsRunSideBySide) {
  ReadExecutor executor({.threads = 2});
  absl::Mutex mu;
  int started = 0;
  bool both_seen[2] = {false, false};
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(executor.Schedule([&, i] {
      absl::MutexLock lock(&mu);
      ++started;
      // Each waits for the other: only two threads at once get both past.
      both_seen[i] =
          mu.AwaitWithTimeout(absl::Condition(
                                  +[](int* n) { return *n == 2; }, &started),
                              absl::Seconds(10));
    }));
  }
  executor.Shutdown();
  EXPECT_TRUE(both_seen[0]);
  EXPECT_TRUE(both_seen[1]);
}

TEST(ReadExecutorTest, ShutdownRunsWhatIsQueuedThenRefusesMore) {
  ReadExecutor executor({.threads = 1});
  absl::Notification gate;
  std::atomic<int> ran{0};
  // One job holds the only thread; five wait behind it.
  ASSERT_TRUE(executor.Schedule([&] {
    gate.WaitForNotification();
    ++ran;
  }));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(executor.Schedule([&] { ++ran; }));
  absl::Notification stopping;
  std::thread stopper([&] {
    stopping.Notify();
    executor.Shutdown();
  });
  stopping.WaitForNotification();
  gate.Notify();
  stopper.join();
  // Every job queued before Shutdown ran; none is taken after it.
  EXPECT_EQ(ran.load(), 6);
  EXPECT_FALSE(executor.Schedule([&] { ++ran; }));
  executor.Shutdown();  // Again: nothing happens.
  EXPECT_EQ(ran.load(), 6);
}

// CheckService.GetCheck through FinishRead: "missing" is NOT_FOUND with a
// reason, anything else is found. Records the name of the thread each read
// ran on.
class ReadingService final
    : public makegood::v1::CheckService::CallbackService {
 public:
  explicit ReadingService(ReadExecutor& executor) : executor_(executor) {}

  grpc::ServerUnaryReactor* GetCheck(
      grpc::CallbackServerContext* context,
      const makegood::v1::GetCheckRequest* request,
      makegood::v1::Check* response) override {
    return FinishRead(executor_, context, [this, request, response] {
      char name[16] = {};
      pthread_getname_np(pthread_self(), name, sizeof(name));
      {
        absl::MutexLock lock(&mu_);
        thread_names_.insert(name);
      }
      if (request->check_id() == "missing") {
        return core::Refuse(absl::StatusCode::kNotFound,
                            makegood::v1::Error::UNKNOWN_CHECK,
                            "check_id: no check 'missing'");
      }
      response->set_check_id(request->check_id());
      return absl::OkStatus();
    });
  }

  std::set<std::string> thread_names() const {
    absl::MutexLock lock(&mu_);
    return thread_names_;
  }

 private:
  ReadExecutor& executor_;
  mutable absl::Mutex mu_;
  std::set<std::string> thread_names_ ABSL_GUARDED_BY(mu_);
};

grpc::Status GetCheck(const InProcessServer& server, const std::string& id,
                      makegood::v1::Check* check) {
  auto stub = makegood::v1::CheckService::NewStub(server.channel());
  makegood::v1::GetCheckRequest request;
  request.set_check_id(id);
  return stub->GetCheck(TestContext().get(), request, check);
}

TEST(FinishReadTest, FinishesWithTheReadsAnswerFromAReaderThread) {
  ReadExecutor executor({.threads = 2});
  ReadingService service(executor);
  InProcessServer server(&service);

  makegood::v1::Check found;
  grpc::Status ok = GetCheck(server, "42", &found);
  ASSERT_TRUE(ok.ok()) << ok.error_message();
  EXPECT_EQ(found.check_id(), "42");

  makegood::v1::Check none;
  grpc::Status missing = GetCheck(server, "missing", &none);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ReasonOf(missing), "UNKNOWN_CHECK");
  EXPECT_EQ(missing.error_message(), "check_id: no check 'missing'");

  EXPECT_THAT(service.thread_names(), ::testing::ElementsAre("reader"));
}

TEST(FinishReadTest, AStoppedExecutorAnswersUnavailable) {
  ReadExecutor executor({.threads = 1});
  ReadingService service(executor);
  InProcessServer server(&service);
  executor.Shutdown();
  makegood::v1::Check check;
  grpc::Status status = GetCheck(server, "42", &check);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(service.thread_names().empty());  // The read never ran.
}

}  // namespace
}  // namespace makegood::service
