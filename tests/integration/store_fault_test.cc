// A full disk under the real makegoodd: its database on a small tmpfs of
// its own, filled up by a ballast file. Writes are refused with
// RESOURCE_EXHAUSTED and reason STORE_FULL, health turns NOT_SERVING, the
// log has SQLite's error once, and nothing acknowledged is lost; with the
// ballast gone, health turns SERVING again without a restart and the
// refused request goes through; after a restart every acknowledged case is
// there and the refused-and-never-retried one is not.
//
// Mounting needs root (CAP_SYS_ADMIN), as CI runs the tests; without it
// the test fails and says so.

#include <signal.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "integration/error_details.h"
#include "integration/recovery_calls.h"
#include "support/small_disk.h"

namespace makegood {
namespace {

using makegood::testing::ReadFileOrEmpty;
using ::testing::Not;

// Polls `condition` until it holds or `timeout` passes; whether it held.
bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout) {
  const absl::Time until = absl::Now() + timeout;
  while (!condition()) {
    if (absl::Now() >= until) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

class StoreFaultTest : public RecoveryCallsTest {
 protected:
  void SetUp() override {
    // db_path() is a symbolic link into the small disk, so that every
    // helper of the fixture finds the database; SQLite follows it, and puts
    // the WAL beside the real file. The daemon's log stays on the test's
    // own disk, where it can still be written.
    auto disk = makegood::testing::SmallDisk::Mount(dir_.File("disk"), 16);
    ASSERT_TRUE(disk.ok()) << disk.status();
    disk_ = *std::move(disk);
    std::filesystem::create_symlink(disk_->File("makegood.db"), db_path());
    ASSERT_NO_FATAL_FAILURE(StartDaemon());
    ASSERT_TRUE(std::filesystem::exists(disk_->File("makegood.db-wal")))
        << "the WAL is not on the small disk";
  }

  void TearDown() override {
    daemon_.reset();  // Killed: its files on the disk are closed.
    disk_.reset();
  }

  // Checkpoints the daemon's WAL into the database and cuts it to nothing,
  // so that the daemon's next commit needs new blocks on the disk.
  void EmptyTheWal() {
    ASSERT_TRUE(makegood::testing::EmptyWal(db_path()).ok());
    ASSERT_EQ(std::filesystem::file_size(disk_->File("makegood.db-wal")), 0u);
  }

  // Fills what is left of the disk.
  void AddBallast() {
    const absl::Status filled = disk_->Fill();
    ASSERT_TRUE(filled.ok()) << filled;
    auto free_blocks = disk_->FreeBlocks();
    ASSERT_TRUE(free_blocks.ok()) << free_blocks.status();
    ASSERT_EQ(*free_blocks, 0u);
  }

  // What `makegood health` prints, with `args` after it.
  std::string Health(std::vector<std::string> args = {}) {
    args.insert(args.begin(), "health");
    return Cli(args, "").out;
  }

  // Lines of the daemon's log that contain `text`.
  int LogLinesWith(const std::string& text) {
    std::istringstream log(ReadFileOrEmpty(dir_.File("makegoodd.log")));
    int count = 0;
    for (std::string line; std::getline(log, line);) {
      if (absl::StrContains(line, text)) ++count;
    }
    return count;
  }

  grpc::Status Get(const std::string& case_id) {
    v1::GetRecoveryRequest request;
    request.set_case_id(case_id);
    v1::RecoveryCase recovery;
    return Recovery()->GetRecovery(Context(kServerToken).get(), request,
                                   &recovery);
  }

  grpc::Status FlagCheck(const std::string& check_id, v1::RecoveryCase* out) {
    return Flag(kServerToken, "flag-" + check_id, check_id, {"1"}, "cold_food",
                v1::MAJOR, out);
  }

  std::unique_ptr<makegood::testing::SmallDisk> disk_;
};

TEST_F(StoreFaultTest, AFullDiskRefusesWritesFlipsHealthAndRecoversUnaided) {
  for (const char* check : {"chk-a", "chk-b", "chk-c", "chk-d"}) {
    SeedCheck(check, {4800});
  }
  std::vector<std::string> acknowledged;
  for (const char* check : {"chk-a", "chk-b"}) {
    v1::RecoveryCase flagged;
    ASSERT_TRUE(FlagCheck(check, &flagged).ok());
    acknowledged.push_back(flagged.case_id());
  }
  ASSERT_EQ(Health(), "SERVING\n");

  ASSERT_NO_FATAL_FAILURE(EmptyTheWal());
  ASSERT_NO_FATAL_FAILURE(AddBallast());

  // Refused, with a reason for programs and a message for people that
  // shows nothing of SQLite.
  v1::RecoveryCase refused_case;
  const grpc::Status refused = FlagCheck("chk-c", &refused_case);
  ASSERT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << refused.error_message();
  EXPECT_EQ(ReasonOf(refused), "STORE_FULL");
  EXPECT_THAT(refused.error_message(), HasSubstr("not saved"));
  EXPECT_THAT(refused.error_message(), HasSubstr("retry"));
  EXPECT_THAT(refused.error_message(), Not(HasSubstr("sqlite")));
  EXPECT_THAT(refused.error_message(), Not(HasSubstr(disk_->path())));

  // Health says so, for the daemon and for its services.
  const CommandResult health = Cli({"health"}, "");
  EXPECT_EQ(health.out, "NOT_SERVING\n");
  EXPECT_EQ(health.exit_code, 1);
  EXPECT_THAT(health.err, HasSubstr("store cannot write"));
  EXPECT_EQ(Health({"--service", "makegood.v1.RecoveryService"}),
            "NOT_SERVING\n");

  // Another write is refused too; the log has the episode once, with
  // SQLite's error.
  v1::RecoveryCase never_retried;
  EXPECT_EQ(FlagCheck("chk-d", &never_retried).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(LogLinesWith("store: cannot write (disk full)"), 1);
  EXPECT_EQ(LogLinesWith("database or disk is full"), 1)
      << ReadFileOrEmpty(dir_.File("makegoodd.log"));
  // What was acknowledged before is still read.
  for (const std::string& case_id : acknowledged) {
    EXPECT_TRUE(Get(case_id).ok()) << case_id;
  }

  // Space again: health recovers without a restart and without a request,
  // and the refused flag, retried as it was, goes through.
  ASSERT_TRUE(disk_->Empty().ok());
  ASSERT_TRUE(
      WaitFor([&] { return Health() == "SERVING\n"; }, absl::Seconds(30)))
      << ReadFileOrEmpty(dir_.File("makegoodd.log"));
  EXPECT_EQ(Health({"--service", "makegood.v1.RecoveryService"}), "SERVING\n");
  EXPECT_EQ(LogLinesWith("store: writing again"), 1);
  v1::RecoveryCase retried;
  const grpc::Status retry = FlagCheck("chk-c", &retried);
  ASSERT_TRUE(retry.ok()) << retry.error_message();
  acknowledged.push_back(retried.case_id());

  // After a restart every acknowledged case is there, and only those.
  daemon_->Signal(SIGTERM);
  ASSERT_EQ(daemon_->Wait(), 0);
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  for (const std::string& case_id : acknowledged) {
    EXPECT_TRUE(Get(case_id).ok()) << case_id;
  }
  EXPECT_EQ(Count("SELECT count(*) FROM cases"),
            static_cast<int64_t>(acknowledged.size()));
}

}  // namespace
}  // namespace makegood
