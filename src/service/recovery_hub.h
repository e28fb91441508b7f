#ifndef MAKEGOOD_SERVICE_RECOVERY_HUB_H_
#define MAKEGOOD_SERVICE_RECOVERY_HUB_H_

// Fans committed recovery changes out to live streams: case changes and
// alerts to WatchRecoveries, new commands to StreamCommands. Only what is
// committed is published, so a stream never shows something that a crash
// could undo. Thread-safe.

#include <set>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "makegood/v1/recovery.pb.h"
#include "makegood/v1/remedy_commands.pb.h"
#include "store/recovery_types.h"

namespace makegood::service {

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
  };

  RecoveryHub() = default;
  RecoveryHub(const RecoveryHub&) = delete;
  RecoveryHub& operator=(const RecoveryHub&) = delete;

  // False when the hub is already closed.
  bool Add(Listener* listener);
  void Remove(Listener* listener);

  // The case change, its alerts and its new commands.
  void Publish(const store::RecoveryResult& result, absl::Time at);

  // Closes every stream; later Adds fail.
  void Close();

 private:
  absl::Mutex mu_;
  std::set<Listener*> listeners_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_RECOVERY_HUB_H_
