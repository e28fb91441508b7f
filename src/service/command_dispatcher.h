#ifndef MAKEGOOD_SERVICE_COMMAND_DISPATCHER_H_
#define MAKEGOOD_SERVICE_COMMAND_DISPATCHER_H_

// Leases every unacknowledged command to one adapter stream at a time, so
// that two adapters connected at once (a restart overlap, a second machine)
// never both apply it.
//
// Invariants:
//  1. A command is pending from its commit until an APPLIED or REJECTED
//     answer is recorded (Acked). The pending set is loaded once at start
//     (Load) and then follows the commits (Offer) and answers (Acked).
//  2. A pending command is leased to at most one stream. The lease ends
//     when the command is acknowledged, when the stream ends, when the ack
//     deadline passes, or when the adapter answers RETRY_LATER; then the
//     command is offered again (its next delivery attempt) once its retry
//     time, if any, has come.
//  3. Commands are offered oldest first (created_at, then id): a new
//     command never goes out before an older one that a stream could take.
//  4. A stream takes only the kinds it asked for; among the streams that
//     take a kind, the one holding the fewest leases gets the next command.
//     A stream holds at most max_leases_per_stream leases (its outbound
//     queue's limit, so that a backlog never overloads it); the rest wait.
//  5. Deliver is called with the dispatcher's lock held and must not block
//     or call back into the dispatcher. A stream that refuses a delivery
//     (it is ending, or its client fell behind) is dropped as RemoveStream
//     drops it: its leases, the refused one included, go to the others.
// Lease times are transport timing, read from the system clock.
// Thread-safe.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "makegood/v1/remedy_commands.pb.h"
#include "service/recovery_hub.h"

namespace makegood::service {

struct CommandDispatcherOptions {
  // How long a stream holds a command without answering before it is
  // offered again (server.command_ack_deadline_seconds).
  absl::Duration ack_deadline = absl::Seconds(30);
  // Most leases one stream holds at once (server.stream_queue_limit).
  int max_leases_per_stream = 1000;
};

class CommandDispatcher final : public RecoveryHub::Listener {
 public:
  class Stream {
   public:
    virtual ~Stream() = default;
    // Queues `command` for the adapter (lock held: must not block). False
    // when it was not queued: the stream is then dropped (5.).
    virtual bool Deliver(const makegood::v1::RemedyCommand& command) = 0;
  };

  explicit CommandDispatcher(CommandDispatcherOptions options = {});
  CommandDispatcher(const CommandDispatcher&) = delete;
  CommandDispatcher& operator=(const CommandDispatcher&) = delete;
  // Stops the lease timer.
  ~CommandDispatcher() override;

  // The unacknowledged commands at start, each with its next
  // delivery_attempt.
  void Load(std::vector<makegood::v1::RemedyCommand> backlog);

  // Registers a stream taking `kinds` (empty: every kind) and hands it
  // what it can take now.
  void AddStream(Stream* stream, std::set<makegood::v1::CommandKind> kinds);
  // Ends the stream's leases; its commands go to the other streams.
  void RemoveStream(Stream* stream);

  // A newly committed command (through the hub).
  void OnCommand(const makegood::v1::RemedyCommand& command) override;
  void OnClose() override {}

  // An APPLIED or REJECTED answer was recorded: the command is done.
  void Acked(const std::string& command_id);
  // The adapter could not do it now: offer it again after `delay`.
  void RetryLater(const std::string& command_id, absl::Duration delay);

  // How many commands are leased and how many wait; for tests and health.
  std::pair<int, int> LeasedAndWaiting() const;
  // Adapter streams taking commands now (makegood_adapters_connected).
  int StreamCount() const;

  // The kind of a command.
  static makegood::v1::CommandKind KindOf(
      const makegood::v1::RemedyCommand& command);

 private:
  struct Pending {
    makegood::v1::RemedyCommand command;
    Stream* leased_to = nullptr;
    absl::Time lease_ends = absl::InfinitePast();
    // Not offered before then (RETRY_LATER).
    absl::Time not_before = absl::InfinitePast();
  };
  // Oldest first: created_at, then id.
  using Key = std::pair<int64_t, std::string>;
  static Key KeyOf(const makegood::v1::RemedyCommand& command);

  // Leases what can be leased now, oldest first (3, 4), until no stream
  // refuses (5).
  void PumpLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // One pass of PumpLocked; false when a stream refused and was dropped,
  // which frees leases a pass already went by.
  bool PumpPassLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Ends the stream's leases and forgets it; false when it was not known.
  bool DropStreamLocked(Stream* stream) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ReleaseLocked(Pending& pending) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Expires leases and retry waits; wakes at the next deadline.
  void RunTimer();

  // Const after construction.
  const CommandDispatcherOptions options_;

  mutable absl::Mutex mu_;
  std::map<Key, Pending> pending_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Key> keys_ ABSL_GUARDED_BY(mu_);
  struct StreamState {
    std::set<makegood::v1::CommandKind> kinds;
    int leases = 0;
    int64_t order = 0;  // Registration order, for ties.
  };
  std::map<Stream*, StreamState> streams_ ABSL_GUARDED_BY(mu_);
  int64_t next_order_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread timer_;
};

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_COMMAND_DISPATCHER_H_
