// The store on a disk that fails (support/faulty_vfs.h): its writes are
// refused with a reason and logged once, its health follows and recovers
// by itself, and a failing checkpoint is logged once and retried.

#include <sqlite3.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "core/refusal.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/sqlite_store.h"
#include "support/faulty_vfs.h"
#include "support/log_lines.h"
#include "support/sample_events.h"
#include "support/temp_dir.h"

namespace makegood::store {
namespace {

using makegood::testing::CheckOpened;
using makegood::testing::FaultyVfs;
using makegood::testing::kLocation;
using makegood::testing::LogLines;
using makegood::v1::Error;
using ::testing::HasSubstr;

const absl::Time kT0 = absl::FromUnixSeconds(1795000000);

class SqliteStoreFaultTest : public ::testing::Test {
 protected:
  // Opens the store with maintenance passes every `checkpoint_interval`.
  void OpenStore(absl::Duration checkpoint_interval) {
    SqliteStoreOptions options;
    options.path = dir_.File("s.db");
    options.log = log_.Callback();
    options.checkpoint_interval = checkpoint_interval;
    options.cleanup_interval = absl::Hours(1);
    options.write_probe_interval = absl::Milliseconds(20);
    auto store = SqliteStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    location_.set_id(kLocation);
    location_.set_currency("USD");
    location_.set_timezone("America/New_York");
    ASSERT_TRUE(store_->RegisterLocation(location_).ok());
    store_->WatchWriteHealth([this](bool can_write) {
      absl::MutexLock lock(&mu_);
      can_write_ = can_write;
    });
  }

  void TearDown() override {
    if (store_ != nullptr) {
      store_->WatchWriteHealth(nullptr);
      store_->Shutdown();
    }
  }

  absl::Status Append(const std::string& event_id) {
    return AppendEventsAndWait(*store_, {CheckOpened(event_id, "c1", kT0)}, kT0)
        .status();
  }

  // Waits up to `timeout` until the store last said `can_write`.
  bool WaitForHealth(bool can_write, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    const auto told = [this, can_write] {
      mu_.AssertReaderHeld();
      return can_write_ == can_write;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&told), timeout);
  }

  FaultyVfs vfs_;  // First: the store's connections go through it.
  makegood::testing::TempDir dir_;
  LogLines log_;
  makegood::v1::Location location_;
  absl::Mutex mu_;
  bool can_write_ ABSL_GUARDED_BY(mu_) = false;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteStoreFaultTest, AFullDiskRefusesWritesAndHealthRecoversByItself) {
  ASSERT_NO_FATAL_FAILURE(OpenStore(absl::Hours(1)));
  ASSERT_TRUE(WaitForHealth(true, absl::ZeroDuration()));
  ASSERT_TRUE(Append("e1").ok());

  vfs_.FailWrites("/s.db-wal", SQLITE_FULL);
  const absl::Status refused = Append("e2");
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted) << refused;
  EXPECT_EQ(core::ReasonOf(refused), Error::STORE_FULL);
  const absl::Status again = Append("e3");
  EXPECT_EQ(core::ReasonOf(again), Error::STORE_FULL) << again;
  EXPECT_TRUE(WaitForHealth(false, absl::ZeroDuration()));
  EXPECT_EQ(log_.Count("store: cannot write (disk full)"), 1);
  EXPECT_EQ(log_.Count("database or disk is full"), 1);
  // What was stored before is still there.
  EXPECT_TRUE(store_->GetCheck(kLocation, "c1").ok());

  // Nothing is written now; the writer's probe finds the disk back.
  vfs_.Heal();
  ASSERT_TRUE(WaitForHealth(true, absl::Seconds(10)));
  EXPECT_EQ(log_.Count("store: writing again; 2 writes were refused"), 1);
  EXPECT_TRUE(Append("e2").ok());
  EXPECT_EQ(log_.lines().size(), 2u);
}

TEST_F(SqliteStoreFaultTest, AFailingCheckpointIsLoggedOnceAndRetriedUntilOk) {
  ASSERT_NO_FATAL_FAILURE(OpenStore(absl::Milliseconds(10)));
  // Commits go to the WAL and still work; copying them into the database
  // file, which the checkpoint does, fails.
  vfs_.FailWrites("/s.db", SQLITE_IOERR_WRITE);
  ASSERT_TRUE(Append("e1").ok());
  ASSERT_TRUE(log_.WaitFor("maintenance: checkpoint of the WAL failed",
                           absl::Seconds(10)));
  EXPECT_TRUE(Append("e2").ok());  // Writes are not refused for it.
  EXPECT_TRUE(WaitForHealth(true, absl::ZeroDuration()));

  vfs_.Heal();
  ASSERT_TRUE(log_.WaitFor("maintenance ok again: checkpoint of the WAL",
                           absl::Seconds(10)));
  const std::vector<std::string> lines = log_.lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0], HasSubstr("disk I/O error"));
  EXPECT_EQ(lines[1], "maintenance ok again: checkpoint of the WAL");
}

}  // namespace
}  // namespace makegood::store
