#ifndef MAKEGOOD_TESTS_SOAK_FAKE_POS_H_
#define MAKEGOOD_TESTS_SOAK_FAKE_POS_H_

// The POS the soaks' adapters write remedies to, and the adapters' shared
// clock of acks.
//
// FakePos counts every write per command id. Each write carries the
// command id as its marker, as a real adapter's does
// (adapters/vendor/remedy_marker.h), so an adapter can read the POS back
// before writing. A second write of one command is a violation at once:
// the remedy would be given twice.
//
// AckBook gives the adapters one logical clock: a tick when a command
// stream is opened and a tick when an APPLIED or REJECTED ack is answered.
// makegoodd forgets a command before it answers its ack
// (command_dispatcher.h, invariant 1), so a stream opened after that answer
// must never be handed the command: a delivery on it is a violation,
// whatever the adapter then does with it. Deliveries on streams opened
// earlier are the at-least-once redeliveries the contract allows.
// Both thread-safe.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "makegood/v1/remedy_commands.pb.h"

namespace makegood::soak {

class FakePos {
 public:
  struct Written {
    int writes = 0;
    std::string reference;  // What the POS calls the write.
    std::string adapter;    // Who wrote it first.
  };

  FakePos() = default;
  FakePos(const FakePos&) = delete;
  FakePos& operator=(const FakePos&) = delete;

  // The reference of the write carrying `command_id`'s marker, if any.
  std::optional<std::string> ReadBack(const std::string& command_id) const;
  // Writes the remedy; its reference. Fails the soak if the command was
  // written before.
  std::string Write(const makegood::v1::RemedyCommand& command,
                    const std::string& adapter);

  std::map<std::string, Written> Snapshot() const;
  int64_t writes() const;

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, Written> written_ ABSL_GUARDED_BY(mu_);
  int64_t writes_ ABSL_GUARDED_BY(mu_) = 0;
};

class AckBook {
 public:
  AckBook() = default;
  AckBook(const AckBook&) = delete;
  AckBook& operator=(const AckBook&) = delete;

  // Called just before a StreamCommands call: its tick.
  int64_t StreamOpening();
  // Fails the soak when `command` was acked (APPLIED or REJECTED, answered
  // OK) before the tick `stream_opened` of the stream that delivered it.
  void CheckDelivery(const makegood::v1::RemedyCommand& command,
                     int64_t stream_opened, const std::string& adapter) const;
  // makegoodd answered an APPLIED or REJECTED ack of `command_id`.
  void Answered(const std::string& command_id,
                makegood::v1::AckCommandRequest::Result recorded);

  // Waits up to `timeout` until every one of `command_ids` has an answered
  // ack; those still without one.
  std::vector<std::string> WaitForAll(const std::set<std::string>& command_ids,
                                      absl::Duration timeout) const;
  int64_t answered() const;

 private:
  struct Ack {
    int64_t tick = 0;  // Of the first answer.
    makegood::v1::AckCommandRequest::Result recorded;
  };

  mutable absl::Mutex mu_;
  int64_t clock_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, Ack> acked_ ABSL_GUARDED_BY(mu_);
};

}  // namespace makegood::soak

#endif  // MAKEGOOD_TESTS_SOAK_FAKE_POS_H_
