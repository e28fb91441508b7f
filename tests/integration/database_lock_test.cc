// A second makegoodd on the database file of a running one: it refuses to
// start, says why, and the first keeps serving. The real binaries.

#include <signal.h>

#include <string>

#include "absl/strings/ascii.h"
#include "integration/daemon_fixture.h"

namespace makegood {
namespace {

using makegood::testing::ReadFileOrEmpty;

class DatabaseLockTest : public DaemonTest {
 protected:
  // Starts another makegoodd on the same --db. DaemonProcess::Start returns
  // when it prints its port or exits, so a second one that wrongly came up
  // fails the test instead of hanging it.
  absl::StatusOr<std::unique_ptr<DaemonProcess>> StartSecond() {
    return DaemonProcess::Start(
        MAKEGOODD_BIN,
        {"--config", MAKEGOOD_SAMPLE_CONFIG, "--listen", "127.0.0.1:0",
         "--http", "127.0.0.1:0", "--db", db_path()},
        second_log());
  }
  std::string second_log() const { return dir_.File("second.log"); }
  // The pid the running daemon wrote into the lock file.
  std::string LockHolder() const {
    return std::string(
        absl::StripAsciiWhitespace(ReadFileOrEmpty(db_path() + ".lock")));
  }
};

TEST_F(DatabaseLockTest, ASecondDaemonOnTheSameDatabaseRefusesToStart) {
  const std::string holder = LockHolder();
  ASSERT_FALSE(holder.empty());

  auto second = StartSecond();
  ASSERT_FALSE(second.ok()) << "a second makegoodd started on " << db_path();
  // It exited (with 1, "the database fails"), before listening.
  EXPECT_THAT(std::string(second.status().message()),
              HasSubstr("makegoodd exited with 1;"));
  const std::string log = ReadFileOrEmpty(second_log());
  EXPECT_THAT(log, HasSubstr("event=store_open_failed"));
  EXPECT_THAT(log, HasSubstr("cannot open the database " + db_path() +
                             ": another makegoodd (pid " + holder +
                             ") is using " + db_path()));
  // It left the lock file as it was.
  EXPECT_EQ(LockHolder(), holder);

  // The first keeps serving, and writing.
  CommandResult health = Cli({"health"}, "");
  EXPECT_EQ(health.exit_code, 0) << health.err;
  EXPECT_EQ(health.out, "SERVING\n");
  PublishSummary summary;
  grpc::Status published = Publish(DinnerEvents(), &summary);
  ASSERT_TRUE(published.ok()) << published.error_message();
  EXPECT_EQ(summary.accepted(), 55);
  EXPECT_EQ(StoredEvents(), 55);
}

TEST_F(DatabaseLockTest, TheDatabaseIsFreeAgainOnceTheDaemonEndsHoweverItEnds) {
  // A clean stop releases the lock.
  daemon_->Signal(SIGTERM);
  ASSERT_EQ(daemon_->Wait(), 0);
  EXPECT_EQ(LockHolder(), "");
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  EXPECT_EQ(Cli({"health"}, "").out, "SERVING\n");

  // So does a crash: the kernel drops the lock of a killed process, and the
  // file it leaves behind, with its pid, blocks nothing.
  daemon_.reset();  // SIGKILL.
  ASSERT_FALSE(LockHolder().empty());
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  EXPECT_EQ(Cli({"health"}, "").out, "SERVING\n");
}

}  // namespace
}  // namespace makegood
