#ifndef MAKEGOOD_TESTS_SUPPORT_SMALL_DISK_H_
#define MAKEGOOD_TESTS_SUPPORT_SMALL_DISK_H_

// A disk of its own that fills up on demand, for tests of a full disk
// under the real makegoodd: a tmpfs mounted at a directory of the test, a
// ballast file that takes every free block, and a checkpoint that empties
// a database's WAL so that its owner's next commit needs new blocks (a WAL
// that already has its blocks is written in place, full disk or not).
// Mounting needs root (CAP_SYS_ADMIN), as CI runs the tests.
// Not thread-safe: one thread drives a disk.

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace makegood::testing {

class SmallDisk {
 public:
  // Mounts a tmpfs of `size_mib` MiB at `directory`, which it creates.
  // FAILED_PRECONDITION saying why (root is needed) when it cannot.
  static absl::StatusOr<std::unique_ptr<SmallDisk>> Mount(
      const std::string& directory, int size_mib);

  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;
  // Unmounts; lazily when a file on it is still open.
  ~SmallDisk();

  const std::string& path() const { return path_; }
  // The path of `name` on the disk.
  std::string File(const std::string& name) const { return path_ + "/" + name; }

  // Writes a ballast file until the disk refuses with ENOSPC. INTERNAL for
  // any other error.
  absl::Status Fill();
  // Removes the ballast: the disk has room again.
  absl::Status Empty();
  // Free blocks now, for an unprivileged writer.
  absl::StatusOr<uint64_t> FreeBlocks() const;

 private:
  explicit SmallDisk(std::string path) : path_(std::move(path)) {}

  std::string path_;
};

// Checkpoints the WAL of the SQLite database at `db_path` into the
// database and truncates it to nothing, from a connection of its own (the
// database's owner may be writing meanwhile: SQLite serializes the two).
// Tries again while the owner's own checkpoint holds the WAL, up to
// `timeout`; DEADLINE_EXCEEDED then, INTERNAL on any other failure.
absl::Status EmptyWal(const std::string& db_path,
                      absl::Duration timeout = absl::Seconds(10));

}  // namespace makegood::testing

#endif  // MAKEGOOD_TESTS_SUPPORT_SMALL_DISK_H_
