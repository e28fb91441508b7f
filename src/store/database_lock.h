#ifndef MAKEGOOD_STORE_DATABASE_LOCK_H_
#define MAKEGOOD_STORE_DATABASE_LOCK_H_

// One makegood process at a time on a database file: makegoodd's store
// while it serves, `makegood restore` while it replaces the file. An
// exclusive flock(2) on "<database>.lock", taken before the database is
// opened and held until released. The file holds the holder's pid, for the
// refusal's message only.
//  - flock, not fcntl: its lock belongs to the open file description, so a
//    second lock in the same process is refused too, and no other
//    descriptor's close drops it (SQLite's own fcntl locks are on the
//    database and its -shm, not on this file).
//  - The kernel drops the lock when the process ends, however it ends: a
//    file left behind by a crash blocks nothing. It is never deleted, so
//    that two openers always lock the same inode.
//  - O_CLOEXEC: a program the process runs does not inherit it.
// Thread-compatible.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace makegood::store {

class DatabaseLock {
 public:
  // The lock of `database`. FAILED_PRECONDITION when another holds it: "
  // another makegoodd (pid N) is using DB: it holds the lock DB.lock; "
  // followed by `advice` (what the refused one should do); INTERNAL when
  // the file cannot be opened or locked.
  static absl::StatusOr<std::unique_ptr<DatabaseLock>> Acquire(
      const std::string& database, absl::string_view advice);

  DatabaseLock(const DatabaseLock&) = delete;
  DatabaseLock& operator=(const DatabaseLock&) = delete;
  ~DatabaseLock() { Release(); }

  // Gives the lock file to the database's owner, so that a makegoodd
  // running as that user can lock it after a root `makegood restore`
  // created it. Best effort: only root may give a file away.
  void GiveToOwnerOf(const std::string& database);

  // Empties the file and drops the lock. Idempotent.
  void Release();

 private:
  explicit DatabaseLock(int fd) : fd_(fd) {}

  int fd_;
};

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_DATABASE_LOCK_H_
