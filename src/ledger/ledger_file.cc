#include "ledger/ledger_file.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ledger/ledger_table.h"

namespace makegood::ledger {
namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::string WalOf(const std::string& path) { return path + "-wal"; }

absl::Status OpenError(const std::string& path, const absl::Status& status) {
  return absl::FailedPreconditionError(
      absl::StrCat(path, ": cannot open it: ", status.message()));
}

// A failed read of `path`, in words an auditor can act on. SQLite's error
// code is still the connection's: nothing ran on it since.
absl::Status ReadError(const std::string& path, sqlite::Connection& db,
                       bool immutable, const absl::Status& status) {
  switch (sqlite3_extended_errcode(db.raw()) & 0xff) {
    case SQLITE_NOTADB:
      return absl::FailedPreconditionError(absl::StrCat(
          path, " is not a makegood database: it is not a SQLite database"));
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
      if (!immutable) {
        return absl::FailedPreconditionError(absl::StrCat(
            path, ": ", WalOf(path), " is there but cannot be read from here (",
            status.message(),
            "); reading it needs its -shm beside it, or the right to create "
            "one: copy the database with its -wal to a writable directory"));
      }
      break;
    default:
      break;
  }
  return absl::Status(status.code(),
                      absl::StrCat(path, ": ", status.message()));
}

}  // namespace

LedgerFile::LedgerFile(std::string path, std::unique_ptr<sqlite::Connection> db,
                       bool immutable)
    : path_(std::move(path)), db_(std::move(db)), immutable_(immutable) {}

LedgerFile::~LedgerFile() = default;

template <typename T, typename Read>
absl::StatusOr<T> LedgerFile::ReadConsistent(Read read) {
  absl::StatusOr<T> result = read(*db_, immutable_);
  if (!immutable_ || !Exists(WalOf(path_))) return result;
  // A writer opened the file meanwhile. What it commits goes to the -wal,
  // which an immutable connection does not see: read again through it.
  auto db = sqlite::Connection::OpenReadOnly(path_, /*immutable=*/false);
  if (!db.ok()) return OpenError(path_, db.status());
  db_ = *std::move(db);
  immutable_ = false;
  return read(*db_, immutable_);
}

absl::StatusOr<std::unique_ptr<LedgerFile>> LedgerFile::Open(
    const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return absl::NotFoundError(absl::StrCat(path, ": no such file"));
    }
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": ", std::strerror(errno)));
  }
  if (S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " is a directory, not a database file"));
  }
  const bool immutable = !Exists(WalOf(path));
  auto db = sqlite::Connection::OpenReadOnly(path, immutable);
  if (!db.ok()) return OpenError(path, db.status());
  std::unique_ptr<LedgerFile> file(
      new LedgerFile(path, *std::move(db), immutable));

  // Which of the makegood tables are there, read as the rows will be.
  struct Tables {
    bool ledger = false;
    bool makegood = false;  // order_events, from the first migration.
  };
  auto tables = file->ReadConsistent<Tables>(
      [&path](sqlite::Connection& db,
              bool immutable) -> absl::StatusOr<Tables> {
        auto query = db.Prepare(
            "SELECT "
            "(SELECT count(*) FROM sqlite_master "
            " WHERE type='table' AND name='ledger'), "
            "(SELECT count(*) FROM sqlite_master "
            " WHERE type='table' AND name='order_events')");
        if (!query.ok()) return ReadError(path, db, immutable, query.status());
        auto row = (*query)->Step();
        if (!row.ok()) return ReadError(path, db, immutable, row.status());
        return Tables{(*query)->Int(0) > 0, (*query)->Int(1) > 0};
      });
  if (!tables.ok()) return tables.status();
  if (!tables->ledger) {
    return absl::FailedPreconditionError(
        tables->makegood
            ? absl::StrCat(path,
                           " is a makegood database without a ledger "
                           "table (written before the ledger existed)")
            : absl::StrCat(path,
                           " is not a makegood database: it has no makegood "
                           "tables"));
  }
  return file;
}

absl::StatusOr<ChainCheck> LedgerFile::Verify(
    const std::optional<Head>& expected) {
  return ReadConsistent<ChainCheck>(
      [this, &expected](sqlite::Connection& db,
                        bool immutable) -> absl::StatusOr<ChainCheck> {
        auto check = WalkLedgerTable(db, expected);
        if (!check.ok()) return ReadError(path_, db, immutable, check.status());
        return check;
      });
}

absl::StatusOr<Head> LedgerFile::ReadHead() {
  return ReadConsistent<Head>(
      [this](sqlite::Connection& db, bool immutable) -> absl::StatusOr<Head> {
        auto head = ReadLedgerHead(db);
        if (!head.ok()) return ReadError(path_, db, immutable, head.status());
        return head;
      });
}

}  // namespace makegood::ledger
