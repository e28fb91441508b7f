#ifndef MAKEGOOD_SQLITE_CONNECTION_H_
#define MAKEGOOD_SQLITE_CONNECTION_H_

// A SQLite connection with the project's pragmas and a cache of prepared
// statements, shared by the daemon's store and the adapters' own state
// files. Not thread-safe: one thread uses a connection at a time (in the
// store, the writer thread owns the write connection and readers lease
// theirs from a pool; an adapter keeps its one connection behind a mutex).

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace makegood::sqlite {

// Marks a status whose message is internal detail (SQL text, file paths):
// a server shows it to no client, only to its log.
inline constexpr char kInternalDetailPayload[] = "makegood.internal_detail";
// The payload holding SqliteError's extended result code, in decimal.
inline constexpr char kSqliteCodePayload[] = "makegood.sqlite_code";

// A cached prepared statement, reset and unbound when the lease ends.
class Statement {
 public:
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, absl::string_view text);
  Statement& BindBlob(int index, absl::string_view bytes);
  Statement& BindNull(int index);
  // Binds NULL when `text` is empty.
  Statement& BindOptional(int index, absl::string_view text);

  // Runs one step: true when a row is available, false when done.
  absl::StatusOr<bool> Step();
  // Runs to completion, ignoring rows, then resets (bindings stay) so the
  // statement may be bound and run again.
  absl::Status Run();

  bool IsNull(int column) const;
  int64_t Int(int column) const;
  std::string Text(int column) const;
  std::string Blob(int column) const;

 private:
  friend class Connection;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// Steps `stmt` to the end, calling `row_fn(stmt)` (returning absl::Status)
// for each row; stops at the first error, of SQLite or of `row_fn`.
template <typename RowFn>
absl::Status ForEachRow(Statement& stmt, RowFn row_fn) {
  for (;;) {
    auto more = stmt.Step();
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
    if (absl::Status s = row_fn(stmt); !s.ok()) return s;
  }
}

class Connection {
 public:
  // Opens (creating if asked) the database at `path` with WAL,
  // synchronous=FULL and foreign keys on. `read_only` connections refuse
  // writes (PRAGMA query_only).
  static absl::StatusOr<std::unique_ptr<Connection>> Open(
      const std::string& path, bool read_only);

  // Opens the existing database at `path` for reading only, for a tool that
  // inspects a file it does not own (a live database or a copy): SQLite
  // opens the file O_RDONLY (SQLITE_OPEN_READONLY, and mode=ro in a "file:"
  // URI), so nothing is created, migrated or written, and sets no pragma
  // but the busy timeout. With `immutable` (immutable=1) SQLite also takes
  // no locks and neither opens nor creates a -wal or -shm file: for a file
  // nothing writes to, whose -wal is absent (the -wal's content would not
  // be seen). Without it, a WAL-mode database is read through its -wal and
  // -shm, which SQLite creates when they are missing and it may.
  static absl::StatusOr<std::unique_ptr<Connection>> OpenReadOnly(
      const std::string& path, bool immutable);

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs one or more statements without results.
  absl::Status Exec(const char* sql);

  // A prepared statement for `sql`, prepared once per connection. The
  // returned lease resets it; only one lease per SQL text at a time.
  absl::StatusOr<std::unique_ptr<Statement>> Prepare(const char* sql);

  // Rows changed by the last INSERT, UPDATE or DELETE.
  int64_t Changes() const;
  int64_t LastInsertRowId() const;

  sqlite3* raw() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::map<std::string, sqlite3_stmt*> cache_;
};

// A status naming the SQLite error (UNAVAILABLE when busy or locked,
// RESOURCE_EXHAUSTED when the disk is full, else INTERNAL), for the
// callers' own use: never shown to a remote client. It also carries the
// extended result code, for SqliteCodeOf.
absl::Status SqliteError(sqlite3* db, absl::string_view context);

// The SQLite extended result code of a status made by SqliteError (e.g.
// SQLITE_IOERR_WRITE), or SQLITE_OK (0) for any other status: a program
// tells a full or failing disk from a bad statement without reading the
// message.
int SqliteCodeOf(const absl::Status& status);

}  // namespace makegood::sqlite

#endif  // MAKEGOOD_SQLITE_CONNECTION_H_
