// The store on a disk that fails (support/faulty_vfs.h): its writes are
// refused with a reason and logged once, its health follows and recovers
// by itself, a failing checkpoint is logged once and retried, and under
// load every write is stored whole or refused and not stored at all.

#include <sqlite3.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
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
using makegood::testing::ItemAdded;
using makegood::testing::kLocation;
using makegood::testing::LogLines;
using makegood::v1::Error;
using ::testing::HasSubstr;

const absl::Time kT0 = absl::FromUnixSeconds(1795000000);

// Polls `condition` until it holds or `timeout` passes; whether it held.
bool PollUntil(const std::function<bool()>& condition, absl::Duration timeout) {
  const absl::Time until = absl::Now() + timeout;
  while (!condition()) {
    if (absl::Now() >= until) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

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

// Writers append checks (opened, a line added: two events in one append)
// while the disk fails and heals, round after round: the WAL refusing
// writes as a failing disk and as a full one, then the database file
// refusing the checkpoint's. Each append must be stored whole or refused
// with STORE_UNAVAILABLE or STORE_FULL and not stored at all, so that the
// same append sent again is accepted, never found already stored. After
// the load every check that was answered is there with its line, nothing
// else is, and the file is intact. The rounds are counted, not timed: each
// waits for its fault to have refused a write and then for the writers to
// store more.
TEST_F(SqliteStoreFaultTest,
       UnderLoadEachAppendIsStoredWholeOrRefusedUnstored) {
  ASSERT_NO_FATAL_FAILURE(OpenStore(absl::Milliseconds(10)));
  constexpr int kWriters = 4;
  constexpr int kRounds = 9;
  std::atomic<bool> faults_over{false};
  std::atomic<int64_t> stored{0}, refusals{0};
  absl::Mutex problems_mu;
  std::vector<std::string> problems;  // Guarded by problems_mu.
  std::vector<int> checks_of(kWriters, 0);
  const auto check_id = [](int writer, int n) {
    return absl::StrCat("c", writer, "-", n);
  };
  const auto writer = [&](int w) {
    // At least 20 checks each, and on until the faults are over.
    for (int n = 0; n < 20 || !faults_over.load(); ++n) {
      const std::string check = check_id(w, n);
      const std::vector<v1::OrderEvent> events = {
          CheckOpened("open-" + check, check, kT0),
          ItemAdded("add-" + check, check, "1", kT0 + absl::Seconds(1))};
      bool refused = false;
      std::string problem;
      for (;;) {
        auto results = AppendEventsAndWait(*store_, events, kT0);
        if (results.ok()) {
          for (const EventResult& result : *results) {
            if (result.outcome != EventOutcome::kAccepted) {
              problem = absl::StrCat(
                  check, ": event ", result.event_id, " was ",
                  result.outcome == EventOutcome::kDuplicate
                      ? (refused ? "stored already, although its append was "
                                   "refused"
                                 : "stored already")
                      : "rejected");
            }
          }
          break;
        }
        const std::optional<core::Reason> reason =
            core::ReasonOf(results.status());
        if (reason != Error::STORE_FULL && reason != Error::STORE_UNAVAILABLE) {
          problem = absl::StrCat(check, ": ", results.status().ToString());
          break;
        }
        refused = true;
        refusals.fetch_add(1);
      }
      if (!problem.empty()) {
        absl::MutexLock lock(&problems_mu);
        problems.push_back(problem);
      }
      checks_of[w] = n + 1;
      stored.fetch_add(1);
    }
  };
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) writers.emplace_back(writer, w);

  struct Fault {
    const char* file;
    int code;
  };
  const Fault kFaults[] = {{"/s.db-wal", SQLITE_IOERR_WRITE},
                           {"/s.db-wal", SQLITE_FULL},
                           {"/s.db", SQLITE_IOERR_WRITE}};
  for (int round = 0; round < kRounds; ++round) {
    const Fault& fault = kFaults[round % 3];
    const int failed_before = vfs_.failed_writes();
    vfs_.FailWrites(fault.file, fault.code);
    const bool refused_a_write =
        PollUntil([&] { return vfs_.failed_writes() > failed_before; },
                  absl::Seconds(30));
    vfs_.Heal();
    const int64_t stored_at_heal = stored.load();
    const bool stored_more =
        PollUntil([&] { return stored.load() >= stored_at_heal + kWriters; },
                  absl::Seconds(30));
    if (!refused_a_write || !stored_more) {
      faults_over.store(true);
      for (std::thread& thread : writers) thread.join();
      FAIL() << "round " << round << " (" << fault.file << ", code "
             << fault.code << "): "
             << (refused_a_write ? "no append was stored after the heal"
                                 : "the fault refused no write");
    }
  }
  faults_over.store(true);
  for (std::thread& thread : writers) thread.join();

  {
    absl::MutexLock lock(&problems_mu);
    EXPECT_THAT(problems, ::testing::IsEmpty());
  }
  EXPECT_GT(refusals.load(), 0);
  int64_t answered = 0;
  for (int w = 0; w < kWriters; ++w) {
    answered += checks_of[w];
    for (int n = 0; n < checks_of[w]; ++n) {
      auto check = store_->GetCheck(kLocation, check_id(w, n));
      ASSERT_TRUE(check.ok()) << check_id(w, n) << ": " << check.status();
      EXPECT_EQ(check->items_size(), 1) << check_id(w, n);
    }
  }
  EXPECT_EQ(stored.load(), answered);

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(dir_.File("s.db").c_str(), &db,
                            SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  const auto single = [db](const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    std::string value;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return value;
  };
  EXPECT_EQ(single("SELECT count(*) FROM order_events"),
            std::to_string(2 * answered));
  EXPECT_EQ(single("SELECT count(*) FROM checks"), std::to_string(answered));
  EXPECT_EQ(single("PRAGMA integrity_check"), "ok");
  sqlite3_close(db);
}

}  // namespace
}  // namespace makegood::store
