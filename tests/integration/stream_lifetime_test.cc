// Streams that end badly, through the real makegoodd (issue 15, "Stream
// lifetimes"): Publish streams cancelled mid-stream, with chunks waiting for
// their commit, or cut by their deadline; manager screens that stop reading
// and go away; adapters that leave while their commands are being written; a
// publisher process killed mid-stream.
//
// Each test exercises its race many times and ends by stopping the daemon
// with SIGTERM: a reactor freed too early crashes the daemon (under the
// `asan` preset as a heap-use-after-free in its log), one never finished
// holds up its shutdown, one never freed is a leak LeakSanitizer reports at
// exit. Either way the exit is not a clean 0.
//
// No test waits by sleeping: reads and writes block until the daemon answers
// or the call's deadline passes, and the one wait on the database polls a
// condition against a deadline.

#include <signal.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/event_json.h"
#include "integration/recovery_calls.h"
#include "support/sample_events.h"

namespace makegood {
namespace {

using makegood::testing::SyntheticService;

class StreamLifetimeTest : public RecoveryCallsTest {
 protected:
  // A context carrying `token` whose deadline is `timeout` from now.
  static std::unique_ptr<grpc::ClientContext> ContextFor(
      const std::string& token, std::chrono::milliseconds timeout) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + timeout);
    context->AddMetadata("authorization", "Bearer " + token);
    return context;
  }

  // Runs `client(i)` for i in [0, count) on as many threads at once.
  static void RunConcurrently(int count,
                              const std::function<void(int)>& client) {
    std::vector<std::thread> threads;
    threads.reserve(count);
    for (int i = 0; i < count; ++i) threads.emplace_back(client, i);
    for (std::thread& thread : threads) thread.join();
  }

  // Streams events[0, count) through Publish and cancels the call without
  // finishing the stream: an adapter giving up mid-stream. The status.
  grpc::Status PublishThenCancel(const std::vector<OrderEvent>& events,
                                 int count) {
    auto stub = v1::OrderEventService::NewStub(channel_);
    auto context = Context(kAdapterToken);
    PublishSummary summary;
    auto writer = stub->Publish(context.get(), &summary);
    for (int i = 0; i < count; ++i) {
      if (!writer->Write(events[i])) break;
    }
    context->TryCancel();
    return writer->Finish();
  }

  // How many events of the stream whose event ids are "<prefix>-<n>" (n its
  // position in the stream, as SyntheticService numbers them) are stored;
  // -1 when the stored ones are not exactly its first ones.
  int64_t StoredPrefix(const std::string& prefix) {
    return QueryInt(
        db_path(),
        absl::StrCat("SELECT CASE WHEN count(*) = "
                     "COALESCE(max(CAST(substr(event_id, ",
                     prefix.size() + 2,
                     ") AS INTEGER)) + 1, 0) THEN count(*) ELSE -1 END "
                     "FROM order_events WHERE event_id LIKE '",
                     prefix, "-%'"));
  }

  // The whole stream again, on a call that completes: the events stored
  // before come back as duplicates and the rest is accepted, so every event
  // ends up stored exactly once and nothing was half-stored. `stored` was
  // counted after the cancel, while chunks the daemon had already taken may
  // still have been committing: at least that many are duplicates.
  void ExpectCompletedByResend(const std::vector<OrderEvent>& events,
                               int64_t stored) {
    PublishSummary summary;
    grpc::Status status = Publish(events, &summary);
    ASSERT_TRUE(status.ok()) << status.error_message() << "\n" << DaemonLog();
    EXPECT_GE(summary.duplicates(), stored);
    EXPECT_EQ(summary.duplicates() + summary.accepted(),
              static_cast<int64_t>(events.size()));
    EXPECT_EQ(summary.rejected(), 0);
  }

  void ExpectServing() {
    CommandResult health = Cli({"health"}, "");
    EXPECT_EQ(health.exit_code, 0) << health.err << "\n" << DaemonLog();
    EXPECT_EQ(health.out, "SERVING\n");
  }

  // Checks "<prefix>-c<k>", k in [0, count), each with line "1" added and
  // fired 25 minutes ago, in one stream.
  void SeedFiredChecks(const std::string& prefix, int count) {
    const absl::Time opened = absl::Now() - absl::Minutes(30);
    std::vector<OrderEvent> events;
    for (int k = 0; k < count; ++k) {
      const std::string check = absl::StrCat(prefix, "-c", k);
      events.push_back(
          makegood::testing::CheckOpened(check + "-open", check, opened));
      events.push_back(makegood::testing::ItemAdded(check + "-add1", check, "1",
                                                    opened, 2000));
      events.push_back(makegood::testing::ItemFired(
          check + "-fire1", check, "1", opened + absl::Minutes(5)));
    }
    PublishAll(events);
  }

  // Reads a WatchRecoveries stream up to its caught_up; false when the
  // stream ended first.
  static bool ReadUntilCaughtUp(
      grpc::ClientReader<v1::RecoveryUpdate>& reader) {
    v1::RecoveryUpdate update;
    while (reader.Read(&update)) {
      if (update.has_caught_up()) return true;
    }
    return false;
  }

  // The distinct commands a fresh adapter stream receives within `timeout`
  // (stopping at `count`); the stream is then cancelled.
  size_t CommandsWithin(size_t count, std::chrono::milliseconds timeout) {
    auto stub = v1::RemedyCommandService::NewStub(channel_);
    auto context = ContextFor(kAdapterToken, timeout);
    v1::StreamCommandsRequest request;
    request.set_adapter_name("checker");
    auto reader = stub->StreamCommands(context.get(), request);
    std::set<std::string> ids;
    v1::RemedyCommand command;
    while (ids.size() < count && reader->Read(&command)) {
      ids.insert(command.command_id());
    }
    context->TryCancel();
    reader->Finish().IgnoreError();
    return ids.size();
  }

  // Polls `condition` until it holds or `timeout` passes; whether it held.
  static bool WaitFor(const std::function<bool()>& condition,
                      absl::Duration timeout) {
    const absl::Time until = absl::Now() + timeout;
    while (!condition()) {
      if (absl::Now() >= until) return false;
      absl::SleepFor(absl::Milliseconds(2));
    }
    return true;
  }
};

// The crash of issue 15: streams shorter than a chunk, so everything read
// goes to the store when the read fails, racing the cancel.
TEST_F(StreamLifetimeTest, CancelledPublishStreamsLeaveAPrefixAndTheDaemonUp) {
  constexpr int kRounds = 3;
  constexpr int kStreams = 20;
  constexpr int kEvents = 500;
  const absl::Time start = absl::Now() - absl::Hours(3);
  std::vector<std::string> prefixes;
  std::vector<std::vector<OrderEvent>> streams;
  std::vector<int> sent;
  for (int round = 0; round < kRounds; ++round) {
    const size_t first = streams.size();
    for (int s = 0; s < kStreams; ++s) {
      prefixes.push_back(absl::StrCat("cancel-r", round, "s", s));
      streams.push_back(SyntheticService(kEvents, prefixes.back(), start));
      // Spread over the stream: from the first event to the last but one.
      sent.push_back(1 + (s * 37 + round * 101) % (kEvents - 1));
    }
    std::vector<grpc::Status> statuses(kStreams);
    RunConcurrently(kStreams, [&](int s) {
      statuses[s] = PublishThenCancel(streams[first + s], sent[first + s]);
    });
    for (int s = 0; s < kStreams; ++s) {
      EXPECT_EQ(statuses[s].error_code(), grpc::StatusCode::CANCELLED)
          << prefixes[first + s] << ": " << statuses[s].error_message() << "\n"
          << DaemonLog();
    }
  }
  ExpectServing();
  for (size_t i = 0; i < streams.size(); ++i) {
    const int64_t stored = StoredPrefix(prefixes[i]);
    ASSERT_GE(stored, 0) << prefixes[i] << ": not a prefix of the stream";
    EXPECT_LE(stored, sent[i]) << prefixes[i];
    ExpectCompletedByResend(streams[i], stored);
  }
  ExpectStopsCleanly();
}

// Long streams: full chunks are committing, reading pauses and resumes,
// when the cancel comes.
TEST_F(StreamLifetimeTest, CancelledWhileChunksAwaitTheirCommit) {
  constexpr int kRounds = 2;
  constexpr int kStreams = 4;
  constexpr int kEvents = 12000;
  const absl::Time start = absl::Now() - absl::Hours(3);
  std::vector<std::string> prefixes;
  std::vector<std::vector<OrderEvent>> streams;
  std::vector<int> sent;
  for (int round = 0; round < kRounds; ++round) {
    const size_t first = streams.size();
    for (int s = 0; s < kStreams; ++s) {
      prefixes.push_back(absl::StrCat("chunks-r", round, "s", s));
      streams.push_back(SyntheticService(kEvents, prefixes.back(), start));
      sent.push_back(1500 + 2500 * s + 333 * round);  // Many chunks in.
    }
    std::vector<grpc::Status> statuses(kStreams);
    RunConcurrently(kStreams, [&](int s) {
      statuses[s] = PublishThenCancel(streams[first + s], sent[first + s]);
    });
    for (int s = 0; s < kStreams; ++s) {
      EXPECT_EQ(statuses[s].error_code(), grpc::StatusCode::CANCELLED)
          << prefixes[first + s] << ": " << statuses[s].error_message() << "\n"
          << DaemonLog();
    }
  }
  ExpectServing();
  for (size_t i = 0; i < streams.size(); ++i) {
    const int64_t stored = StoredPrefix(prefixes[i]);
    ASSERT_GE(stored, 0) << prefixes[i] << ": not a prefix of the stream";
    EXPECT_LE(stored, sent[i]) << prefixes[i];
    ExpectCompletedByResend(streams[i], stored);
  }
  ExpectStopsCleanly();
}

// Streams that never end on their own: each writes until its deadline
// (100 to 450 ms) cuts it, wherever the daemon is in reading or committing.
TEST_F(StreamLifetimeTest, DeadlinesThatExpireMidStreamLeaveAPrefix) {
  constexpr int kStreams = 8;
  // A bound on memory only: a stream that stops writing stays open (it is
  // never half-closed) until its deadline.
  constexpr size_t kMaxEvents = 50000;
  const absl::Time start = absl::Now() - absl::Hours(3);
  std::vector<std::vector<OrderEvent>> offered(kStreams);
  std::vector<grpc::Status> statuses(kStreams);
  RunConcurrently(kStreams, [&](int s) {
    const std::string prefix = absl::StrCat("deadline-s", s);
    auto stub = v1::OrderEventService::NewStub(channel_);
    auto context =
        ContextFor(kAdapterToken, std::chrono::milliseconds(100 + 50 * s));
    PublishSummary summary;
    auto writer = stub->Publish(context.get(), &summary);
    std::vector<OrderEvent>& events = offered[s];
    bool open = true;
    for (int batch = 0; open && events.size() < kMaxEvents; ++batch) {
      // Checks of their own per batch; event ids numbered along the stream.
      for (OrderEvent& event :
           SyntheticService(1000, absl::StrCat(prefix, "b", batch), start)) {
        event.set_event_id(absl::StrCat(prefix, "-", events.size()));
        events.push_back(event);  // Before the write: it may arrive anyway.
        if (!writer->Write(event)) {
          open = false;
          break;
        }
      }
    }
    statuses[s] = writer->Finish();
  });
  bool any_mid_stream = false;
  for (int s = 0; s < kStreams; ++s) {
    EXPECT_EQ(statuses[s].error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
        << "deadline-s" << s << ": " << statuses[s].error_message() << "\n"
        << DaemonLog();
    any_mid_stream = any_mid_stream || offered[s].size() > 1;
  }
  EXPECT_TRUE(any_mid_stream) << "every deadline passed before the first write";
  ExpectServing();
  for (int s = 0; s < kStreams; ++s) {
    const std::string prefix = absl::StrCat("deadline-s", s);
    const int64_t stored = StoredPrefix(prefix);
    ASSERT_GE(stored, 0) << prefix << ": not a prefix of the stream";
    EXPECT_LE(stored, static_cast<int64_t>(offered[s].size())) << prefix;
    ExpectCompletedByResend(offered[s], stored);
  }
  ExpectStopsCleanly();
}

// Manager screens that stop reading while updates pile up (the daemon's
// writes wait on flow control), then go away with writes in flight and
// queued.
TEST_F(StreamLifetimeTest, WatchersThatStopReadingThenCancelAreLetGo) {
  constexpr int kRounds = 2;
  constexpr int kWatchers = 6;
  constexpr int kFlagsPerRound = 100;
  SeedFiredChecks("slow", kRounds * kFlagsPerRound);
  auto stub = v1::RecoveryService::NewStub(channel_);
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
    std::vector<std::unique_ptr<grpc::ClientReader<v1::RecoveryUpdate>>>
        screens;
    for (int w = 0; w < kWatchers; ++w) {
      contexts.push_back(Context(kManagerToken));
      screens.push_back(stub->WatchRecoveries(contexts.back().get(),
                                              v1::WatchRecoveriesRequest()));
      ASSERT_TRUE(ReadUntilCaughtUp(*screens.back())) << DaemonLog();
    }
    // Live now; nobody reads what follows.
    for (int i = 0; i < kFlagsPerRound; ++i) {
      const int k = round * kFlagsPerRound + i;
      v1::RecoveryCase flagged;
      grpc::Status status = Flag(kServerToken, absl::StrCat("slow-f", k),
                                 absl::StrCat("slow-c", k), {"1"}, "cold_food",
                                 v1::MINOR, &flagged);
      ASSERT_TRUE(status.ok()) << status.error_message() << "\n" << DaemonLog();
    }
    for (int w = 0; w < kWatchers; ++w) {
      contexts[w]->TryCancel();
      EXPECT_EQ(screens[w]->Finish().error_code(), grpc::StatusCode::CANCELLED);
    }
  }
  // A new screen still gets its catch-up, and the daemon its shutdown.
  auto context = Context(kManagerToken);
  auto screen =
      stub->WatchRecoveries(context.get(), v1::WatchRecoveriesRequest());
  EXPECT_TRUE(ReadUntilCaughtUp(*screen)) << DaemonLog();
  context->TryCancel();
  screen->Finish().IgnoreError();
  ExpectServing();
  ExpectStopsCleanly();
}

// Adapters that leave (after reading none, some or all of the backlog)
// while the daemon is writing their commands. A stream whose cancel raced
// its last write used to stay registered forever, holding its leases: the
// next adapter then waited for the ack deadline (30 s) instead of getting
// every command at once.
TEST_F(StreamLifetimeTest, CommandStreamsCancelledMidWriteHoldNoLease) {
  constexpr size_t kCommands = 6;
  constexpr int kRounds = 40;
  for (size_t k = 0; k < kCommands; ++k) {
    const std::string check = absl::StrCat("cmd-c", k);
    SeedCheck(check, {2000});
    v1::RecoveryCase flagged, applied;
    ASSERT_TRUE(Flag(kServerToken, absl::StrCat("cmd-f", k), check, {"1"},
                     "cold_food", v1::MINOR, &flagged)
                    .ok());
    ASSERT_TRUE(Apply(kServerToken, absl::StrCat("cmd-a", k), flagged.case_id(),
                      "o1", &applied)
                    .ok());
  }
  ASSERT_EQ(CommandsWithin(kCommands, std::chrono::seconds(10)), kCommands);
  auto stub = v1::RemedyCommandService::NewStub(channel_);
  for (int round = 0; round < kRounds; ++round) {
    {
      auto context = Context(kAdapterToken);
      v1::StreamCommandsRequest request;
      request.set_adapter_name("leaver");
      auto reader = stub->StreamCommands(context.get(), request);
      v1::RemedyCommand command;
      const size_t read_before_leaving = round % (kCommands + 1);
      for (size_t i = 0; i < read_before_leaving && reader->Read(&command);
           ++i) {
      }
      context->TryCancel();
      EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
    }
    ASSERT_EQ(CommandsWithin(kCommands, std::chrono::seconds(10)), kCommands)
        << "round " << round << ": a stream that went away kept its leases\n"
        << DaemonLog();
  }
  ExpectServing();
  ExpectStopsCleanly();
}

// A real client process (the makegood CLI) killed with SIGKILL once the
// daemon has committed the first events of its stream: the connection
// drops without a cancel from the client library.
TEST_F(StreamLifetimeTest, APublisherKilledMidStreamLeavesAPrefix) {
  constexpr int kRounds = 3;
  constexpr int kEvents = 30000;
  for (int round = 0; round < kRounds; ++round) {
    const std::string prefix = absl::StrCat("killed-r", round);
    const std::vector<OrderEvent> events =
        SyntheticService(kEvents, prefix, absl::Now() - absl::Hours(3));
    const std::string file = dir_.File(prefix + ".jsonl");
    {
      std::ofstream out(file);
      for (const OrderEvent& event : events) {
        out << core::OrderEventJsonLine(event) << "\n";
      }
    }
    const std::string client_log = dir_.File(prefix + ".log");
    auto publisher = makegood::testing::ChildProcess::Start(
        {MAKEGOOD_BIN, "--server", daemon_->address(), "events", "publish",
         "--file", file},
        {absl::StrCat("MAKEGOOD_TOKEN=", kAdapterToken)}, client_log);
    const std::string count_sql =
        absl::StrCat("SELECT count(*) FROM order_events WHERE event_id LIKE '",
                     prefix, "-%'");
    ASSERT_TRUE(WaitFor([&] { return QueryInt(db_path(), count_sql) > 0; },
                        absl::Seconds(60)))
        << makegood::testing::ReadFileOrEmpty(client_log) << "\n"
        << DaemonLog();
    publisher->Signal(SIGKILL);
    const int exit_code = publisher->Wait();
    // 0 only if it managed to send everything before the signal.
    EXPECT_TRUE(exit_code == 128 + SIGKILL || exit_code == 0)
        << exit_code << ": " << makegood::testing::ReadFileOrEmpty(client_log);
    ExpectServing();
    const int64_t stored = StoredPrefix(prefix);
    ASSERT_GE(stored, 1) << prefix << ": not a prefix of the stream";
    ExpectCompletedByResend(events, stored);
  }
  ExpectStopsCleanly();
}

}  // namespace
}  // namespace makegood
