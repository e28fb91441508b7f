#ifndef MAKEGOOD_SERVICE_RECOVERY_HUB_H_
#define MAKEGOOD_SERVICE_RECOVERY_HUB_H_

// Fans committed recovery changes out to live streams: case changes and
// alerts to WatchRecoveries, new commands to StreamCommands. Only what is
// committed is published, so a stream never shows something that a crash
// could undo. Keeps the most recent updates, numbered, so that a manager
// screen that lost its stream gets what it missed (see RecoveryUpdate in
// recovery.proto for the contract).
//
// How every update reaches a watch stream exactly once:
//  1. Publish numbers the updates (a case change, then its alerts) 1, 2, 3,
//     ... in the order of the Publish calls, stamps the epoch, keeps the
//     newest `ring_capacity` in a ring and hands them to every listener,
//     all under mu_.
//  2. Publish is called from the store's completion callback of the write
//     it reports (RecoveryService, RemedyCommandService). Those callbacks
//     run one at a time in commit order, so numbers follow commit order.
//  3. Resume replays from the ring and registers under mu_: an update is
//     either replayed (published before) or handed live (after), once.
//  4. StartWithSnapshot is called from the completion callback of
//     Store::ReadWatchSnapshot, which runs among the writes' callbacks in
//     commit order: a change published before it is in the snapshot, one
//     published after it is handed live.
//  5. What no write decides (a delivery becoming stuck with time) is
//     published with PublishAlertIf, which asks under mu_ whether it is
//     still due; and StartWithSnapshot keeps, under the same lock, only the
//     snapshot updates its `keep` accepts. A snapshot so shows such an alert
//     exactly when it was published before the stream registered.
//  6. A stream whose credential a reload revokes ends: the reload swaps the
//     configuration first, then calls RecheckCredentials, which asks every
//     listener under mu_. Registration asks the listener too, under mu_:
//     a stream that registers before the recheck is asked by it, one that
//     registers after it is asked under the new configuration. None so
//     slips through between its authentication and its registration.
//
// Thread-safe.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "makegood/v1/recovery.pb.h"
#include "makegood/v1/remedy_commands.pb.h"
#include "store/recovery_types.h"

namespace makegood::service {

// Updates kept for resuming watch streams. A busy service publishes a few
// dozen a minute, so 1024 (a few MB of cases) covers far more than a
// manager screen's Wi-Fi outage; beyond it a screen gets a fresh snapshot.
// A constant rather than a daemon setting while the config is shared; the
// contract (recovery.proto) names the number.
inline constexpr size_t kResumeRingCapacity = 1024;

struct RecoveryHubOptions {
  // Newest updates kept for Resume.
  size_t ring_capacity = kResumeRingCapacity;
  // Names this run in RecoveryUpdate.stream_epoch; empty: a random one.
  std::string epoch;
};

class RecoveryHub {
 public:
  // Called with the hub's lock held: must not block or call the hub.
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void OnUpdate(const makegood::v1::RecoveryUpdate& /*update*/) {}
    virtual void OnCommand(const makegood::v1::RemedyCommand& /*command*/) {}
    // The server is stopping: finish the stream.
    virtual void OnClose() = 0;
    // OK while the credential the stream was opened with still holds under
    // the running configuration (Authenticator::StillAuthorized). Asked
    // under the hub's lock when the listener registers, which is refused
    // if not, and by RecheckCredentials (6.). Must not block or call the
    // hub.
    virtual absl::Status CredentialsHold() const { return absl::OkStatus(); }
    // RecheckCredentials found CredentialsHold() refused with `why`: end the
    // stream with it, at once.
    virtual void OnRevoked(const absl::Status& /*why*/) {}
  };

  explicit RecoveryHub(RecoveryHubOptions options = {});
  RecoveryHub(const RecoveryHub&) = delete;
  RecoveryHub& operator=(const RecoveryHub&) = delete;

  // Names this run of the hub (RecoveryUpdate.stream_epoch).
  const std::string& epoch() const { return epoch_; }

  // Registers a live-only listener (a command stream). False when the hub
  // is already closed or the listener's CredentialsHold() refuses (6.).
  bool Add(Listener* listener);
  void Remove(Listener* listener);

  // Starts a watch stream after (`epoch`, `after_sequence`). When every
  // update since is still kept, hands `listener` those updates and a
  // caught_up (RESUMED), registers it, all under one lock, and returns
  // RESUMED. Otherwise registers nothing and returns why a snapshot is
  // needed: SNAPSHOT (after_sequence <= 0), SNAPSHOT_OTHER_RUN (another
  // epoch), SNAPSHOT_TOO_OLD (older than the ring, or never sent).
  // UNAVAILABLE when the hub is closed; CredentialsHold()'s refusal, with
  // nothing handed, when it refuses (6.). `at` stamps the caught_up.
  absl::StatusOr<makegood::v1::CaughtUp::Start> Resume(Listener* listener,
                                                       absl::string_view epoch,
                                                       int64_t after_sequence,
                                                       absl::Time at);

  // Hands `listener` the `snapshot` updates, marked as snapshot with
  // sequence 0, then a caught_up (`start`, the newest sequence), and
  // registers it, all under one lock. Call it from the completion callback
  // of Store::ReadWatchSnapshot (see 4. above). False, and nothing handed,
  // when the hub is closed or the listener's CredentialsHold() refuses
  // (6.). `at` stamps the caught_up.
  // With `keep`, called under the lock for each update, only the updates
  // it accepts are handed (and counted in the caught_up); see 5. above.
  bool StartWithSnapshot(
      Listener* listener, std::vector<makegood::v1::RecoveryUpdate> snapshot,
      makegood::v1::CaughtUp::Start start, absl::Time at,
      const std::function<bool(const makegood::v1::RecoveryUpdate&)>& keep =
          nullptr);

  // The case change, its alerts and its new commands; nothing for a
  // replayed answer. Call it from the write's completion callback (2.).
  void Publish(const store::RecoveryResult& result, absl::Time at);

  // An alert that no write carries (an adapter's problem report): numbered
  // and kept like the others, but in no snapshot, since nothing stores it.
  void PublishAlert(const makegood::v1::Alert& alert, absl::Time at);

  // Publishes `alert` alone when `still_due()`, called under the lock, says
  // so; nothing when the hub is closed (5.). `still_due` must not call the
  // hub. Whether it was published.
  bool PublishAlertIf(const makegood::v1::Alert& alert, absl::Time at,
                      const std::function<bool()>& still_due);

  // Closes every stream; later Adds fail.
  void Close();

  // After a reload of the configuration: every listener whose
  // CredentialsHold() refuses gets OnRevoked (6.). How many.
  int RecheckCredentials();

  // Watch streams registered now, through Resume or StartWithSnapshot
  // (makegood_watchers_connected).
  int WatcherCount() const;

 private:
  // Numbers `update`, keeps it and hands it to every listener.
  void PublishLocked(makegood::v1::RecoveryUpdate update)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  makegood::v1::RecoveryUpdate CaughtUpLocked(
      makegood::v1::CaughtUp::Start start, int updates, absl::Time at) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Const after construction.
  const size_t ring_capacity_;
  const std::string epoch_;

  mutable absl::Mutex mu_;
  std::set<Listener*> listeners_ ABSL_GUARDED_BY(mu_);
  // Those of listeners_ that are watch streams.
  std::set<Listener*> watchers_ ABSL_GUARDED_BY(mu_);
  // The newest updates, oldest first; their sequences are consecutive and
  // end at last_sequence_.
  std::deque<makegood::v1::RecoveryUpdate> ring_ ABSL_GUARDED_BY(mu_);
  int64_t last_sequence_ ABSL_GUARDED_BY(mu_) = 0;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_RECOVERY_HUB_H_
