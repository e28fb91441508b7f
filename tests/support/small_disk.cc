#include "support/small_disk.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace makegood::testing {
namespace {

constexpr char kBallast[] = "ballast";

absl::Status Errno(const std::string& what, int error) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(error)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<SmallDisk>> SmallDisk::Mount(
    const std::string& directory, int size_mib) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create ", directory, ": ", error.message()));
  }
  const std::string options = absl::StrCat("size=", size_mib, "m,mode=0700");
  if (mount("tmpfs", directory.c_str(), "tmpfs", MS_NOSUID | MS_NODEV,
            options.c_str()) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot mount a tmpfs at ", directory, ": ", std::strerror(errno),
        ". A small disk of its own needs root (CAP_SYS_ADMIN) to mount, as "
        "CI runs the tests."));
  }
  return std::unique_ptr<SmallDisk>(new SmallDisk(directory));
}

SmallDisk::~SmallDisk() {
  if (umount(path_.c_str()) != 0) umount2(path_.c_str(), MNT_DETACH);
}

absl::Status SmallDisk::Fill() {
  const std::string ballast = File(kBallast);
  const int fd =
      open(ballast.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return Errno(absl::StrCat("cannot open ", ballast), errno);
  // Large writes first, then single blocks for what is left between them.
  static const std::string kChunk(64 * 1024, '\0');
  int error = 0;
  for (size_t size : {kChunk.size(), size_t{4096}}) {
    while (write(fd, kChunk.data(), size) > 0) {
    }
    error = errno;
    if (error != ENOSPC) break;
  }
  close(fd);
  if (error != ENOSPC) {
    return Errno(absl::StrCat("cannot fill ", path_, " with ", ballast), error);
  }
  return absl::OkStatus();
}

absl::Status SmallDisk::Empty() {
  std::error_code error;
  std::filesystem::remove(File(kBallast), error);
  if (error) {
    return absl::InternalError(absl::StrCat("cannot remove the ballast of ",
                                            path_, ": ", error.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> SmallDisk::FreeBlocks() const {
  struct statvfs disk;
  if (statvfs(path_.c_str(), &disk) != 0) {
    return Errno(absl::StrCat("statvfs ", path_), errno);
  }
  return disk.f_bavail;
}

absl::Status EmptyWal(const std::string& db_path, absl::Duration timeout) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) !=
      SQLITE_OK) {
    const std::string message = sqlite3_errmsg(db);
    sqlite3_close(db);
    return absl::InternalError(
        absl::StrCat("cannot open ", db_path, ": ", message));
  }
  sqlite3_busy_timeout(db, 5000);
  // A connection learns the journal mode on its first read; before it, a
  // checkpoint does nothing.
  int rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr,
                        nullptr, nullptr);
  const absl::Time until = absl::Now() + timeout;
  while (rc == SQLITE_OK || rc == SQLITE_BUSY) {
    // BUSY at once while the owner's own checkpoint runs.
    rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_TRUNCATE,
                                   nullptr, nullptr);
    if (rc != SQLITE_BUSY || absl::Now() >= until) break;
    absl::SleepFor(absl::Milliseconds(5));
  }
  const std::string message = sqlite3_errmsg(db);
  sqlite3_close(db);
  if (rc == SQLITE_BUSY) {
    return absl::DeadlineExceededError(
        absl::StrCat("the WAL of ", db_path, " was busy for ",
                     absl::FormatDuration(timeout)));
  }
  if (rc != SQLITE_OK) {
    return absl::InternalError(
        absl::StrCat("cannot checkpoint ", db_path, ": ", message));
  }
  return absl::OkStatus();
}

}  // namespace makegood::testing
