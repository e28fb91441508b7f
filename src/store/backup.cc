#include "store/backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <system_error>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "ledger/ledger_file.h"
#include "sqlite/connection.h"
#include "store/database_lock.h"

namespace makegood::store {
namespace {

// How long a step that found the source or the copy busy waits before the
// next try (within BackupOptions::max_duration).
constexpr int kBusyPauseMs = 50;
// Lines of PRAGMA integrity_check shown in an error.
constexpr int kIntegrityLinesShown = 3;
// What a restore renames a stale -wal, -shm or -journal to until the
// restored file is in place ("makegood.db-wal.replaced").
constexpr char kReplacedSuffix[] = ".replaced";

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::string DirectoryOf(const std::string& path) {
  const std::string parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? "." : parent;
}

// An errno of the file system as a status whose code says what to do.
absl::Status ErrnoError(int error, absl::string_view what) {
  const std::string message = absl::StrCat(what, ": ", std::strerror(error));
  switch (error) {
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(message);
    case EACCES:
    case EPERM:
    case EROFS:
    case EISDIR:
    case ENAMETOOLONG:
    case ELOOP:
      return absl::FailedPreconditionError(message);
    case ENOSPC:
    case EDQUOT:
      return absl::ResourceExhaustedError(message);
    default:
      return absl::InternalError(message);
  }
}

// The file `path` names: where it is a symbolic link, the file at its end
// (which need not exist yet), as SQLite opens it and DatabaseLock locks
// beside it; else `path` itself.
std::string FileALinkNames(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_symlink(path, error)) return path;
  const std::filesystem::path resolved =
      std::filesystem::weakly_canonical(path, error);
  return error ? path : resolved.string();
}

// `path` must be an existing directory (the destination's).
absl::Status CheckDirectory(const std::string& path,
                            const std::string& for_file) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat("the directory ", path, " of ",
                                            for_file, " does not exist"));
  }
  if (!S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, " (the directory of ", for_file, ") is not a directory"));
  }
  return absl::OkStatus();
}

absl::Status SyncPath(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return ErrnoError(errno, absl::StrCat("cannot open ", path));
  const int synced = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (synced != 0) return ErrnoError(error, absl::StrCat("cannot sync ", path));
  return absl::OkStatus();
}

absl::Status SyncFile(const std::string& path) {
  return SyncPath(path, O_RDONLY);
}

// A renamed or new name is durable once its directory is synced.
absl::Status SyncDirectory(const std::string& path) {
  return SyncPath(path, O_RDONLY | O_DIRECTORY);
}

// The files SQLite may make beside a database file.
constexpr const char* kSqliteSidecars[] = {"-journal", "-wal", "-shm"};

// Whether `name` is "<prefix>-XXXXXX" as mkostemp(3) makes it from
// "<prefix>-XXXXXX".
bool IsTemporaryOf(absl::string_view name, absl::string_view prefix) {
  constexpr size_t kRandom = 6;
  if (name.size() != prefix.size() + 1 + kRandom ||
      !absl::StartsWith(name, prefix) || name[prefix.size()] != '-') {
    return false;
  }
  const absl::string_view random = name.substr(prefix.size() + 1);
  return std::all_of(random.begin(), random.end(),
                     [](char c) { return absl::ascii_isalnum(c); });
}

// A file being written beside its final name (invariant 3), deleted with
// the files SQLite may have made beside it when it goes out of scope: after
// a rename its name is free, and the deletion finds nothing. It is held
// under an exclusive flock(2) while it lives (invariant 6).
class TempFile {
 public:
  // Creates "<prefix>-XXXXXX", empty, mode 0600, and locks it.
  static absl::StatusOr<std::unique_ptr<TempFile>> Create(
      const std::string& prefix) {
    // A RemoveAbandoned between mkostemp and flock may take the new file
    // for an abandoned one and delete it: then its name no longer leads to
    // the file locked, and another is made.
    for (int attempt = 0; attempt < 3; ++attempt) {
      std::string name = prefix + "-XXXXXX";
      const int fd = ::mkostemp(name.data(), O_CLOEXEC);
      if (fd < 0) {
        return ErrnoError(errno, absl::StrCat("cannot create a file in ",
                                              DirectoryOf(prefix)));
      }
      if (::flock(fd, LOCK_EX) != 0) {
        const int error = errno;
        ::close(fd);
        ::unlink(name.c_str());
        return ErrnoError(error, absl::StrCat("cannot lock ", name));
      }
      struct stat locked;
      struct stat named;
      if (::fstat(fd, &locked) == 0 && ::stat(name.c_str(), &named) == 0 &&
          locked.st_dev == named.st_dev && locked.st_ino == named.st_ino) {
        return std::unique_ptr<TempFile>(new TempFile(std::move(name), fd));
      }
      ::close(fd);
    }
    return absl::InternalError(
        absl::StrCat("cannot create a file in ", DirectoryOf(prefix),
                     ": each one made was deleted at once"));
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    ::unlink(path_.c_str());
    for (const char* suffix : kSqliteSidecars) {
      ::unlink(absl::StrCat(path_, suffix).c_str());
    }
    // Last: no SQLite connection is open on the file by now, so closing
    // this descriptor drops none of SQLite's POSIX locks on it.
    ::close(fd_);
  }

  const std::string& path() const { return path_; }

 private:
  TempFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

  const std::string path_;
  const int fd_;
};

// Deletes the files of `directory` that `is_temporary` names and that no
// process holds (invariant 6), each with its SQLite files; returns their
// paths. One being written is locked by its writer and left alone.
absl::StatusOr<std::vector<std::string>> RemoveAbandoned(
    const std::string& directory,
    const std::function<bool(absl::string_view)>& is_temporary) {
  std::vector<std::string> names;
  std::error_code error;
  for (std::filesystem::directory_iterator it(directory, error), end;
       !error && it != end; it.increment(error)) {
    std::string name = it->path().filename().string();
    // A link is no temporary of ours, whatever it is named.
    if (is_temporary(name) && !it->is_symlink(error) &&
        it->is_regular_file(error)) {
      names.push_back(std::move(name));
    }
  }
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot list ", directory, ": ", error.message()));
  }
  std::sort(names.begin(), names.end());
  std::vector<std::string> removed;
  for (const std::string& name : names) {
    const std::string path = (std::filesystem::path(directory) / name).string();
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
      if (errno == ENOENT) continue;  // Finished meanwhile.
      return ErrnoError(errno, absl::StrCat("cannot open ", path));
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int lock_error = errno;
      ::close(fd);
      if (lock_error == EWOULDBLOCK) continue;  // Being written.
      return ErrnoError(lock_error, absl::StrCat("cannot lock ", path));
    }
    const bool unlinked = ::unlink(path.c_str()) == 0 || errno == ENOENT;
    const int unlink_error = errno;
    ::close(fd);
    if (!unlinked) {
      return ErrnoError(unlink_error, absl::StrCat("cannot remove ", path));
    }
    for (const char* suffix : kSqliteSidecars) {
      ::unlink(absl::StrCat(path, suffix).c_str());
    }
    removed.push_back(path);
  }
  return removed;
}

// The copy's connection: a plain SQLite file in its default rollback mode,
// so that nothing but the file (and, while a step commits, its -journal)
// is written.
class CopyConnection {
 public:
  static absl::StatusOr<std::unique_ptr<CopyConnection>> Open(
      const std::string& path) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      absl::Status status =
          sqlite::SqliteError(db, absl::StrCat("open ", path));
      sqlite3_close_v2(db);
      return status;
    }
    sqlite3_extended_result_codes(db, 1);
    return std::unique_ptr<CopyConnection>(new CopyConnection(db));
  }
  CopyConnection(const CopyConnection&) = delete;
  CopyConnection& operator=(const CopyConnection&) = delete;
  ~CopyConnection() { sqlite3_close_v2(db_); }

  sqlite3* raw() const { return db_; }

 private:
  explicit CopyConnection(sqlite3* db) : db_(db) {}

  sqlite3* const db_;
};

// What a failed copy says, by the SQLite code the backup API left on the
// copy's connection.
absl::Status CopyError(sqlite3* copy, int code, const std::string& source) {
  const std::string detail =
      absl::StrCat(sqlite3_errstr(code), ": ", sqlite3_errmsg(copy),
                   " (sqlite code ", code, ")");
  switch (code & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::DataLossError(absl::StrCat(
          source, " cannot be copied, it is damaged (", detail,
          "): check it with `makegood ledger verify --db ", source, "`"));
    case SQLITE_FULL:
      return absl::ResourceExhaustedError(absl::StrCat(
          "the copy of ", source, " does not fit on the disk (", detail, ")"));
    default:
      return absl::InternalError(
          absl::StrCat("the copy of ", source, " failed (", detail, ")"));
  }
}

// Copies `source` into the existing file `into` from one read snapshot of
// `source` (invariant 1): the number of pages copied.
absl::StatusOr<int64_t> CopyOnce(const std::string& source, bool immutable,
                                 const std::string& into,
                                 const BackupOptions& options,
                                 absl::Time deadline) {
  auto from = sqlite::Connection::OpenReadOnly(source, immutable);
  if (!from.ok()) {
    return absl::Status(from.status().code(),
                        absl::StrCat(source, ": ", from.status().message()));
  }
  // The backup API opens a read transaction per step when none is open,
  // and starts again from the first page whenever the source changed
  // between steps: under makegoodd's steady commits it might never finish.
  // Holding one read transaction across every step copies one snapshot;
  // in WAL mode that blocks no writer.
  absl::Status snapshot = (*from)->Exec("BEGIN");
  if (snapshot.ok()) {
    snapshot = (*from)->Exec("SELECT count(*) FROM sqlite_master");
  }
  if (!snapshot.ok()) {
    return absl::Status(snapshot.code(),
                        absl::StrCat(source, ": ", snapshot.message()));
  }
  auto copy = CopyConnection::Open(into);
  if (!copy.ok()) return copy.status();
  sqlite3_backup* backup =
      sqlite3_backup_init((*copy)->raw(), "main", (*from)->raw(), "main");
  if (backup == nullptr) {
    return CopyError((*copy)->raw(), sqlite3_extended_errcode((*copy)->raw()),
                     source);
  }
  int rc = SQLITE_OK;
  for (;;) {
    rc = sqlite3_backup_step(backup, options.pages_per_step);
    if (rc == SQLITE_DONE) break;
    if (rc == SQLITE_OK && options.after_step) options.after_step();
    const int primary = rc & 0xff;
    if (rc != SQLITE_OK && primary != SQLITE_BUSY && primary != SQLITE_LOCKED) {
      break;
    }
    if (absl::Now() >= deadline) {
      const int total = sqlite3_backup_pagecount(backup);
      const int left = sqlite3_backup_remaining(backup);
      sqlite3_backup_finish(backup);
      return absl::DeadlineExceededError(absl::StrCat(
          "the copy of ", source, " did not finish within ",
          absl::FormatDuration(options.max_duration), " (", total - left,
          " of ", total,
          " pages copied); nothing was kept: try again when the disk is "
          "less busy"));
    }
    if (rc != SQLITE_OK) sqlite3_sleep(kBusyPauseMs);
  }
  const int64_t pages = sqlite3_backup_pagecount(backup);
  // The step's error, if any, is finish's too, and its message is left on
  // the copy's connection.
  const int finished = sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE || finished != SQLITE_OK) {
    return CopyError(
        (*copy)->raw(),
        finished != SQLITE_OK ? sqlite3_extended_errcode((*copy)->raw()) : rc,
        source);
  }
  return pages;
}

// Copies `source` into `into` (invariants 1 and 2).
absl::StatusOr<int64_t> CopyDatabase(const std::string& source,
                                     const std::string& into,
                                     const BackupOptions& options) {
  const absl::Time deadline = absl::Now() + options.max_duration;
  const std::string wal = source + "-wal";
  const bool immutable = !Exists(wal);
  auto pages = CopyOnce(source, immutable, into, options, deadline);
  if (!pages.ok() || !immutable || !Exists(wal)) return pages;
  // A makegoodd opened the file meanwhile: what it committed is in the
  // -wal, which an immutable read does not see. Again, through it.
  if (::truncate(into.c_str(), 0) != 0) {
    return ErrnoError(errno, absl::StrCat("cannot empty ", into));
  }
  return CopyOnce(source, /*immutable=*/false, into, options, deadline);
}

// PRAGMA integrity_check of `path`, read as LedgerFile reads it.
absl::Status CheckIntegrity(const std::string& path) {
  auto db = sqlite::Connection::OpenReadOnly(path, !Exists(path + "-wal"));
  if (!db.ok()) {
    return absl::Status(db.status().code(),
                        absl::StrCat(path, ": ", db.status().message()));
  }
  auto check = (*db)->Prepare("PRAGMA integrity_check");
  std::vector<std::string> found;
  absl::Status status = check.status();
  if (status.ok()) {
    status = sqlite::ForEachRow(**check, [&found](sqlite::Statement& row) {
      found.push_back(row.Text(0));
      return absl::OkStatus();
    });
  }
  if (!status.ok()) {
    const int code = sqlite::SqliteCodeOf(status) & 0xff;
    if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
      return absl::DataLossError(
          absl::StrCat(path, " is damaged: ", status.message()));
    }
    return absl::Status(status.code(),
                        absl::StrCat(path, ": ", status.message()));
  }
  if (found.size() == 1 && found[0] == "ok") return absl::OkStatus();
  const size_t shown =
      std::min<size_t>(found.size(), static_cast<size_t>(kIntegrityLinesShown));
  return absl::DataLossError(absl::StrCat(
      path, " is damaged: PRAGMA integrity_check found ", found.size(),
      found.size() == 1 ? " problem: " : " problems: ",
      absl::StrJoin(found.begin(), found.begin() + shown, "; "),
      shown < found.size() ? "; ..." : ""));
}

// Gives `name`'s final name to `temp`, never replacing a file (invariant 4).
absl::Status NameWithoutReplacing(const std::string& temp,
                                  const std::string& name) {
  if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, name.c_str(),
                  RENAME_NOREPLACE) == 0) {
    return absl::OkStatus();
  }
  int error = errno;
  if (error == EINVAL || error == ENOSYS || error == ENOTSUP) {
    // A file system without RENAME_NOREPLACE: link(2) fails just as
    // atomically when the name is taken. The temporary name goes with
    // the TempFile.
    if (::link(temp.c_str(), name.c_str()) == 0) return absl::OkStatus();
    error = errno;
  }
  if (error == EEXIST) {
    return absl::AlreadyExistsError(
        absl::StrCat(name,
                     " appeared while the backup was taken; it was not "
                     "overwritten, and the copy was deleted"));
  }
  return ErrnoError(error, absl::StrCat("cannot name the backup ", name));
}

// Gives `temp` the owner, group and mode of `database`, when it exists, so
// that makegoodd (its own user) can write the restored file.
absl::Status TakeOwnershipOf(const std::string& database,
                             const std::string& temp) {
  struct stat st;
  if (::stat(database.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return ErrnoError(errno, absl::StrCat("cannot read ", database));
  }
  if (::chmod(temp.c_str(), st.st_mode & 07777) != 0) {
    return ErrnoError(errno, absl::StrCat("cannot set the mode of ", temp));
  }
  if (st.st_uid == ::geteuid() && st.st_gid == ::getegid()) {
    return absl::OkStatus();
  }
  if (::chown(temp.c_str(), st.st_uid, st.st_gid) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot give the restored file the owner of ", database, " (uid ",
        st.st_uid, ", gid ", st.st_gid, "): ", std::strerror(errno),
        "; run makegood restore as that user or as root; nothing was "
        "changed"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ledger::ChainCheck> VerifyDatabaseFile(const std::string& path) {
  // First: its messages for a file that is missing or no makegood database.
  auto file = ledger::LedgerFile::Open(path);
  if (!file.ok()) return file.status();
  if (absl::Status s = CheckIntegrity(path); !s.ok()) return s;
  auto check = (*file)->Verify();
  if (!check.ok()) return check.status();
  if (!check->intact) {
    return absl::DataLossError(
        absl::StrCat(path, ": the ledger is broken at row ", check->bad_seq,
                     " of ", check->rows, ": ", check->problem));
  }
  return check;
}

absl::StatusOr<BackupResult> BackupDatabase(const std::string& source,
                                            const std::string& destination,
                                            const BackupOptions& options) {
  // The directory first, as a restore checks it: a file where it is meant
  // is the same FAILED_PRECONDITION for both.
  const std::string directory = DirectoryOf(destination);
  if (absl::Status s = CheckDirectory(directory, destination); !s.ok()) {
    return s;
  }
  struct stat st;
  if (::lstat(destination.c_str(), &st) == 0) {
    return absl::AlreadyExistsError(absl::StrCat(
        destination,
        " already exists: a backup never overwrites a file; name a new "
        "file, or a directory to put the backup in"));
  }
  if (errno != ENOENT) {
    return ErrnoError(errno, absl::StrCat("cannot check ", destination));
  }
  // Its messages for a source that is missing or no makegood database,
  // before anything is written.
  if (auto file = ledger::LedgerFile::Open(source); !file.ok()) {
    return file.status();
  }
  auto temp = TempFile::Create(destination + ".partial");
  if (!temp.ok()) return temp.status();
  auto pages = CopyDatabase(source, (*temp)->path(), options);
  if (!pages.ok()) return pages.status();
  if (absl::Status s = SyncFile((*temp)->path()); !s.ok()) return s;
  auto check = VerifyDatabaseFile((*temp)->path());
  if (!check.ok()) {
    return absl::Status(
        check.status().code(),
        absl::StrCat("the copy of ", source,
                     " does not verify, so it was deleted (",
                     check.status().message(),
                     "); the database itself may be damaged or changed: "
                     "check it with `makegood ledger verify --db ",
                     source, "`"));
  }
  if (absl::Status s = NameWithoutReplacing((*temp)->path(), destination);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = SyncDirectory(directory); !s.ok()) return s;
  return BackupResult{.path = destination,
                      .head = check->head,
                      .ledger_rows = check->rows,
                      .pages = *pages};
}

absl::StatusOr<RestoreResult> RestoreDatabase(const std::string& backup,
                                              const std::string& named,
                                              const BackupOptions& options) {
  const std::string database = FileALinkNames(named);
  struct stat st;
  if (::stat(database.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(database, " is a directory, not a database file"));
  }
  const std::string directory = DirectoryOf(database);
  if (absl::Status s = CheckDirectory(directory, database); !s.ok()) return s;
  // Held for the whole restore, as makegoodd holds it while it serves:
  // neither can start while the other runs.
  auto lock = DatabaseLock::Acquire(
      database,
      "stop it first (systemctl stop makegoodd), then restore; nothing was "
      "changed");
  // A running makegoodd is no usage error: UNAVAILABLE, as a server that
  // says no.
  if (absl::IsFailedPrecondition(lock.status())) {
    return absl::UnavailableError(lock.status().message());
  }
  if (!lock.ok()) return lock.status();
  (*lock)->GiveToOwnerOf(database);
  // A restore that stopped midway left its copy; none runs now but this one.
  const std::string restoring = database + ".restoring";
  auto abandoned = RemoveAbandoned(
      directory,
      [name = std::filesystem::path(restoring).filename().string()](
          absl::string_view file) { return IsTemporaryOf(file, name); });
  if (!abandoned.ok()) return abandoned.status();

  const auto nothing_changed = [&database](const absl::Status& status) {
    return absl::Status(status.code(), absl::StrCat(status.message(),
                                                    "; nothing was restored, ",
                                                    database, " is as it was"));
  };
  auto verified = VerifyDatabaseFile(backup);
  if (!verified.ok()) return nothing_changed(verified.status());
  auto temp = TempFile::Create(restoring);
  if (!temp.ok()) return nothing_changed(temp.status());
  auto pages = CopyDatabase(backup, (*temp)->path(), options);
  if (!pages.ok()) return nothing_changed(pages.status());
  if (absl::Status s = TakeOwnershipOf(database, (*temp)->path()); !s.ok()) {
    return s;
  }
  if (absl::Status s = SyncFile((*temp)->path()); !s.ok()) {
    return nothing_changed(s);
  }
  auto copied = VerifyDatabaseFile((*temp)->path());
  if (!copied.ok()) return nothing_changed(copied.status());
  if (copied->head.seq != verified->head.seq ||
      copied->head.hash != verified->head.hash) {
    return nothing_changed(absl::DataLossError(
        absl::StrCat("the copy of ", backup, " ends at ledger row ",
                     ledger::FormatHead(copied->head), ", the backup at ",
                     ledger::FormatHead(verified->head))));
  }

  RestoreResult result;
  result.removed = *std::move(abandoned);
  // Before the rename: SQLite would replay an old -wal or -journal into the
  // restored file. The makegoodd that left them is stopped (we hold its
  // lock), and what they hold belongs to the file being replaced: until the
  // restored file has its name they are only moved aside, so that a
  // restore that fails puts the old database back whole, uncommitted
  // journal and unfolded WAL included.
  std::vector<std::string> aside;  // The stale files moved, in order.
  const auto put_back = [&aside] {
    for (const std::string& stale : aside) {
      ::rename(absl::StrCat(stale, kReplacedSuffix).c_str(), stale.c_str());
    }
  };
  for (const char* suffix : kSqliteSidecars) {
    const std::string stale = database + suffix;
    if (::rename(stale.c_str(), absl::StrCat(stale, kReplacedSuffix).c_str()) ==
        0) {
      aside.push_back(stale);
    } else if (errno != ENOENT) {
      const absl::Status status =
          ErrnoError(errno, absl::StrCat("cannot move ", stale, " aside to ",
                                         stale, kReplacedSuffix));
      put_back();
      return nothing_changed(status);
    }
  }
  if (::rename((*temp)->path().c_str(), database.c_str()) != 0) {
    const absl::Status status = ErrnoError(
        errno, absl::StrCat("cannot put the restored file at ", database));
    put_back();
    return nothing_changed(status);
  }
  for (const std::string& stale : aside) {
    // Left behind when it cannot go: a file no SQLite reads, named so.
    if (::unlink(absl::StrCat(stale, kReplacedSuffix).c_str()) == 0) {
      result.removed.push_back(stale);
    }
  }
  if (absl::Status s = SyncDirectory(directory); !s.ok()) return s;
  result.restored = BackupResult{.path = database,
                                 .head = copied->head,
                                 .ledger_rows = copied->rows,
                                 .pages = *pages};
  return result;
}

std::string BackupFileName(absl::Time at) {
  return absl::FormatTime("makegood-%Y%m%dT%H%M%SZ.db", at,
                          absl::UTCTimeZone());
}

bool IsBackupFileName(absl::string_view name) {
  // makegood-YYYYMMDDTHHMMSSZ.db
  constexpr absl::string_view kPrefix = "makegood-";
  constexpr absl::string_view kSuffix = "Z.db";
  if (name.size() != kPrefix.size() + 8 + 1 + 6 + kSuffix.size() ||
      !absl::StartsWith(name, kPrefix) || !absl::EndsWith(name, kSuffix)) {
    return false;
  }
  const absl::string_view stamp = name.substr(kPrefix.size(), 15);
  for (size_t i = 0; i < stamp.size(); ++i) {
    const bool ok = i == 8 ? stamp[i] == 'T' : absl::ascii_isdigit(stamp[i]);
    if (!ok) return false;
  }
  return true;
}

std::vector<std::string> BackupsToPrune(std::vector<std::string> names,
                                        int keep, absl::string_view just_made) {
  names.erase(std::remove_if(names.begin(), names.end(),
                             [just_made](const std::string& name) {
                               return name == just_made ||
                                      !IsBackupFileName(name);
                             }),
              names.end());
  // The names sort by time; newest first.
  std::sort(names.begin(), names.end(), std::greater<>());
  const size_t others_kept =
      static_cast<size_t>(std::max(keep, 1) - (just_made.empty() ? 0 : 1));
  if (names.size() <= others_kept) return {};
  std::vector<std::string> pruned(names.begin() + others_kept, names.end());
  std::reverse(pruned.begin(), pruned.end());  // Oldest first.
  return pruned;
}

absl::StatusOr<std::vector<std::string>> PruneBackups(
    const std::string& directory, int keep, absl::string_view just_made) {
  std::vector<std::string> names;
  std::error_code error;
  for (std::filesystem::directory_iterator it(directory, error), end;
       !error && it != end; it.increment(error)) {
    if (it->is_regular_file(error)) {
      names.push_back(it->path().filename().string());
    }
  }
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot list ", directory, ": ", error.message()));
  }
  std::vector<std::string> removed;
  for (const std::string& name : BackupsToPrune(names, keep, just_made)) {
    const std::string path = (std::filesystem::path(directory) / name).string();
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return absl::InternalError(absl::StrCat(
          "cannot remove the old backup ", path, ": ", std::strerror(errno)));
    }
    removed.push_back(path);
    for (const char* suffix : {"-wal", "-shm"}) {
      ::unlink(absl::StrCat(path, suffix).c_str());
    }
  }
  return removed;
}

absl::StatusOr<std::vector<std::string>> RemoveAbandonedCopies(
    const std::string& directory) {
  return RemoveAbandoned(directory, [](absl::string_view name) {
    constexpr absl::string_view kPartial = ".partial-";
    const size_t at = name.rfind(kPartial);
    return at != absl::string_view::npos &&
           IsBackupFileName(name.substr(0, at)) &&
           IsTemporaryOf(name, name.substr(0, at + kPartial.size() - 1));
  });
}

}  // namespace makegood::store
