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
  if (sqlite3_wal_checkpoint_v2(writer.raw(), nullptr,
                                SQLITE_CHECKPOINT_PASSIVE, &log_frames,
                                &copied_frames) == SQLITE_OK) {
    ++checkpoints_;
  }
  frames_ = 0;  // Until the next commit reports again.
}

}  // namespace makegood::store
