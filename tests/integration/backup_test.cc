// `makegood backup` and `makegood restore` through the real binaries: a
// backup taken while makegoodd serves a steady load, restored and served
// again; the refusals (an existing file, a running makegoodd, a damaged
// backup), which change nothing; pruning with --keep; and guest contacts
// that retention deleted, gone from the file's bytes (secure_delete).

#include "store/backup.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "integration/daemon_fixture.h"
#include "support/sample_events.h"

namespace makegood {
namespace {

using makegood::testing::CheckOpened;
using makegood::testing::ItemAdded;
using makegood::testing::ItemFired;
using makegood::testing::ReadFileOrEmpty;

std::vector<std::string> Names(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

CommandResult Makegood(std::vector<std::string> args) {
  std::vector<std::string> argv = {MAKEGOOD_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv);
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// `makegood backup`'s one line, "PATH SEQ:HASH", split.
struct PrintedBackup {
  std::string path;
  std::string head;
};
PrintedBackup ParseBackupLine(const std::string& out) {
  EXPECT_TRUE(absl::EndsWith(out, "\n")) << out;
  const std::string line(absl::StripTrailingAsciiWhitespace(out));
  EXPECT_EQ(line.find('\n'), std::string::npos)
      << "more than one line: " << out;
  std::vector<std::string> parts = absl::StrSplit(line, ' ');
  EXPECT_EQ(parts.size(), 2u) << out;
  if (parts.size() != 2) return {};
  return {parts[0], parts[1]};
}

// What the load had been told was done, for one check: its events, then
// its case, then the refire applied.
struct Acked {
  std::string check_id;
  bool events = false;
  std::string case_id;
  std::string application_id;
  v1::AppliedRemedy::Status remedy_status =
      v1::AppliedRemedy::STATUS_UNSPECIFIED;
};

class BackupTest : public DaemonTest {
 protected:
  void TearDown() override { StopLoad(); }

  // Replaces the running daemon with one on `db`, with `extra` arguments.
  void StartOn(const std::string& db, std::vector<std::string> extra = {}) {
    daemon_.reset();
    std::vector<std::string> args = {
        "--config", config_path_,  "--listen", "127.0.0.1:0",
        "--http",   "127.0.0.1:0", "--db",     db};
    args.insert(args.end(), extra.begin(), extra.end());
    auto daemon =
        DaemonProcess::Start(MAKEGOODD_BIN, args, dir_.File("makegoodd.log"));
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    channel_ = grpc::CreateChannel(daemon_->address(),
                                   grpc::InsecureChannelCredentials());
  }

  // A check with one fired ribeye line, opened at `opened`, and its case.
  v1::RecoveryCase FlagNewCheck(const std::string& check_id, absl::Time opened,
                                const v1::GuestContact* contact = nullptr) {
    PublishSummary summary;
    grpc::Status published =
        Publish({CheckOpened(check_id + "-open", check_id, opened),
                 ItemAdded(check_id + "-add", check_id, "1", opened, 2400),
                 ItemFired(check_id + "-fire", check_id, "1",
                           opened + absl::Minutes(5))},
                &summary);
    EXPECT_TRUE(published.ok()) << published.error_message();
    EXPECT_EQ(summary.accepted(), 3) << summary.ShortDebugString();
    v1::FlagProblemRequest request;
    request.set_request_id("flag-" + check_id);
    request.set_check_id(check_id);
    request.add_line_ids("1");
    request.set_category_id("cold_food");
    request.set_severity(v1::MINOR);
    if (contact != nullptr) *request.mutable_guest_contact() = *contact;
    v1::RecoveryCase flagged;
    grpc::Status status = v1::RecoveryService::NewStub(channel_)->FlagProblem(
        Context(kServerToken).get(), request, &flagged);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return flagged;
  }

  // ---- The write load: one thread, one check after another, each
  // published, flagged and refired, every acknowledgement recorded.

  void StartLoad() {
    load_ = std::thread([this] { RunLoad(); });
  }
  void StopLoad() {
    stop_load_ = true;
    if (load_.joinable()) load_.join();
  }
  std::vector<Acked> AckedSoFar() {
    absl::MutexLock lock(&mu_);
    return acked_;
  }
  int Acknowledgements() {
    absl::MutexLock lock(&mu_);
    return acknowledgements_;
  }
  std::string LoadError() {
    absl::MutexLock lock(&mu_);
    return load_error_;
  }
  // Waits (a minute at most) for `count` acknowledgements in all, or the
  // load failing.
  bool AwaitAcknowledgements(int count) {
    absl::MutexLock lock(&mu_);
    awaited_ = count;
    return mu_.AwaitWithTimeout(
        absl::Condition(this, &BackupTest::AcknowledgementsReached),
        absl::Minutes(1));
  }

 private:
  bool AcknowledgementsReached() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return acknowledgements_ >= awaited_ || !load_error_.empty();
  }

  // Applies `record` to the newest check's entry and counts it.
  template <typename Record>
  void Acknowledge(Record record) {
    absl::MutexLock lock(&mu_);
    record(acked_.back());
    ++acknowledgements_;
  }
  void Fail(const std::string& what, const grpc::Status& status) {
    absl::MutexLock lock(&mu_);
    load_error_ = absl::StrCat(what, ": ", status.error_code(), " ",
                               status.error_message());
  }

  void RunLoad() {
    auto recovery = v1::RecoveryService::NewStub(channel_);
    for (int i = 0; !stop_load_; ++i) {
      const std::string check = absl::StrCat("load-", i);
      const absl::Time opened = absl::Now() - absl::Minutes(30);
      {
        absl::MutexLock lock(&mu_);
        acked_.emplace_back();
        acked_.back().check_id = check;
      }
      PublishSummary summary;
      grpc::Status status = Publish(
          {CheckOpened(check + "-open", check, opened),
           ItemAdded(check + "-add", check, "1", opened, 2400),
           ItemFired(check + "-fire", check, "1", opened + absl::Minutes(5))},
          &summary);
      if (!status.ok() || summary.accepted() != 3) {
        return Fail(absl::StrCat("publish ", check, " (accepted ",
                                 summary.accepted(), ")"),
                    status);
      }
      Acknowledge([](Acked& acked) { acked.events = true; });

      v1::FlagProblemRequest flag;
      flag.set_request_id("flag-" + check);
      flag.set_check_id(check);
      flag.add_line_ids("1");
      flag.set_category_id("cold_food");
      flag.set_severity(v1::MINOR);
      v1::RecoveryCase flagged;
      status =
          recovery->FlagProblem(Context(kServerToken).get(), flag, &flagged);
      if (!status.ok()) return Fail("flag " + check, status);
      Acknowledge(
          [&flagged](Acked& acked) { acked.case_id = flagged.case_id(); });

      v1::ApplyRemedyRequest apply;
      apply.set_request_id("refire-" + check);
      apply.set_case_id(flagged.case_id());
      apply.set_option_id("o1");  // Refire: within anyone's authority.
      v1::RecoveryCase applied;
      status =
          recovery->ApplyRemedy(Context(kServerToken).get(), apply, &applied);
      if (!status.ok() || applied.remedies_size() != 1) {
        return Fail("apply to " + check, status);
      }
      Acknowledge([&applied](Acked& acked) {
        acked.application_id = applied.remedies(0).remedy_application_id();
        acked.remedy_status = applied.remedies(0).status();
      });
    }
  }

  std::thread load_;
  std::atomic<bool> stop_load_{false};
  absl::Mutex mu_;
  std::vector<Acked> acked_ ABSL_GUARDED_BY(mu_);
  int acknowledgements_ ABSL_GUARDED_BY(mu_) = 0;
  int awaited_ ABSL_GUARDED_BY(mu_) = 0;
  std::string load_error_ ABSL_GUARDED_BY(mu_);
};

TEST_F(BackupTest, ABackupUnderWriteLoadRestoresEverythingAcknowledgedBefore) {
  // An evening's history first: a database of some size to copy.
  PublishSummary history;
  ASSERT_TRUE(Publish(makegood::testing::SyntheticService(
                          4000, "history", absl::Now() - absl::Hours(6)),
                      &history)
                  .ok());
  ASSERT_EQ(history.accepted(), 4000);

  StartLoad();
  ASSERT_TRUE(AwaitAcknowledgements(30)) << "the load is too slow";
  ASSERT_EQ(LoadError(), "");
  // Everything acknowledged before the backup begins.
  const std::vector<Acked> before = AckedSoFar();
  const int64_t ledger_rows_before =
      QueryInt(db_path(), "SELECT count(*) FROM ledger");
  const std::string backups = dir_.File("backups");
  ASSERT_TRUE(std::filesystem::create_directory(backups));
  CommandResult backup =
      Makegood({"backup", "--db", db_path(), "--to", backups});
  // makegoodd kept serving: more is acknowledged after the backup too.
  const int after_backup = Acknowledgements();
  EXPECT_TRUE(AwaitAcknowledgements(after_backup + 6));
  StopLoad();
  EXPECT_EQ(LoadError(), "");

  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  EXPECT_EQ(backup.err, "");
  const PrintedBackup printed = ParseBackupLine(backup.out);
  const std::string name = std::filesystem::path(printed.path).filename();
  EXPECT_EQ(printed.path, backups + "/" + name);
  EXPECT_TRUE(store::IsBackupFileName(name)) << name;
  EXPECT_EQ(Names(backups), std::vector<std::string>{name});
  auto head = ledger::ParseHead(printed.head);
  ASSERT_TRUE(head.ok()) << printed.head << ": " << head.status();
  EXPECT_GE(head->seq, ledger_rows_before);

  ASSERT_NO_FATAL_FAILURE(ExpectStopsCleanly());
  const std::string restored_dir = dir_.File("restored");
  ASSERT_TRUE(std::filesystem::create_directory(restored_dir));
  const std::string restored = restored_dir + "/makegood.db";
  CommandResult restore =
      Makegood({"restore", "--from", printed.path, "--db", restored});
  ASSERT_EQ(restore.exit_code, 0) << restore.err;
  EXPECT_EQ(restore.out,
            absl::StrCat("restored ", restored, " from ", printed.path,
                         ", ledger head ", printed.head, "\n"));
  // The restored file and its lock file: no temporary left.
  EXPECT_EQ(Names(restored_dir),
            (std::vector<std::string>{"makegood.db", "makegood.db.lock"}));

  ASSERT_NO_FATAL_FAILURE(StartOn(restored));
  auto checks = v1::CheckService::NewStub(channel_);
  auto recovery = v1::RecoveryService::NewStub(channel_);
  int cases = 0;
  for (const Acked& acked : before) {
    if (!acked.events) continue;
    v1::GetCheckRequest get_check;
    get_check.set_check_id(acked.check_id);
    v1::Check check;
    grpc::Status found =
        checks->GetCheck(Context(kServerToken).get(), get_check, &check);
    ASSERT_TRUE(found.ok()) << acked.check_id << ": " << found.error_message();
    ASSERT_EQ(check.items_size(), 1) << acked.check_id;
    EXPECT_TRUE(check.items(0).has_fired_at()) << acked.check_id;
    if (acked.case_id.empty()) continue;
    ++cases;
    v1::GetRecoveryRequest get_case;
    get_case.set_case_id(acked.case_id);
    v1::RecoveryCase recovered;
    found = recovery->GetRecovery(Context(kServerToken).get(), get_case,
                                  &recovered);
    ASSERT_TRUE(found.ok()) << acked.case_id << ": " << found.error_message();
    EXPECT_EQ(recovered.check_id(), acked.check_id);
    if (acked.application_id.empty()) continue;
    const auto remedy = std::find_if(
        recovered.remedies().begin(), recovered.remedies().end(),
        [&acked](const v1::AppliedRemedy& remedy) {
          return remedy.remedy_application_id() == acked.application_id;
        });
    ASSERT_NE(remedy, recovered.remedies().end())
        << acked.case_id << " lost " << acked.application_id;
    EXPECT_EQ(remedy->status(), acked.remedy_status) << acked.case_id;
  }
  EXPECT_GE(cases, 10);  // 30 acknowledgements: 10 checks, each in full.
  // The restored ledger verifies, up to the head the backup printed.
  CommandResult verify = Makegood(
      {"ledger", "verify", "--db", restored, "--expect-head", printed.head});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  // And makegoodd writes to it.
  FlagNewCheck("after-restore", absl::Now() - absl::Minutes(10));
  ExpectStopsCleanly();
}

TEST_F(BackupTest, ABackupNeverOverwritesAFileAndSaysSo) {
  FlagNewCheck("c1", absl::Now() - absl::Minutes(30));
  const std::string monday = dir_.File("monday.db");
  WriteFile(monday, "Monday's backup, kept elsewhere\n");
  const std::vector<std::string> names = Names(dir_.path());

  CommandResult again = Makegood({"backup", "--db", db_path(), "--to", monday});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_EQ(again.out, "");
  EXPECT_THAT(again.err, HasSubstr(monday + " already exists"));
  EXPECT_THAT(again.err, HasSubstr("never overwrites"));

  // --keep means a directory; a file is not one.
  CommandResult keep =
      Makegood({"backup", "--db", db_path(), "--to", monday, "--keep", "3"});
  EXPECT_EQ(keep.exit_code, 2);
  EXPECT_THAT(keep.err, HasSubstr(monday + " is not a directory"));

  EXPECT_EQ(ReadFileOrEmpty(monday), "Monday's backup, kept elsewhere\n");
  EXPECT_EQ(Names(dir_.path()), names);

  // A source that is no makegood database is named, and nothing is made.
  const std::string fresh = dir_.File("fresh.db");
  CommandResult missing =
      Makegood({"backup", "--db", dir_.File("nothing.db"), "--to", fresh});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err,
              HasSubstr(dir_.File("nothing.db") + ": no such file"));
  EXPECT_EQ(Names(dir_.path()), names);
}

TEST_F(BackupTest, RestoreIsRefusedWhileMakegooddHoldsTheDatabase) {
  FlagNewCheck("c1", absl::Now() - absl::Minutes(30));
  const std::string copy = dir_.File("copy.db");
  CommandResult backup = Makegood({"backup", "--db", db_path(), "--to", copy});
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  const std::string holder(
      absl::StripAsciiWhitespace(ReadFileOrEmpty(db_path() + ".lock")));
  ASSERT_FALSE(holder.empty());
  const std::vector<std::string> names = Names(dir_.path());

  CommandResult refused =
      Makegood({"restore", "--from", copy, "--db", db_path()});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.out, "");
  EXPECT_THAT(refused.err, HasSubstr("makegoodd (pid " + holder +
                                     ") is using " + db_path()));
  // The lock file beside the file SQLite opens, named as makegoodd names it.
  const std::string lock =
      std::filesystem::weakly_canonical(db_path()).string() + ".lock";
  EXPECT_THAT(refused.err, HasSubstr("it holds the lock " + lock));
  EXPECT_THAT(refused.err, HasSubstr("nothing was changed"));
  // The lock is still the daemon's, nothing was added, and it serves on.
  EXPECT_EQ(std::string(absl::StripAsciiWhitespace(
                ReadFileOrEmpty(db_path() + ".lock"))),
            holder);
  EXPECT_EQ(Names(dir_.path()), names);
  FlagNewCheck("c2", absl::Now() - absl::Minutes(20));
  EXPECT_EQ(QueryInt(db_path(), "SELECT count(*) FROM cases"), 2);
}

TEST_F(BackupTest, ADamagedBackupIsRefusedAndNothingIsChanged) {
  FlagNewCheck("c1", absl::Now() - absl::Minutes(30));
  FlagNewCheck("c2", absl::Now() - absl::Minutes(20));
  const std::string good = dir_.File("good.db");
  CommandResult backup = Makegood({"backup", "--db", db_path(), "--to", good});
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  const PrintedBackup printed = ParseBackupLine(backup.out);
  auto head = ledger::ParseHead(printed.head);
  ASSERT_TRUE(head.ok()) << printed.head;
  ASSERT_NO_FATAL_FAILURE(ExpectStopsCleanly());
  const std::string database = ReadFileOrEmpty(db_path());
  ASSERT_FALSE(database.empty());

  const std::string bytes = ReadFileOrEmpty(good);
  // The newest ledger row's hash, wherever its text is in the file.
  std::vector<size_t> at;
  for (size_t found = bytes.find(head->hash); found != std::string::npos;
       found = bytes.find(head->hash, found + 1)) {
    at.push_back(found);
  }
  ASSERT_FALSE(at.empty()) << "the head's hash is not in " << good;

  // 1. One digit of that row's hash changed: a valid SQLite file whose
  //    ledger no longer verifies.
  std::string edited_bytes = bytes;
  for (const size_t offset : at) {
    char& digit = edited_bytes[offset + 10];
    digit = digit == '0' ? '1' : '0';
  }
  const std::string edited = dir_.File("edited.db");
  WriteFile(edited, edited_bytes);
  // 2. The header of the page holding that row overwritten: a file that is
  //    damaged for SQLite itself.
  std::string damaged_bytes = bytes;
  const size_t page_size = (static_cast<unsigned char>(bytes[16]) << 8) |
                           static_cast<unsigned char>(bytes[17]);
  ASSERT_GE(page_size, 512u);
  const size_t page_start = at[0] / page_size * page_size;
  const size_t header = page_start == 0 ? 100 : page_start;
  for (size_t i = header; i < header + 8; ++i) damaged_bytes[i] = '\xff';
  const std::string damaged = dir_.File("damaged.db");
  WriteFile(damaged, damaged_bytes);

  const std::vector<std::string> names = Names(dir_.path());
  CommandResult refused_edited =
      Makegood({"restore", "--from", edited, "--db", db_path()});
  EXPECT_EQ(refused_edited.exit_code, 1);
  EXPECT_EQ(refused_edited.out, "");
  EXPECT_THAT(refused_edited.err,
              HasSubstr(absl::StrCat(edited, ": the ledger is broken at row ",
                                     head->seq)));
  EXPECT_THAT(refused_edited.err, HasSubstr("nothing was restored, " +
                                            db_path() + " is as it was"));

  CommandResult refused_damaged =
      Makegood({"restore", "--from", damaged, "--db", db_path()});
  EXPECT_NE(refused_damaged.exit_code, 0);
  EXPECT_EQ(refused_damaged.out, "");
  EXPECT_THAT(refused_damaged.err, HasSubstr(damaged));
  EXPECT_THAT(refused_damaged.err, HasSubstr("nothing was restored"));

  // Nothing changed: the database, the files beside it, the backups.
  EXPECT_TRUE(ReadFileOrEmpty(db_path()) == database);
  EXPECT_EQ(Names(dir_.path()), names);
  EXPECT_TRUE(ReadFileOrEmpty(edited) == edited_bytes);

  // The good backup still restores: the refusals were for the damage.
  CommandResult restored =
      Makegood({"restore", "--from", good, "--db", db_path()});
  EXPECT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_THAT(restored.out, HasSubstr("ledger head " + printed.head));
}

TEST_F(BackupTest, KeepPrunesTheOldestBackupsAndNothingElse) {
  FlagNewCheck("c1", absl::Now() - absl::Minutes(30));
  const std::string backups = dir_.File("backups");
  ASSERT_TRUE(std::filesystem::create_directory(backups));
  for (const char* name :
       {"makegood-20010101T040000Z.db", "makegood-20020101T040000Z.db",
        "makegood-20030101T040000Z.db", "makegood-before-upgrade.db",
        "notes.txt"}) {
    WriteFile(backups + "/" + name, name);
  }

  CommandResult backup =
      Makegood({"backup", "--db", db_path(), "--to", backups, "--keep", "2"});
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  const PrintedBackup printed = ParseBackupLine(backup.out);
  const std::string name = std::filesystem::path(printed.path).filename();
  ASSERT_TRUE(store::IsBackupFileName(name)) << printed.path;
  std::vector<std::string> kept = {"makegood-20030101T040000Z.db", name,
                                   "makegood-before-upgrade.db", "notes.txt"};
  std::sort(kept.begin(), kept.end());
  EXPECT_EQ(Names(backups), kept);
  for (const char* pruned :
       {"makegood-20010101T040000Z.db", "makegood-20020101T040000Z.db"}) {
    EXPECT_THAT(backup.err,
                HasSubstr(absl::StrCat("removed the old backup ", backups, "/",
                                       pruned, " (keeping the newest 2)")));
  }
  EXPECT_EQ(ReadFileOrEmpty(backups + "/makegood-before-upgrade.db"),
            "makegood-before-upgrade.db");

  // The daily timer's command line on a machine where its directory does
  // not exist yet: made, and the first backup put in it.
  const std::string fresh = dir_.File("var-backups-makegood");
  CommandResult first =
      Makegood({"backup", "--db", db_path(), "--to", fresh, "--keep", "14"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const PrintedBackup in_fresh = ParseBackupLine(first.out);
  ASSERT_EQ(Names(fresh).size(), 1u);
  EXPECT_EQ(in_fresh.path, fresh + "/" + Names(fresh)[0]);
  EXPECT_EQ(in_fresh.head, printed.head);
}

TEST_F(BackupTest, TheNextBackupRemovesTheCopyOfOneKilledMidway) {
  FlagNewCheck("c1", absl::Now() - absl::Minutes(30));
  const std::string backups = dir_.File("backups");
  ASSERT_TRUE(std::filesystem::create_directory(backups));
  // A killed backup's copy: a whole database, guest contacts and all.
  const std::string left =
      backups + "/makegood-20261120T043000Z.db.partial-Ab12Cd";
  ASSERT_TRUE(store::BackupDatabase(db_path(), left).ok());
  WriteFile(backups + "/notes.db.partial-Ab12Cd", "not a backup's copy");

  CommandResult backup =
      Makegood({"backup", "--db", db_path(), "--to", backups, "--keep", "14"});
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  EXPECT_THAT(backup.err,
              HasSubstr(absl::StrCat("removed ", left,
                                     ", the unfinished copy of a backup that "
                                     "stopped midway")));
  const std::string name =
      std::filesystem::path(ParseBackupLine(backup.out).path).filename();
  std::vector<std::string> kept = {name, "notes.db.partial-Ab12Cd"};
  std::sort(kept.begin(), kept.end());
  EXPECT_EQ(Names(backups), kept);
}

TEST_F(BackupTest, AGuestContactDeletedAfterItsRetentionIsGoneFromTheFile) {
  // makegoodd's simulated clock: retention (90 days in the sample) passes
  // between two runs, and the cleanup runs at once when the second starts.
  const absl::Time start = absl::FromCivil(
      absl::CivilSecond(2026, 11, 20, 19, 0, 0), absl::UTCTimeZone());
  const auto rfc3339 = [](absl::Time t) {
    return absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone());
  };
  const std::string db = dir_.File("contacts.db");
  ASSERT_NO_FATAL_FAILURE(StartOn(db, {"--simulated-clock", rfc3339(start)}));
  const std::string email = "ana.retention@example.com";
  v1::GuestContact contact;
  contact.set_name("Ana Retention");
  contact.set_email(email);
  contact.set_follow_up_consent(true);
  const v1::RecoveryCase flagged =
      FlagNewCheck("g1", start - absl::Minutes(30), &contact);
  ASSERT_TRUE(flagged.contact_on_file()) << flagged.ShortDebugString();
  ASSERT_EQ(QueryInt(db, "SELECT count(*) FROM guest_contacts"), 1);
  // Stopped, makegoodd folds its -wal into the file: the contact is in the
  // file's bytes, where the check below looks.
  ASSERT_NO_FATAL_FAILURE(ExpectStopsCleanly());
  ASSERT_TRUE(absl::StrContains(ReadFileOrEmpty(db), email));

  ASSERT_NO_FATAL_FAILURE(StartOn(
      db, {"--simulated-clock", rfc3339(start + absl::Hours(24 * 91))}));
  const absl::Time until = absl::Now() + absl::Seconds(30);
  while (QueryInt(db, "SELECT count(*) FROM guest_contacts") != 0 &&
         absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_EQ(QueryInt(db, "SELECT count(*) FROM guest_contacts"), 0)
      << "the retention cleanup did not run\n"
      << DaemonLog();
  // The case stays; only the contact went.
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM cases"), 1);
  // The deletion's pages go to the WAL, then the background checkpoint
  // copies them into the file: neither holds the address any more.
  while (absl::StrContains(ReadFileOrEmpty(db), email) && absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_FALSE(absl::StrContains(ReadFileOrEmpty(db), email))
      << "the database file still holds the deleted contact";
  EXPECT_FALSE(absl::StrContains(ReadFileOrEmpty(db + "-wal"), email))
      << "the -wal still holds the deleted contact";
  // And once makegoodd stops (its last checkpoint), still nowhere.
  ASSERT_NO_FATAL_FAILURE(ExpectStopsCleanly());
  EXPECT_FALSE(absl::StrContains(ReadFileOrEmpty(db), email));
  EXPECT_FALSE(absl::StrContains(ReadFileOrEmpty(db + "-wal"), email));
}

}  // namespace
}  // namespace makegood
