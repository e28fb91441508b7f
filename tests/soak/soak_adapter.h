#ifndef MAKEGOOD_TESTS_SOAK_SOAK_ADAPTER_H_
#define MAKEGOOD_TESTS_SOAK_SOAK_ADAPTER_H_

// A POS adapter that carries out remedy commands the way the real ones do
// (adapters/runtime/adapter_runtime.cc, CarryOut): it streams its commands
// with client::CommandReceiver (which reconnects after any end), keeps the
// outcome of every command it carried out (a real adapter's state store,
// adapters/runtime/adapter_state.h: it survives reconnects and makegoodd's
// restarts) so that a redelivered command is acknowledged again and never
// carried out twice, reads the POS back for the command's marker before
// writing (another adapter may have written it before its lease ended),
// and acknowledges with request id "ack-<command id>" until answered.
//
// About one command in ten is refused by the POS (REJECTED, "the check is
// closed at the terminal"), chosen by the command id and the seed, so that
// every adapter gives the same answer for the same command.
// Every delivery is first checked against the AckBook (fake_pos.h).
// Thread-safe.

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "client/command_receiver.h"
#include "makegood/v1/remedy_commands.grpc.pb.h"
#include "soak/answer_log.h"
#include "soak/fake_pos.h"
#include "soak/soak_rpc.h"

namespace makegood::soak {

class SoakAdapter {
 public:
  struct Counts {
    int64_t deliveries = 0;       // Commands received, redeliveries included.
    int64_t streams = 0;          // StreamCommands calls made.
    int64_t written = 0;          // Remedies this adapter wrote on the POS.
    int64_t rejected = 0;         // Commands it answered REJECTED first.
    int64_t known_again = 0;      // Redeliveries answered from its store.
    int64_t found_by_marker = 0;  // Already on the POS (another's write).
    int64_t acks = 0;             // Acks answered.
    int64_t ack_retries = 0;
  };

  // Starts streaming at once, over `channel`.
  SoakAdapter(std::string name, std::shared_ptr<grpc::Channel> channel,
              uint64_t seed, RetryOptions retry, FakePos& pos, AckBook& acks,
              AnswerLog& log);
  SoakAdapter(const SoakAdapter&) = delete;
  SoakAdapter& operator=(const SoakAdapter&) = delete;
  ~SoakAdapter();  // Stops.

  // Ends the stream and stops reconnecting.
  void Stop();
  Counts counts() const;

  // Whether the POS refuses `command_id` (the same for every adapter).
  static bool PosRefuses(const std::string& command_id, uint64_t seed);

 private:
  struct Outcome {
    bool applied = false;
    std::string pos_reference;  // When applied.
  };

  std::unique_ptr<grpc::ClientContext> NewStreamContext();
  // On the receiver's thread, before it reconnects: a stream that ends is
  // an error when retry_.retry is false.
  void StreamEnded(const grpc::Status& status);
  // On the receiver's thread, one command at a time.
  void Handle(const makegood::v1::RemedyCommand& command);
  void Acknowledge(const makegood::v1::RemedyCommand& command,
                   const Outcome& outcome);

  // Const after construction.
  const std::string name_;
  const uint64_t seed_;
  const RetryOptions retry_;
  FakePos& pos_;
  AckBook& acks_;
  AnswerLog& log_;
  const std::unique_ptr<makegood::v1::RemedyCommandService::Stub> stub_;

  // Only the receiver's thread touches these.
  int64_t stream_opened_ = 0;  // AckBook tick of the current stream.
  std::map<std::string, Outcome> outcomes_;  // The adapter's state store.

  mutable absl::Mutex mu_;
  Counts counts_ ABSL_GUARDED_BY(mu_);
  std::atomic<int64_t> ack_retries_{0};

  client::CommandReceiver receiver_;  // Last: starts once the rest exists.
};

}  // namespace makegood::soak

#endif  // MAKEGOOD_TESTS_SOAK_SOAK_ADAPTER_H_
