// Which connections ReaderPool keeps for the next read: the one of a read
// that succeeded or failed, but not one whose read marked it unfit
// (MarkConnectionUnfit) nor one left in a transaction. A kept connection
// is told by a cache size no new connection has.

#include "store/reader_pool.h"

#include <sqlite3.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "store/page_cache_cap.h"
#include "support/temp_dir.h"

namespace makegood::store {
namespace {

// The page cache of a new connection, 64 MiB (sqlite/connection.cc).
constexpr int64_t kNewCacheSize = -65536;
// What a read leaves on its connection, to tell it from a new one.
constexpr char kMarkConnection[] = "PRAGMA cache_size=-123";
constexpr int64_t kMarkedCacheSize = -123;

class ReaderPoolTest : public ::testing::Test {
 protected:
  // The cache size and whether in a transaction, of the connection the
  // pool gives the next read.
  struct Next {
    int64_t cache_size = 0;
    bool in_transaction = false;
  };
  Next NextRead() {
    Next next;
    auto size = pool_.With<int64_t>([&](Connection& db) {
      next.in_transaction = sqlite3_get_autocommit(db.raw()) == 0;
      return CacheSizeOf(db);
    });
    EXPECT_TRUE(size.ok()) << size.status();
    if (size.ok()) next.cache_size = *size;
    return next;
  }

  makegood::testing::TempDir dir_;
  ReaderPool pool_{dir_.File("r.db"), /*max_idle=*/1};
};

TEST_F(ReaderPoolTest, KeepsTheConnectionOfAReadThatSucceeded) {
  auto read = pool_.With<bool>([](Connection& db) -> absl::StatusOr<bool> {
    if (auto s = db.Exec(kMarkConnection); !s.ok()) return s;
    return true;
  });
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(NextRead().cache_size, kMarkedCacheSize);
}

TEST_F(ReaderPoolTest, KeepsTheConnectionOfAReadThatFailed) {
  auto read = pool_.With<bool>([](Connection& db) -> absl::StatusOr<bool> {
    if (auto s = db.Exec(kMarkConnection); !s.ok()) return s;
    return absl::NotFoundError("no such check");
  });
  EXPECT_EQ(read.status(), absl::NotFoundError("no such check"));
  EXPECT_EQ(NextRead().cache_size, kMarkedCacheSize);
}

TEST_F(ReaderPoolTest, ClosesTheConnectionOfAReadMarkedUnfit) {
  auto read = pool_.With<bool>([](Connection& db) -> absl::StatusOr<bool> {
    if (auto s = db.Exec(kMarkConnection); !s.ok()) return s;
    return MarkConnectionUnfit(absl::InternalError("cannot put it back"));
  });
  // Returned as it was, without the mark.
  EXPECT_EQ(read.status(), absl::InternalError("cannot put it back"));
  EXPECT_FALSE(read.status().GetPayload(kUnfitConnectionPayload).has_value());
  EXPECT_EQ(NextRead().cache_size, kNewCacheSize);
}

TEST_F(ReaderPoolTest, ClosesAConnectionLeftInATransaction) {
  auto read = pool_.With<bool>([](Connection& db) -> absl::StatusOr<bool> {
    if (auto s = db.Exec(kMarkConnection); !s.ok()) return s;
    if (auto s = db.Exec("BEGIN"); !s.ok()) return s;
    return true;
  });
  ASSERT_TRUE(read.ok()) << read.status();
  const Next next = NextRead();
  EXPECT_FALSE(next.in_transaction);
  EXPECT_EQ(next.cache_size, kNewCacheSize);
}

}  // namespace
}  // namespace makegood::store
