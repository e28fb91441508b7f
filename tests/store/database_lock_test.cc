#include "store/database_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/process.h"
#include "support/small_disk.h"
#include "support/temp_dir.h"

namespace makegood::store {
namespace {

using makegood::testing::ReadFileOrEmpty;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kAdvice[] = "stop it first; nothing was changed";

// The lock file of `database`, named as the lock names it: beside the file
// the path resolves to.
std::string LockOf(const std::string& database) {
  return std::filesystem::weakly_canonical(database).string() + ".lock";
}

// A holder of the lock that is not a DatabaseLock (an older makegoodd, or
// one that could not write its pid): an flock of its own on the file, which
// holds `contents`.
class ForeignHolder {
 public:
  ForeignHolder(const std::string& lock_path, const std::string& contents) {
    fd_ =
        ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) return;
    const bool written = ::write(fd_, contents.data(), contents.size()) ==
                         static_cast<ssize_t>(contents.size());
    locked_ = written && ::flock(fd_, LOCK_EX | LOCK_NB) == 0;
  }
  ForeignHolder(const ForeignHolder&) = delete;
  ForeignHolder& operator=(const ForeignHolder&) = delete;
  ~ForeignHolder() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool locked() const { return locked_; }

 private:
  int fd_ = -1;
  bool locked_ = false;
};

// A child process that takes the lock of `database` and holds it until
// told to end (or this is destroyed), then ends without releasing it, as a
// killed makegoodd would.
class ChildHolder {
 public:
  explicit ChildHolder(const std::string& database) {
    int ready[2];
    int end[2];
    if (::pipe2(ready, O_CLOEXEC) != 0) return;
    if (::pipe2(end, O_CLOEXEC) != 0) {
      ::close(ready[0]);
      ::close(ready[1]);
      return;
    }
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(ready[0]);
      ::close(end[1]);
      auto lock = DatabaseLock::Acquire(database, "");
      const char answer = lock.ok() ? 'y' : 'n';
      (void)!::write(ready[1], &answer, 1);
      char byte;
      (void)!::read(end[0], &byte, 1);  // Returns when the parent closes it.
      ::_exit(0);  // Without Release: the kernel drops the lock.
    }
    ::close(ready[1]);
    ::close(end[0]);
    end_ = end[1];
    char answer = 'n';
    locked_ = pid_ > 0 && ::read(ready[0], &answer, 1) == 1 && answer == 'y';
    ::close(ready[0]);
  }
  ChildHolder(const ChildHolder&) = delete;
  ChildHolder& operator=(const ChildHolder&) = delete;
  ~ChildHolder() { End(); }

  pid_t pid() const { return pid_; }
  bool locked() const { return locked_; }
  // Ends the child and waits for it.
  void End() {
    if (end_ >= 0) {
      ::close(end_);
      end_ = -1;
    }
    if (pid_ > 0) {
      int status = 0;
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
    }
  }

 private:
  pid_t pid_ = -1;
  int end_ = -1;
  bool locked_ = false;
};

TEST(DatabaseLockTest, ASecondLockInTheSameProcessIsRefusedAndNamesTheHolder) {
  makegood::testing::TempDir dir;
  const std::string database = dir.File("makegood.db");
  auto first = DatabaseLock::Acquire(database, kAdvice);
  ASSERT_TRUE(first.ok()) << first.status();
  const std::string lock = LockOf(database);
  EXPECT_EQ(ReadFileOrEmpty(lock), absl::StrCat(::getpid(), "\n"));
  // The database itself is not made: only its lock file.
  EXPECT_FALSE(std::filesystem::exists(database));

  auto second = DatabaseLock::Acquire(database, kAdvice);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(
      second.status().message(),
      absl::StrCat("another makegoodd (pid ", ::getpid(), ") is using ",
                   database, ": it holds the lock ", lock, "; ", kAdvice));
  // The refusal leaves the holder's pid where it was.
  EXPECT_EQ(ReadFileOrEmpty(lock), absl::StrCat(::getpid(), "\n"));
}

TEST(DatabaseLockTest, EveryPathToTheSameFileFindsTheSameLock) {
  makegood::testing::TempDir dir;
  const std::string database = dir.File("makegood.db");
  { std::ofstream(database) << ""; }
  const std::string link = dir.File("link.db");
  std::filesystem::create_symlink(database, link);
  auto held = DatabaseLock::Acquire(database, kAdvice);
  ASSERT_TRUE(held.ok()) << held.status();

  const std::string through_parent = absl::StrCat(
      dir.path(), "/../", std::filesystem::path(dir.path()).filename().string(),
      "/makegood.db");
  for (const std::string& other :
       {dir.path() + "/./makegood.db", through_parent, link}) {
    auto refused = DatabaseLock::Acquire(other, kAdvice);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition)
        << other;
    EXPECT_THAT(refused.status().message(),
                HasSubstr("it holds the lock " + LockOf(database) + ";"))
        << other;
  }
  // No lock file beside the link: one file, one lock.
  EXPECT_FALSE(std::filesystem::exists(link + ".lock"));
}

TEST(DatabaseLockTest, ALockHeldByAnotherProcessIsRefusedUntilThatProcessEnds) {
  makegood::testing::TempDir dir;
  const std::string database = dir.File("makegood.db");
  ChildHolder child(database);
  ASSERT_TRUE(child.locked()) << "the child process did not take the lock";
  const pid_t child_pid = child.pid();

  auto refused = DatabaseLock::Acquire(database, kAdvice);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(),
              HasSubstr(absl::StrCat("another makegoodd (pid ", child_pid,
                                     ") is using ", database)));
  EXPECT_THAT(refused.status().message(), HasSubstr(kAdvice));

  // Ended without releasing: its pid stays in the file, and blocks nothing.
  child.End();
  EXPECT_EQ(ReadFileOrEmpty(LockOf(database)), absl::StrCat(child_pid, "\n"));
  auto mine = DatabaseLock::Acquire(database, kAdvice);
  ASSERT_TRUE(mine.ok()) << mine.status();
  EXPECT_EQ(ReadFileOrEmpty(LockOf(database)), absl::StrCat(::getpid(), "\n"));
}

TEST(DatabaseLockTest, AHolderThatLeftNoPidIsRefusedWithoutOne) {
  makegood::testing::TempDir dir;
  const std::string database = dir.File("makegood.db");
  // Nothing, blanks, or something other than a pid in the file.
  for (const std::string& contents :
       {std::string(""), std::string(" \n"), std::string("12ab\n"),
        std::string("pid 77\n")}) {
    ForeignHolder holder(LockOf(database), contents);
    ASSERT_TRUE(holder.locked()) << std::strerror(errno);
    auto refused = DatabaseLock::Acquire(database, kAdvice);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition)
        << "'" << contents << "'";
    EXPECT_THAT(refused.status().message(),
                HasSubstr("another makegoodd is using " + database + ": "))
        << "'" << contents << "'";
    EXPECT_THAT(refused.status().message(), Not(HasSubstr("(pid")));
    EXPECT_EQ(ReadFileOrEmpty(LockOf(database)), contents);
  }
}

TEST(DatabaseLockTest, ReleaseEmptiesTheFileFreesTheLockAndMayBeRepeated) {
  makegood::testing::TempDir dir;
  const std::string database = dir.File("makegood.db");
  auto lock = DatabaseLock::Acquire(database, kAdvice);
  ASSERT_TRUE(lock.ok()) << lock.status();
  (*lock)->Release();
  // Emptied, never deleted: the next opener locks the same inode.
  ASSERT_TRUE(std::filesystem::exists(LockOf(database)));
  EXPECT_EQ(ReadFileOrEmpty(LockOf(database)), "");
  (*lock)->Release();
  EXPECT_EQ(ReadFileOrEmpty(LockOf(database)), "");

  auto again = DatabaseLock::Acquire(database, kAdvice);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(ReadFileOrEmpty(LockOf(database)), absl::StrCat(::getpid(), "\n"));
  // The first one's destructor, after its Release, leaves the second's lock.
  lock->reset();
  EXPECT_EQ(ReadFileOrEmpty(LockOf(database)), absl::StrCat(::getpid(), "\n"));
  auto refused = DatabaseLock::Acquire(database, kAdvice);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(DatabaseLockTest, ALockFileThatCannotBeOpenedIsInternalAndNamed) {
  makegood::testing::TempDir dir;
  const std::string in_missing = dir.File("no-such-dir/makegood.db");
  auto missing = DatabaseLock::Acquire(in_missing, kAdvice);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(missing.status().message(),
              HasSubstr("cannot open the lock file " + LockOf(in_missing) +
                        ": No such file or directory"));

  const std::string database = dir.File("makegood.db");
  ASSERT_TRUE(std::filesystem::create_directory(LockOf(database)));
  auto directory = DatabaseLock::Acquire(database, kAdvice);
  EXPECT_EQ(directory.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(directory.status().message(),
              HasSubstr("cannot open the lock file " + LockOf(database) +
                        ": Is a directory"));
  EXPECT_FALSE(std::filesystem::exists(database));
}

TEST(DatabaseLockTest, APathThatCannotBeResolvedIsLockedByTheNameGiven) {
  makegood::testing::TempDir dir;
  // A link to itself: no file it resolves to.
  const std::string loop = dir.File("loop.db");
  std::filesystem::create_symlink("loop.db", loop);
  auto lock = DatabaseLock::Acquire(loop, kAdvice);
  ASSERT_TRUE(lock.ok()) << lock.status();
  EXPECT_EQ(ReadFileOrEmpty(loop + ".lock"), absl::StrCat(::getpid(), "\n"));
  auto refused = DatabaseLock::Acquire(loop, kAdvice);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("it holds the lock " + loop + ".lock;"));
}

TEST(DatabaseLockTest, ALockOnAFullDiskHoldsThoughItsPidCannotBeWritten) {
  makegood::testing::TempDir dir;
  auto disk = makegood::testing::SmallDisk::Mount(dir.File("disk"), 1);
  ASSERT_TRUE(disk.ok()) << disk.status();
  const absl::Status filled = (*disk)->Fill();
  ASSERT_TRUE(filled.ok()) << filled;
  const std::string database = (*disk)->File("makegood.db");

  auto lock = DatabaseLock::Acquire(database, kAdvice);
  ASSERT_TRUE(lock.ok()) << lock.status();
  EXPECT_EQ(ReadFileOrEmpty(LockOf(database)), "");
  auto refused = DatabaseLock::Acquire(database, kAdvice);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("another makegoodd is using " + database));
}

TEST(DatabaseLockTest, TheLockFileIsGivenToTheDatabasesOwnerWhileHeld) {
  makegood::testing::TempDir dir;
  const std::string database = dir.File("makegood.db");
  { std::ofstream(database) << ""; }
  constexpr uid_t kUid = 4321;
  constexpr gid_t kGid = 4322;
  if (::chown(database.c_str(), kUid, kGid) != 0) {
    GTEST_SKIP() << "giving a file to another user needs root: "
                 << std::strerror(errno);
  }
  struct stat st;

  // A database that is not there yet has no owner to give the file to.
  const std::string absent = dir.File("absent.db");
  auto absent_lock = DatabaseLock::Acquire(absent, kAdvice);
  ASSERT_TRUE(absent_lock.ok()) << absent_lock.status();
  (*absent_lock)->GiveToOwnerOf(absent);
  ASSERT_EQ(::stat(LockOf(absent).c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, ::geteuid());

  auto lock = DatabaseLock::Acquire(database, kAdvice);
  ASSERT_TRUE(lock.ok()) << lock.status();
  (*lock)->GiveToOwnerOf(database);
  ASSERT_EQ(::stat(LockOf(database).c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kUid);
  EXPECT_EQ(st.st_gid, kGid);

  // Once released, it has nothing to give.
  ASSERT_EQ(::chown(database.c_str(), kUid + 1, kGid + 1), 0);
  (*lock)->Release();
  (*lock)->GiveToOwnerOf(database);
  ASSERT_EQ(::stat(LockOf(database).c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kUid);
  EXPECT_EQ(st.st_gid, kGid);
}

}  // namespace
}  // namespace makegood::store
