#ifndef MAKEGOOD_LEDGER_LEDGER_FILE_H_
#define MAKEGOOD_LEDGER_LEDGER_FILE_H_

// A makegood database file opened to audit its ledger, without the daemon:
// `makegood ledger verify` and `makegood ledger head`.
//
// Invariants:
//  1. The file is only read: opened O_RDONLY (SQLITE_OPEN_READONLY), never
//     created, migrated or written, no writer thread, no cleanup.
//  2. A file with a -wal beside it (the live database while makegoodd runs,
//     or a copy taken with its -wal) is read through the -wal and -shm, as
//     any reader of a WAL-mode database: it sees every committed row. SQLite
//     needs the -shm for that, and creates it if it is missing and it may.
//  3. A file without a -wal (a lone copy, or the database of a stopped
//     makegoodd, whose -wal SQLite folds in and deletes on close) holds all
//     its rows itself, and is opened immutable=1: no locks, and no -wal or
//     -shm is created beside it, so a copy in a read-only directory or on
//     read-only media reads as well. Should a -wal appear during a read
//     (a makegoodd starting on the file), the read is done again through it.
//
// Errors, each naming the file: NOT_FOUND (no such file);
// FAILED_PRECONDITION (a directory, not a SQLite database, not a makegood
// database, no ledger table; a -wal that cannot be read); INTERNAL (SQLite
// failed otherwise). Not thread-safe: one thread uses a LedgerFile.

#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ledger/chain.h"
#include "sqlite/connection.h"

namespace makegood::ledger {

class LedgerFile {
 public:
  static absl::StatusOr<std::unique_ptr<LedgerFile>> Open(
      const std::string& path);
  LedgerFile(const LedgerFile&) = delete;
  LedgerFile& operator=(const LedgerFile&) = delete;
  ~LedgerFile();

  // Walks the whole chain (see ChainWalker), checking `expected` too.
  absl::StatusOr<ChainCheck> Verify(
      const std::optional<Head>& expected = std::nullopt);

  // The newest row; seq 0 when the ledger is empty.
  absl::StatusOr<Head> ReadHead();

  const std::string& path() const { return path_; }
  // True while the file is read as immutable (invariant 3).
  bool immutable() const { return immutable_; }

 private:
  LedgerFile(std::string path, std::unique_ptr<sqlite::Connection> db,
             bool immutable);

  // Runs `read` on the connection; again through the -wal when one
  // appeared while an immutable connection read (invariant 3).
  template <typename T, typename Read>
  absl::StatusOr<T> ReadConsistent(Read read);

  const std::string path_;
  std::unique_ptr<sqlite::Connection> db_;
  bool immutable_;
};

}  // namespace makegood::ledger

#endif  // MAKEGOOD_LEDGER_LEDGER_FILE_H_
