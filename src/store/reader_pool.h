#ifndef MAKEGOOD_STORE_READER_POOL_H_
#define MAKEGOOD_STORE_READER_POOL_H_

// Read-only connections shared by reading threads. Thread-safe.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "store/sqlite_connection.h"

namespace makegood::store {

class ReaderPool {
 public:
  // Connections are opened on demand; at most `max_idle` are kept.
  ReaderPool(std::string path, int max_idle)
      : path_(std::move(path)), max_idle_(max_idle) {}
  ReaderPool(const ReaderPool&) = delete;
  ReaderPool& operator=(const ReaderPool&) = delete;

  // Runs `read` with a connection of its own; each read sees one snapshot
  // when it runs its statements inside one transaction.
  template <typename T>
  absl::StatusOr<T> With(
      const std::function<absl::StatusOr<T>(Connection&)>& read) {
    auto connection = Acquire();
    if (!connection.ok()) return connection.status();
    absl::StatusOr<T> result = read(**connection);
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
