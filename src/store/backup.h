#ifndef MAKEGOOD_STORE_BACKUP_H_
#define MAKEGOOD_STORE_BACKUP_H_

// Backups of a makegood database file, and the way back: `makegood backup`
// and `makegood restore`. Neither talks to makegoodd; both work on files.
//
// Invariants:
//  1. A backup is taken online: the source is opened read-only (never
//     created, migrated or locked against makegoodd) and copied with
//     SQLite's online backup API inside one read transaction, so the copy
//     is one consistent snapshot: every transaction committed before the
//     copy began, none half. In WAL mode a reader never blocks the writer,
//     so makegoodd keeps committing meanwhile; the copy goes in steps of
//     BackupOptions::pages_per_step, and gives up after max_duration.
//  2. A source without a -wal (a stopped makegoodd) is read as immutable,
//     as ledger/ledger_file.h reads one, and copied again through the -wal
//     should one appear during the copy (a makegoodd starting on it).
//  3. A copy is written to a temporary file beside its destination
//     ("<name>.partial-XXXXXX", mode 0600: it holds guest contacts), synced,
//     and verified (PRAGMA integrity_check, then the ledger's hash chain
//     through ledger::LedgerFile, as `makegood ledger verify` checks it)
//     before it gets its name. Only a verified, synced copy carries the
//     final name; a failed one is deleted.
//  4. A backup never overwrites: its name is taken with
//     renameat2(RENAME_NOREPLACE) (or link(2) where that is not supported),
//     so a file that appears meanwhile is not replaced either.
//  5. A restore runs only while no makegoodd has the database: it takes the
//     store's own lock, an exclusive flock(2) on "<database>.lock" (the path
//     resolved as store/sqlite_store.cc resolves it), and holds it
//     throughout, so no makegoodd can start on the file midway. It verifies
//     the backup, copies it beside the database, verifies the copy, moves
//     the database's stale -wal, -shm and -journal aside (SQLite would
//     otherwise replay them into the restored file) to "<name>.replaced",
//     then renames the copy over the database, and only then deletes what
//     it moved aside: the path holds the old file with every file it had or
//     the whole backup, never a mix, and a restore that fails on the way
//     puts back what it moved. The restored file keeps the old file's
//     owner, group and mode. A database named through a symbolic link is
//     the file at the link's end, as SQLite and the lock take it: that file
//     is replaced, and the link stays.
//  6. A temporary file ("<name>.partial-XXXXXX", "<database>.restoring-
//     XXXXXX") is held under an exclusive flock(2) by the process writing
//     it, so one that no process holds was left by a backup or restore that
//     stopped midway (a crash, a kill, a power cut). Such files hold guest
//     contacts and can be as large as the database: a restore deletes the
//     ones of its database (it holds the database's lock, so no other
//     restore runs), and RemoveAbandonedCopies those of a directory of
//     backups. One being written is never touched.
//
// Errors, each naming the file: NOT_FOUND (no source, backup or directory);
// ALREADY_EXISTS (the backup's destination exists); FAILED_PRECONDITION (not
// a makegood database, a directory where a file is meant, a file that cannot
// be created or given its owner); UNAVAILABLE (restore: a makegoodd holds
// the database's lock); DATA_LOSS (a file that fails integrity_check or
// whose ledger is broken); DEADLINE_EXCEEDED (the copy took longer than
// max_duration); RESOURCE_EXHAUSTED (the disk is full); INTERNAL (SQLite or
// the file system failed otherwise).
//
// Thread-safe: the functions share no state. Two backups to one directory in
// the same second get the same name; the second is refused (invariant 4).

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ledger/chain.h"

namespace makegood::store {

struct BackupOptions {
  // Pages (4 KiB each by default) copied per step of the backup API.
  int pages_per_step = 1024;
  // The longest a copy may take; past it the copy is abandoned and deleted
  // (DEADLINE_EXCEEDED).
  absl::Duration max_duration = absl::Minutes(10);
  // Called on the caller's thread after each step that left pages to copy,
  // while the copy is under way: where tests do what another process might
  // do meanwhile. Empty: nothing is called.
  std::function<void()> after_step;
};

// A verified copy.
struct BackupResult {
  // Where the copy is (the destination, or the restored database).
  std::string path;
  // Its ledger's newest row; seq 0 when the ledger is empty.
  ledger::Head head;
  int64_t ledger_rows = 0;
  int64_t pages = 0;
};

// Copies the makegood database `source`, live or not, into the new file
// `destination`, whose directory must exist, and verifies the copy
// (invariants 1 to 4).
absl::StatusOr<BackupResult> BackupDatabase(
    const std::string& source, const std::string& destination,
    const BackupOptions& options = BackupOptions());

// Checks a makegood database file: PRAGMA integrity_check, then the whole
// ledger chain. Only reads (ledger::LedgerFile's invariants). The chain's
// walk, intact; DATA_LOSS otherwise.
absl::StatusOr<ledger::ChainCheck> VerifyDatabaseFile(const std::string& path);

// Replaces the database `database` (which need not exist; its directory
// must) with the backup `backup` (invariant 5). `removed` receives the stale
// files deleted beside the database.
struct RestoreResult {
  BackupResult restored;
  std::vector<std::string> removed;
};
absl::StatusOr<RestoreResult> RestoreDatabase(
    const std::string& backup, const std::string& database,
    const BackupOptions& options = BackupOptions());

// A directory of backups, as `makegood backup --to DIR --keep N` keeps it.
// Pure, but for PruneBackups.

// "makegood-YYYYMMDDTHHMMSSZ.db", `at` in UTC: names sort by time.
std::string BackupFileName(absl::Time at);

// Whether `name` (a file name, no directory) has exactly the form of
// BackupFileName. Other files of the directory are never pruned.
bool IsBackupFileName(absl::string_view name);

// Of `names` (file names in one directory, in any order), the backups to
// delete so that the newest `keep` remain (keep >= 1), oldest first; never
// `just_made`, which counts as one of the `keep` even if the clock put an
// older time in its name. Names that are not backups are ignored.
std::vector<std::string> BackupsToPrune(std::vector<std::string> names,
                                        int keep, absl::string_view just_made);

// Deletes from `directory` the backups BackupsToPrune names (each with its
// -wal and -shm, should a reader have left them); returns their paths.
// INTERNAL naming the file when one cannot be deleted (those before it
// are gone).
absl::StatusOr<std::vector<std::string>> PruneBackups(
    const std::string& directory, int keep, absl::string_view just_made);

// Deletes from `directory` the copies that backups to it left when they
// stopped midway ("<BackupFileName>.partial-XXXXXX" that no process holds,
// invariant 6), each with its -journal, -wal and -shm; returns their paths.
// Other files, symbolic links, and copies still being written stay. INTERNAL
// (or the file system's code) naming the file when one cannot be read or
// deleted.
absl::StatusOr<std::vector<std::string>> RemoveAbandonedCopies(
    const std::string& directory);

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_BACKUP_H_
