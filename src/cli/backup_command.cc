// `makegood backup` and `makegood restore`: a consistent, verified copy of
// the database file while makegoodd runs, and the way back while it is
// stopped (store/backup.h). Files only: no server, no token.

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cli/commands.h"
#include "ledger/chain.h"
#include "nlohmann/json.hpp"
#include "store/backup.h"

namespace makegood::cli {
namespace {

struct BackupArgs {
  std::string db = "var/makegood.db";
  std::string to;
  int keep = 0;  // 0: not given.
};

struct RestoreArgs {
  std::string from;
  std::string db = "var/makegood.db";
};

// What is wrong with the command line or its files is a usage error, as
// for `makegood ledger`; a copy that fails, a damaged file or a running
// makegoodd is not.
int ReportError(const absl::Status& status) {
  std::cerr << "makegood: " << status.message() << std::endl;
  switch (status.code()) {
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
      return kExitUsage;
    default:
      return kExitServerSaidNo;
  }
}

// Where a backup goes: `--to` itself (a new file), or a new name in the
// directory `--to` names.
struct Target {
  std::string path;
  std::string directory;  // "" for the file form.
  std::string name;       // The file name in `directory`.
};

Target FileTarget(const std::string& path) {
  Target target;
  target.path = path;
  return target;
}

absl::StatusOr<Target> ResolveTarget(const BackupArgs& args) {
  // --keep and a trailing '/' say that a directory is meant, which is
  // made if missing (its parent must exist), so that a timer's first run
  // on a fresh machine works.
  const bool directory_meant = args.keep > 0 || absl::EndsWith(args.to, "/");
  struct stat st;
  const bool exists = ::stat(args.to.c_str(), &st) == 0;
  if (exists && !S_ISDIR(st.st_mode)) {
    if (directory_meant) {
      return absl::FailedPreconditionError(
          absl::StrCat(args.to,
                       " is not a directory: --keep keeps a directory of "
                       "backups, give one"));
    }
    return FileTarget(args.to);  // BackupDatabase refuses it.
  }
  if (!exists && !directory_meant) return FileTarget(args.to);
  if (!exists && ::mkdir(args.to.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create the backup directory ", args.to, ": ",
                     std::strerror(errno)));
  }
  std::string directory = args.to;
  while (directory.size() > 1 && directory.back() == '/') directory.pop_back();
  const std::string name = store::BackupFileName(absl::Now());
  return Target{
      .path = absl::StrCat(directory, directory == "/" ? "" : "/", name),
      .directory = directory,
      .name = name};
}

int RunBackup(const ClientOptions& options, const BackupArgs& args) {
  auto target = ResolveTarget(args);
  if (!target.ok()) return ReportError(target.status());
  if (!target->directory.empty()) {
    // First: they hold guest contacts, and may be what fills the disk. One
    // that cannot go does not stop the backup.
    auto abandoned = store::RemoveAbandonedCopies(target->directory);
    if (!abandoned.ok()) {
      std::cerr << "makegood: warning: " << abandoned.status().message()
                << "; the backup goes on" << std::endl;
    } else {
      for (const std::string& path : *abandoned) {
        std::cerr << "makegood: removed " << path
                  << ", the unfinished copy of a backup that stopped midway"
                  << std::endl;
      }
    }
  }
  auto backup = store::BackupDatabase(args.db, target->path);
  if (!backup.ok()) return ReportError(backup.status());
  if (options.output == OutputFormat::kJson) {
    std::cout << nlohmann::json{{"backup", backup->path},
                                {"sequence", backup->head.seq},
                                {"hash", backup->head.hash},
                                {"ledger_rows", backup->ledger_rows}}
                     .dump()
              << std::endl;
  } else {
    std::cout << backup->path << " " << ledger::FormatHead(backup->head)
              << std::endl;
  }
  if (args.keep == 0) return kExitOk;
  auto pruned = store::PruneBackups(target->directory, args.keep, target->name);
  if (!pruned.ok()) return ReportError(pruned.status());
  for (const std::string& path : *pruned) {
    std::cerr << "makegood: removed the old backup " << path
              << " (keeping the newest " << args.keep << ")" << std::endl;
  }
  return kExitOk;
}

int RunRestore(const ClientOptions& options, const RestoreArgs& args) {
  auto restore = store::RestoreDatabase(args.from, args.db);
  if (!restore.ok()) return ReportError(restore.status());
  const store::BackupResult& restored = restore->restored;
  for (const std::string& path : restore->removed) {
    std::cerr << "makegood: removed the stale " << path << std::endl;
  }
  if (options.output == OutputFormat::kJson) {
    std::cout << nlohmann::json{{"database", restored.path},
                                {"backup", args.from},
                                {"sequence", restored.head.seq},
                                {"hash", restored.head.hash},
                                {"ledger_rows", restored.ledger_rows},
                                {"removed", restore->removed}}
                     .dump()
              << std::endl;
  } else {
    std::cout << "restored " << restored.path << " from " << args.from
              << ", ledger head " << ledger::FormatHead(restored.head)
              << std::endl;
  }
  return kExitOk;
}

}  // namespace

void AddBackupCommands(CLI::App& app, const ClientOptions& options,
                       int* exit_code) {
  auto backup_args = std::make_shared<BackupArgs>();
  CLI::App* backup = app.add_subcommand(
      "backup",
      "Copy the database file while makegoodd runs (no server, no token): "
      "SQLite's online backup reads one consistent snapshot, read-only, and "
      "makegoodd keeps writing meanwhile. The copy is checked "
      "(integrity_check and the ledger's hash chain) before it gets its "
      "name, so a file with that name is always a whole, verified backup. "
      "Prints `PATH SEQ:HASH`: the backup and its ledger head, as `makegood "
      "ledger head` prints it (0: for an empty ledger); keep the head "
      "elsewhere. Exit 0 done, 1 the copy failed or does not verify, 2 a "
      "bad --db or --to");
  backup
      ->add_option("--db", backup_args->db,
                   "The makegoodd database file, live or stopped; opened "
                   "read-only")
      ->capture_default_str();
  backup
      ->add_option(
          "--to", backup_args->to,
          "A new file (an existing one is never overwritten), or a "
          "directory: the backup is then DIR/makegood-YYYYMMDDTHHMMSSZ.db "
          "(UTC). With --keep, or ending in /, PATH is a directory, made "
          "(mode 0700) if missing. In a directory, the unfinished copies "
          "that a backup stopped midway left (makegood-*.db.partial-XXXXXX "
          "that no process holds) are deleted first")
      ->required();
  backup
      ->add_option("--keep", backup_args->keep,
                   "Directory form: after the backup, delete the oldest "
                   "makegood-YYYYMMDDTHHMMSSZ.db files of DIR beyond the "
                   "newest N (this one counted); other files stay")
      ->check(CLI::Range(1, 100000));
  backup->callback([&options, exit_code, backup_args] {
    *exit_code = RunBackup(options, *backup_args);
  });

  auto restore_args = std::make_shared<RestoreArgs>();
  CLI::App* restore = app.add_subcommand(
      "restore",
      "Put a backup back, with makegoodd stopped (systemctl stop makegoodd "
      "first; refused while a makegoodd holds --db's lock, DB.lock, which "
      "restore then holds itself so none can start midway). The backup is "
      "verified (integrity_check and the ledger chain) and copied beside "
      "--db, the copy verified again, --db's stale -wal, -shm and -journal "
      "moved aside, the copy renamed over --db, and only then what was moved "
      "aside deleted: --db is the old file with all it had or the whole "
      "backup, never a mix. The restored file keeps --db's owner and mode. "
      "Exit 0 restored, 1 refused (makegoodd running, a damaged backup) or "
      "failed, 2 a bad --from or --db; when refused, nothing was changed");
  restore
      ->add_option("--from", restore_args->from,
                   "The backup file, as `makegood backup` wrote it")
      ->required();
  restore
      ->add_option("--db", restore_args->db,
                   "The database file to replace (need not exist; its "
                   "directory must)")
      ->capture_default_str();
  restore->callback([&options, exit_code, restore_args] {
    *exit_code = RunRestore(options, *restore_args);
  });
}

}  // namespace makegood::cli
