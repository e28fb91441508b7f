#include "store/wal_recycler.h"

#include <sqlite3.h>

namespace makegood::store {

void WalRecycler::Attach(Connection& writer) {
  sqlite3_wal_hook(
      writer.raw(),
      +[](void* self, sqlite3*, const char*, int frames) {
        static_cast<WalRecycler*>(self)->frames_ = frames;
        return SQLITE_OK;
      },
      this);
}

void WalRecycler::AfterCommit(Connection& writer, bool idle) {
  const int frames = frames_;
  if (frames < (idle ? limits_.idle_at_frames : limits_.busy_at_frames)) {
    return;
  }
  // PASSIVE: readers are never waited for. One still reading an old
  // snapshot keeps the WAL from restarting; the next commit tries again.
  int log_frames = 0, copied_frames = 0;
  const int rc = sqlite3_wal_checkpoint_v2(writer.raw(), nullptr,
                                           SQLITE_CHECKPOINT_PASSIVE,
                                           &log_frames, &copied_frames);
  frames_ = 0;  // Until the next commit reports again: the retry.
  if (rc == SQLITE_OK) ++checkpoints_;
  // BUSY: the maintenance thread's checkpoint is running; no failure.
  if (report_ == nullptr || (rc & 0xff) == SQLITE_BUSY) return;
  report_(rc == SQLITE_OK ? absl::OkStatus()
                          : SqliteError(writer.raw(),
                                        "checkpoint of the WAL by the writer"));
}

}  // namespace makegood::store
