#ifndef MAKEGOOD_STORE_WRITE_HEALTH_H_
#define MAKEGOOD_STORE_WRITE_HEALTH_H_

// Whether the store can write, as the writer finds out with every commit.
//
// A fault episode begins with the first transaction that fails for want of
// disk space or of a working disk, and ends with the next one that
// commits. The episode is logged when it begins (with SQLite's error), when
// its kind of fault changes, and when it ends (with the number of writes
// refused meanwhile): never once per failed write. An observer (the
// daemon's grpc.health.v1 status) hears of every change.
//
// Thread-safe: the writer reports, anyone may ask or watch.

#include <cstdint>
#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace makegood::store {

// What a failed write says of the disk.
enum class WriteFault {
  kNone,  // Nothing: the job's own error, or the store shutting down.
  kFull,  // SQLITE_FULL: no space left on the disk.
  // SQLITE_IOERR*, SQLITE_CANTOPEN, SQLITE_READONLY: the disk or the
  // database file cannot be written.
  kUnavailable,
};

// The fault of a status made by SqliteError on the write connection;
// kNone for every other status.
WriteFault FaultOf(const absl::Status& status);

// What the callers of a write refused for `fault` (not kNone) are told:
// RESOURCE_EXHAUSTED with reason STORE_FULL, or UNAVAILABLE with reason
// STORE_UNAVAILABLE, and a message saying that nothing was saved and to
// retry. It carries none of SQLite's detail, so a client may see it.
absl::Status NotSaved(WriteFault fault);

class WriteHealth {
 public:
  using Log = std::function<void(absl::string_view line)>;
  using Observer = std::function<void(bool can_write)>;

  // `log` takes one line without newline, one call at a time. Empty: each
  // line is a structured event instead (telemetry/log.h:
  // store_write_failed, store_write_fault_changed, store_write_recovered),
  // with the line as its `msg`.
  explicit WriteHealth(Log log);
  WriteHealth(const WriteHealth&) = delete;
  WriteHealth& operator=(const WriteHealth&) = delete;

  // The writer: a transaction failed with `cause` (SQLite's error), whose
  // fault is `fault`, and its `refused` writes were refused. Starts an
  // episode unless one is running. kNone is ignored.
  void Failed(WriteFault fault, const absl::Status& cause, int64_t refused);
  // The writer: a transaction committed. Ends the episode, if any.
  void Committed();

  bool can_write() const;

  // Calls `observer` at once (on this thread) with can_write(), then at
  // every change (on the writer's thread), one call at a time; replaces
  // the previous observer (nullptr: none). Once this returns, no call to a
  // previous observer is running or will start. `observer` must not call
  // this object.
  void Watch(Observer observer);

 private:
  const Log log_;

  mutable absl::Mutex mu_;  // Also serializes the calls of the observer.
  WriteFault fault_ ABSL_GUARDED_BY(mu_) = WriteFault::kNone;
  int64_t refused_ ABSL_GUARDED_BY(mu_) = 0;  // In the current episode.
  Observer observer_ ABSL_GUARDED_BY(mu_);
};

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_WRITE_HEALTH_H_
