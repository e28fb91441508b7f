#ifndef MAKEGOOD_STORE_READER_POOL_H_
#define MAKEGOOD_STORE_READER_POOL_H_

// Read-only connections shared by reading threads. Thread-safe.

#include <sqlite3.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/cord.h"
#include "absl/synchronization/mutex.h"
#include "store/sqlite_connection.h"

namespace makegood::store {

// The payload of MarkConnectionUnfit.
inline constexpr char kUnfitConnectionPayload[] =
    "makegood.store.unfit_connection";

// `status` (an error: an OK status carries no payload) marked as coming
// from a read that left its connection unfit for the next read, such as a
// setting it could not put back: ReaderPool::With then closes that
// connection instead of keeping it, and returns the status unmarked.
inline absl::Status MarkConnectionUnfit(absl::Status status) {
  status.SetPayload(kUnfitConnectionPayload, absl::Cord());
  return status;
}

class ReaderPool {
 public:
  // Connections are opened on demand; at most `max_idle` are kept.
  ReaderPool(std::string path, int max_idle)
      : path_(std::move(path)), max_idle_(max_idle) {}
  ReaderPool(const ReaderPool&) = delete;
  ReaderPool& operator=(const ReaderPool&) = delete;

  // Runs `read` with a connection of its own; each read sees one snapshot
  // when it runs its statements inside one transaction (BEGIN ... COMMIT).
  // The connection is kept for a later read unless `read` returned a status
  // marked by MarkConnectionUnfit or left a transaction open (which would
  // hold its snapshot for every later read): then it is closed.
  template <typename T>
  absl::StatusOr<T> With(
      const std::function<absl::StatusOr<T>(Connection&)>& read) {
    auto connection = Acquire();
    if (!connection.ok()) return connection.status();
    absl::StatusOr<T> result = read(**connection);
    if (!result.ok() &&
        result.status().GetPayload(kUnfitConnectionPayload).has_value()) {
      absl::Status status = result.status();
      status.ErasePayload(kUnfitConnectionPayload);
      return status;
    }
    if (sqlite3_get_autocommit((*connection)->raw()) == 0) return result;
    Release(*std::move(connection));
    return result;
  }

 private:
  absl::StatusOr<std::unique_ptr<Connection>> Acquire();
  void Release(std::unique_ptr<Connection> connection);

  // Const after construction.
  const std::string path_;
  const int max_idle_;

  absl::Mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mu_);
};

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_READER_POOL_H_
