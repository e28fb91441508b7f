#ifndef MAKEGOOD_TESTS_SUPPORT_FAULTY_VFS_H_
#define MAKEGOOD_TESTS_SUPPORT_FAULTY_VFS_H_

// A full or failing disk, on demand, for tests of what SQLite's callers do
// then. While a FaultyVfs lives it is the process's default SQLite VFS:
// the platform's own, except that writes to chosen files fail with the
// error a full disk (SQLITE_FULL) or a failing one (SQLITE_IOERR_WRITE)
// gives. Every connection opened meanwhile goes through it, the store's
// included, so it is made before them and outlives them.
//
// One instance at a time; thread-safe.

#include <string>

namespace makegood::testing {

class FaultyVfs {
 public:
  FaultyVfs();
  FaultyVfs(const FaultyVfs&) = delete;
  FaultyVfs& operator=(const FaultyVfs&) = delete;
  // The platform's VFS is the default again.
  ~FaultyVfs();

  // From now on every write to a file whose path ends with `suffix`
  // ("db-wal": a WAL file; "/s.db": that database file itself) fails with
  // `code` and writes nothing, until Heal.
  void FailWrites(const std::string& suffix, int code);
  void Heal();

  // Writes failed so far.
  int failed_writes() const;
};

}  // namespace makegood::testing

#endif  // MAKEGOOD_TESTS_SUPPORT_FAULTY_VFS_H_
