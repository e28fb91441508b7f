#include "store/database_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace makegood::store {
namespace {

// The pid a lock file holds, or "" when it holds none (yet).
std::string HolderOf(int fd) {
  char buffer[32];
  const ssize_t n = pread(fd, buffer, sizeof(buffer), 0);
  if (n <= 0) return "";
  const absl::string_view text = absl::StripAsciiWhitespace(
      absl::string_view(buffer, static_cast<size_t>(n)));
  if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) {
        return c >= '0' && c <= '9';
      })) {
    return "";
  }
  return std::string(text);
}

}  // namespace

absl::StatusOr<std::unique_ptr<DatabaseLock>> DatabaseLock::Acquire(
    const std::string& database, absl::string_view advice) {
  // Beside the file SQLite opens, which follows symbolic links; and
  // "var/x.db" and "./var/x.db" are one file with one lock.
  std::error_code error;
  const std::filesystem::path resolved =
      std::filesystem::weakly_canonical(database, error);
  const std::string path =
      absl::StrCat(error ? database : resolved.string(), ".lock");
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("cannot open the lock file ", path,
                                            ": ", std::strerror(errno)));
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int lock_error = errno;
    const std::string holder = HolderOf(fd);
    close(fd);
    if (lock_error != EWOULDBLOCK) {
      return absl::InternalError(
          absl::StrCat("cannot lock ", path, ": ", std::strerror(lock_error)));
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "another makegoodd",
        holder.empty() ? "" : absl::StrCat(" (pid ", holder, ")"), " is using ",
        database, ": it holds the lock ", path, "; ", advice));
  }
  // Ours now. The pid is for the message above only: not writing it leaves
  // the lock as good.
  const std::string pid = absl::StrCat(getpid(), "\n");
  const bool written =
      ftruncate(fd, 0) == 0 &&
      pwrite(fd, pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size());
  (void)written;
  return std::unique_ptr<DatabaseLock>(new DatabaseLock(fd));
}

void DatabaseLock::GiveToOwnerOf(const std::string& database) {
  struct stat db;
  if (fd_ < 0 || stat(database.c_str(), &db) != 0) return;
  const bool given = fchown(fd_, db.st_uid, db.st_gid) == 0;
  (void)given;
}

void DatabaseLock::Release() {
  if (fd_ < 0) return;
  const bool emptied = ftruncate(fd_, 0) == 0;
  (void)emptied;
  close(fd_);  // Drops the lock.
  fd_ = -1;
}

}  // namespace makegood::store
