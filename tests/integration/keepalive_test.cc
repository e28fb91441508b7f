// Keepalive on both ends, through the real makegoodd (keepalive_seconds: 1)
// and a TCP proxy that goes half-open: it stops forwarding in both
// directions but keeps its sockets open, so neither the adapter's cancel
// nor a TCP reset reaches the other end. Only the pings can tell: the
// daemon closes the connection and hands the adapter's lease to a stream
// connected directly, and the adapter's own stream (client/connection.h,
// keepalive 1 s) ends with UNAVAILABLE.
//
// Leases do not expire here (command_ack_deadline_seconds: 3600), so the
// lease can only move because the daemon noticed. No test sleeps: each
// wait is on a condition with a deadline of a few keepalive periods.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/connection.h"
#include "integration/recovery_calls.h"
#include "integration/tcp_proxy.h"

namespace makegood {
namespace {

using v1::RemedyCommand;

// Ample for 1 s pings and a 1 s ping timeout, also under the sanitizers.
constexpr absl::Duration kNoticedWithin = absl::Seconds(15);

// One adapter's StreamCommands call, read on its own thread.
class PingedAdapterStream {
 public:
  PingedAdapterStream(const std::shared_ptr<grpc::Channel>& channel,
                      const std::string& name)
      : stub_(v1::RemedyCommandService::NewStub(channel)) {
    // Bounds the stream, so that a test gone wrong still ends.
    context_.set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(60));
    client::AddBearerToken(context_, kAdapterToken);
    v1::StreamCommandsRequest request;
    request.set_adapter_name(name);
    reader_ = stub_->StreamCommands(&context_, request);
    thread_ = std::thread([this] { Run(); });
  }
  PingedAdapterStream(const PingedAdapterStream&) = delete;
  PingedAdapterStream& operator=(const PingedAdapterStream&) = delete;
  ~PingedAdapterStream() {
    context_.TryCancel();
    thread_.join();
  }

  // Whether `command_id` arrived with `attempt` within `timeout`.
  bool WaitForCommand(const std::string& command_id, int attempt,
                      absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto arrived = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      for (const RemedyCommand& command : received_) {
        if (command.command_id() == command_id &&
            command.delivery_attempt() == attempt) {
          return true;
        }
      }
      return false;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&arrived), timeout);
  }

  // The stream's status once it ended within `timeout`; nullopt if not.
  std::optional<grpc::Status> WaitForEnd(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto ended = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return ended_.has_value();
    };
    mu_.AwaitWithTimeout(absl::Condition(&ended), timeout);
    return ended_;
  }

  std::string Describe() const {
    absl::MutexLock lock(&mu_);
    std::string out;
    for (const RemedyCommand& command : received_) {
      absl::StrAppend(&out, command.command_id(), "#",
                      command.delivery_attempt(), " ");
    }
    if (ended_.has_value()) {
      absl::StrAppend(&out, "ended with ",
                      static_cast<int>(ended_->error_code()), " ",
                      ended_->error_message());
    }
    return out;
  }

 private:
  void Run() {
    RemedyCommand command;
    while (reader_->Read(&command)) {
      absl::MutexLock lock(&mu_);
      received_.push_back(command);
    }
    grpc::Status status = reader_->Finish();
    absl::MutexLock lock(&mu_);
    ended_ = std::move(status);
  }

  std::unique_ptr<v1::RemedyCommandService::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<RemedyCommand>> reader_;
  mutable absl::Mutex mu_;
  std::vector<RemedyCommand> received_ ABSL_GUARDED_BY(mu_);
  std::optional<grpc::Status> ended_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;  // Last: it reads the members above.
};

class KeepaliveTest : public RecoveryCallsTest {
 protected:
  void SetUp() override {
    RecoveryCallsTest::SetUp();
    ASSERT_NO_FATAL_FAILURE(
        RestartWithServerSettings("  keepalive_seconds: 1\n"
                                  "  command_ack_deadline_seconds: 3600\n"));
  }

  // CompOneLine: the comp's command id, empty on failure.
  std::string Comp(const std::string& check_id) {
    const v1::RecoveryCase applied = CompOneLine(check_id);
    if (applied.remedies_size() != 1) return "";
    return applied.remedies(0).command_id();
  }
};

TEST_F(KeepaliveTest, AHalfOpenAdapterConnectionIsNoticedAtBothEnds) {
  auto proxy = makegood::testing::TcpProxy::Start(daemon_->port());
  ASSERT_TRUE(proxy.ok()) << proxy.status();
  client::ConnectionOptions through_proxy;
  through_proxy.server = (*proxy)->address();
  through_proxy.keepalive = absl::Seconds(1);
  auto proxied_channel = client::OpenChannel(through_proxy);
  ASSERT_TRUE(proxied_channel.ok()) << proxied_channel.status();

  PingedAdapterStream proxied(*proxied_channel, "behind-the-proxy");
  const std::string id = Comp("c1");
  ASSERT_FALSE(id.empty());
  // The only stream holds the lease.
  ASSERT_TRUE(proxied.WaitForCommand(id, 1, absl::Seconds(10)))
      << proxied.Describe();
  PingedAdapterStream direct(channel_, "direct");

  (*proxy)->Blackhole();
  const absl::Time cut = absl::Now();

  // The daemon's pings go unanswered: it ends the proxied stream, and the
  // lease goes to the direct one, as the command's next attempt.
  EXPECT_TRUE(direct.WaitForCommand(id, 2, kNoticedWithin))
      << "proxied: " << proxied.Describe() << "; direct: " << direct.Describe();
  // The adapter's pings go unanswered too: its stream ends, and it would
  // reconnect.
  const std::optional<grpc::Status> ended = proxied.WaitForEnd(kNoticedWithin);
  ASSERT_TRUE(ended.has_value()) << proxied.Describe();
  EXPECT_EQ(ended->error_code(), grpc::StatusCode::UNAVAILABLE)
      << ended->error_message();
  EXPECT_LT(absl::Now() - cut, kNoticedWithin);

  v1::AckCommandResponse ack;
  EXPECT_TRUE(
      Ack("applied-" + id, id, v1::AckCommandRequest::APPLIED, "pos-1", &ack)
          .ok());
}

}  // namespace
}  // namespace makegood
