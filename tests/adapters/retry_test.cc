// Backoff, retries and episodes of the adapter runtime, without time: the
// waits are recorded, not slept.

#include "retry.h"

#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "problem_episode.h"

namespace makegood::adapters {
namespace {

using ::testing::ElementsAre;

TEST(BackoffTest, DoublesFromOneSecondToAMinute) {
  const BackoffPolicy policy;
  EXPECT_EQ(BackoffDelay(policy, 0), absl::Seconds(1));
  EXPECT_EQ(BackoffDelay(policy, 1), absl::Seconds(1));
  EXPECT_EQ(BackoffDelay(policy, 2), absl::Seconds(2));
  EXPECT_EQ(BackoffDelay(policy, 6), absl::Seconds(32));
  EXPECT_EQ(BackoffDelay(policy, 7), absl::Seconds(60));
  EXPECT_EQ(BackoffDelay(policy, 1000000), absl::Seconds(60));
}

TEST(BackoffTest, CountsFailuresInARowUntilASuccess) {
  Backoff backoff(BackoffPolicy{absl::Milliseconds(100), absl::Seconds(1)});
  EXPECT_EQ(backoff.Next(), absl::Milliseconds(100));
  EXPECT_EQ(backoff.Next(), absl::Milliseconds(200));
  EXPECT_EQ(backoff.Next(), absl::Milliseconds(400));
  EXPECT_EQ(backoff.Next(), absl::Milliseconds(800));
  EXPECT_EQ(backoff.Next(), absl::Seconds(1));
  EXPECT_EQ(backoff.failures(), 5);
  backoff.Reset();
  EXPECT_EQ(backoff.Next(), absl::Milliseconds(100));
}

TEST(RetryWithBackoffTest, TriesAgainAfterEachWaitUntilDone) {
  int tries = 0;
  std::vector<absl::Duration> waits;
  const bool done = RetryWithBackoff(
      [&] { return ++tries < 4 ? TryResult::kRetry : TryResult::kDone; },
      [&](absl::Duration wait) {
        waits.push_back(wait);
        return true;
      });
  EXPECT_TRUE(done);
  EXPECT_EQ(tries, 4);
  EXPECT_THAT(
      waits, ElementsAre(absl::Seconds(1), absl::Seconds(2), absl::Seconds(4)));
}

TEST(RetryWithBackoffTest, StopsWhenTheAnswerIsFinalOrTheWaitIsCutShort) {
  int tries = 0;
  int waits = 0;
  EXPECT_FALSE(RetryWithBackoff(
      [&] { return ++tries == 1 ? TryResult::kRetry : TryResult::kGiveUp; },
      [&](absl::Duration) { return ++waits > 0; }));
  EXPECT_EQ(tries, 2);
  EXPECT_EQ(waits, 1);

  tries = 0;
  EXPECT_FALSE(RetryWithBackoff(
      [&] {
        ++tries;
        return TryResult::kRetry;
      },
      [](absl::Duration) { return false; }));  // Stopping.
  EXPECT_EQ(tries, 1);
}

TEST(AckWorthRetryingTest, OnlyWhatMayPassNextTime) {
  for (grpc::StatusCode code :
       {grpc::StatusCode::UNAVAILABLE, grpc::StatusCode::DEADLINE_EXCEEDED,
        grpc::StatusCode::RESOURCE_EXHAUSTED, grpc::StatusCode::INTERNAL,
        grpc::StatusCode::ABORTED, grpc::StatusCode::UNKNOWN}) {
    EXPECT_TRUE(AckWorthRetrying(code)) << code;
  }
  for (grpc::StatusCode code :
       {grpc::StatusCode::NOT_FOUND, grpc::StatusCode::FAILED_PRECONDITION,
        grpc::StatusCode::INVALID_ARGUMENT, grpc::StatusCode::ALREADY_EXISTS,
        grpc::StatusCode::UNAUTHENTICATED,
        grpc::StatusCode::PERMISSION_DENIED}) {
    EXPECT_FALSE(AckWorthRetrying(code)) << code;
  }
}

TEST(StopSignalTest, EndsAWaitAtOnce) {
  StopSignal stop;
  EXPECT_TRUE(stop.WaitFor(absl::ZeroDuration()));
  std::thread stopper([&] { stop.Stop(); });
  // Returns when stopped, long before the hour is up.
  EXPECT_FALSE(stop.WaitFor(absl::Hours(1)));
  stopper.join();
  EXPECT_TRUE(stop.stopped());
  EXPECT_FALSE(stop.WaitFor(absl::Hours(1)));
}

TEST(ProblemEpisodeTest, LogsOnceReportsUntilDeliveredAndEndsOnce) {
  ProblemEpisode episode;
  EXPECT_FALSE(episode.Resolved());  // Nothing was wrong.

  ProblemEpisode::Seen first = episode.Occurred();
  EXPECT_TRUE(first.starts);
  EXPECT_TRUE(first.report);
  // While the first report is on its way, nobody else sends one.
  ProblemEpisode::Seen meanwhile = episode.Occurred();
  EXPECT_FALSE(meanwhile.starts);
  EXPECT_FALSE(meanwhile.report);
  episode.ReportDone(false);  // makegoodd could not be reached.

  ProblemEpisode::Seen again = episode.Occurred();
  EXPECT_FALSE(again.starts);
  EXPECT_TRUE(again.report);
  episode.ReportDone(true);
  ProblemEpisode::Seen reported = episode.Occurred();
  EXPECT_FALSE(reported.starts);
  EXPECT_FALSE(reported.report);

  EXPECT_TRUE(episode.Resolved());
  EXPECT_FALSE(episode.Resolved());  // Logged once.

  // A new episode is logged and reported anew.
  ProblemEpisode::Seen next = episode.Occurred();
  EXPECT_TRUE(next.starts);
  EXPECT_TRUE(next.report);
}

}  // namespace
}  // namespace makegood::adapters
