// Keeps the WAL file from growing without end under steady writes.
//
// SQLite writes the WAL from its beginning again only when a write
// transaction starts after a checkpoint has copied every frame. With a
// writer that commits every millisecond, the maintenance thread's
// checkpoint never catches up on its own: the WAL grows by every commit,
// and each commit's fdatasync then also has to write the file's new size,
// about 100 µs of a 250 µs commit on ext4. So once the WAL holds enough
// frames, the writer checkpoints itself between two groups, preferably
// when no job is waiting; its next transaction restarts the WAL over blocks
// the file already has. A checkpoint that fails (a full or failing disk)
// is reported, and retried after the next commit, which reports the WAL's
// frames again.

#ifndef MAKEGOOD_STORE_WAL_RECYCLER_H_
#define MAKEGOOD_STORE_WAL_RECYCLER_H_

#include <atomic>
#include <functional>
#include <utility>

#include "absl/status/status.h"
#include "store/sqlite_connection.h"

namespace makegood::store {

class WalRecycler {
 public:
  struct Limits {
    // The writer checkpoints when the WAL holds this many frames (4 KiB
    // pages each) and the queue is empty...
    int idle_at_frames = 2048;
    // ...or at this many whether or not jobs wait.
    int busy_at_frames = 8192;
  };

  // Told the outcome of every checkpoint the writer tries: OK, or the
  // SQLite error. One that only found another checkpoint running (BUSY)
  // is not reported. Called on the writer thread.
  using Report = std::function<void(const absl::Status& status)>;

  WalRecycler() : WalRecycler(Limits{}) {}
  explicit WalRecycler(Limits limits, Report report = nullptr)
      : limits_(limits), report_(std::move(report)) {}
  WalRecycler(const WalRecycler&) = delete;
  WalRecycler& operator=(const WalRecycler&) = delete;

  // Installs the WAL hook, which reports the WAL's frames after each commit.
  // Call before the writer thread uses `writer`.
  void Attach(Connection& writer);
  // On the writer thread after a group committed: checkpoints when it is
  // time. `idle` when no job is waiting.
  void AfterCommit(Connection& writer, bool idle);

  // For tests.
  int wal_frames() const { return frames_; }
  int checkpoints() const { return checkpoints_; }

 private:
  const Limits limits_;
  const Report report_;
  // Written by the writer thread only; atomic for the tests' reads.
  std::atomic<int> frames_{0};
  std::atomic<int> checkpoints_{0};
};

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_WAL_RECYCLER_H_
