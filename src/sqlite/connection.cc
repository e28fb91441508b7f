#include "sqlite/connection.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace makegood::sqlite {
namespace {

// `path` as a "file:" URI (SQLite's uri.html): '%', '?' and '#' escaped, and
// an absolute path behind an empty authority ("file:///abs"), so that a path
// beginning with "//" is not read as a host.
std::string FileUri(const std::string& path) {
  std::string uri = path.empty() || path[0] != '/' ? "file:" : "file://";
  for (const char c : path) {
    switch (c) {
      case '%':
        uri += "%25";
        break;
      case '?':
        uri += "%3f";
        break;
      case '#':
        uri += "%23";
        break;
      default:
        uri += c;
    }
  }
  return uri;
}

}  // namespace

absl::Status SqliteError(sqlite3* db, absl::string_view context) {
  const int code = sqlite3_extended_errcode(db);
  std::string message = absl::StrCat(context, ": ", sqlite3_errmsg(db),
                                     " (sqlite code ", code, ")");
  absl::Status status;
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      status = absl::UnavailableError(message);
      break;
    case SQLITE_FULL:
      status = absl::ResourceExhaustedError(message);
      break;
    default:
      status = absl::InternalError(message);
  }
  status.SetPayload(kInternalDetailPayload, absl::Cord());
  status.SetPayload(kSqliteCodePayload, absl::Cord(absl::StrCat(code)));
  return status;
}

int SqliteCodeOf(const absl::Status& status) {
  const auto payload = status.GetPayload(kSqliteCodePayload);
  int code = SQLITE_OK;
  if (!payload || !absl::SimpleAtoi(std::string(*payload), &code)) {
    return SQLITE_OK;
  }
  return code;
}

Statement::~Statement() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Statement& Statement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::Bind(int index, absl::string_view text) {
  // A default string_view has no data pointer, which SQLite would bind as
  // NULL; an empty string is meant.
  sqlite3_bind_text(stmt_, index, text.data() ? text.data() : "",
                    static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::BindBlob(int index, absl::string_view bytes) {
  sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()),
                    SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Statement& Statement::BindOptional(int index, absl::string_view text) {
  return text.empty() ? BindNull(index) : Bind(index, text);
}

absl::StatusOr<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db_, sqlite3_sql(stmt_));
}

absl::Status Statement::Run() {
  for (;;) {
    auto row = Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
  }
  // Ready to be bound and run again within the same lease.
  sqlite3_reset(stmt_);
  return absl::OkStatus();
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int64_t Statement::Int(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string Statement::Text(int column) const {
  const auto* text =
      reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return text == nullptr
             ? std::string()
             : std::string(text, sqlite3_column_bytes(stmt_, column));
}

std::string Statement::Blob(int column) const {
  const auto* bytes =
      static_cast<const char*>(sqlite3_column_blob(stmt_, column));
  return bytes == nullptr
             ? std::string()
             : std::string(bytes, sqlite3_column_bytes(stmt_, column));
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(
    const std::string& path, bool read_only) {
  sqlite3* db = nullptr;
  // NOMUTEX: each connection is used by one thread at a time.
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    absl::Status status = SqliteError(db, absl::StrCat("open ", path));
    sqlite3_close_v2(db);
    return status;
  }
  std::unique_ptr<Connection> connection(new Connection(db));
  sqlite3_extended_result_codes(db, 1);
  absl::Status status = connection->Exec(
      "PRAGMA busy_timeout=5000;"
      "PRAGMA foreign_keys=ON;"
      "PRAGMA synchronous=FULL;"
      // A 64 MiB page cache keeps the hot B-tree pages of a busy service
      // in memory between group commits.
      "PRAGMA cache_size=-65536;"
      // No connection checkpoints on commit: a checkpoint inside a commit
      // would stall every request queued behind it. The owner of the file
      // checkpoints (the store: its maintenance thread in the background,
      // and the writer between groups once the WAL has grown); SQLite
      // checkpoints when the last connection closes.
      "PRAGMA wal_autocheckpoint=0;");
  if (!status.ok()) return status;
  if (read_only) {
    status = connection->Exec("PRAGMA query_only=ON;");
  } else {
    // temp_store=MEMORY keeps statement journals in memory: the write
    // queue's per-job savepoints copy every page a job changes, and past
    // 64 KiB (a group of two jobs) SQLite would otherwise spill them to a
    // new temporary file, created and unlinked inside the group.
    status = connection->Exec(
        "PRAGMA journal_mode=WAL;"
        "PRAGMA temp_store=MEMORY;");
  }
  if (!status.ok()) return status;
  return connection;
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::OpenReadOnly(
    const std::string& path, bool immutable) {
  const std::string uri =
      absl::StrCat(FileUri(path), "?mode=ro", immutable ? "&immutable=1" : "");
  sqlite3* db = nullptr;
  const int flags =
      SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(uri.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    absl::Status status = SqliteError(db, absl::StrCat("open ", path));
    sqlite3_close_v2(db);
    return status;
  }
  sqlite3_extended_result_codes(db, 1);
  // No PRAGMA that writes, and none that changes the file's settings.
  sqlite3_busy_timeout(db, 5000);
  return std::unique_ptr<Connection>(new Connection(db));
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

absl::Status Connection::Exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    absl::Status status = SqliteError(db_, sql);
    sqlite3_free(error);
    return status;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Statement>> Connection::Prepare(
    const char* sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt,
                           nullptr) != SQLITE_OK) {
      return SqliteError(db_, absl::StrCat("prepare ", sql));
    }
    it = cache_.emplace(sql, stmt).first;
  }
  return std::unique_ptr<Statement>(new Statement(db_, it->second));
}

int64_t Connection::Changes() const { return sqlite3_changes64(db_); }

int64_t Connection::LastInsertRowId() const {
  return sqlite3_last_insert_rowid(db_);
}

}  // namespace makegood::sqlite
