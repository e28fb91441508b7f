#ifndef MAKEGOOD_TESTS_SOAK_CUTTING_PROXY_H_
#define MAKEGOOD_TESTS_SOAK_CUTTING_PROXY_H_

// A TCP proxy on a loopback port in front of makegoodd. Each connection it
// accepts is forwarded to makegoodd's current port (SetTarget: after a
// restart new connections reach the new daemon; while makegoodd is down a
// connection is accepted and reset at once, as a refused one). It can cut
// a connection: both sockets closed at once with a reset (SO_LINGER 0), to
// the client and to makegoodd, as when an access point reboots or a NAT
// drops the flow. A connection that either end closes is closed on both.
// One thread per connection, polling both (non-blocking) sockets and a
// wake-up eventfd; finished ones are joined as new ones come, so a long
// soak keeps only the live ones.
// Thread-safe.

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace makegood::soak {

class CuttingProxy {
 public:
  // Listens on 127.0.0.1, a free port, forwarding to 127.0.0.1:`target`.
  static absl::StatusOr<std::unique_ptr<CuttingProxy>> Start(int target);

  CuttingProxy(const CuttingProxy&) = delete;
  CuttingProxy& operator=(const CuttingProxy&) = delete;
  // Closes everything and joins every thread.
  ~CuttingProxy();

  // "127.0.0.1:<port>" for clients.
  std::string address() const;
  // Where connections accepted from now on go.
  void SetTarget(int port);

  // Waits up to `timeout` for a forwarding connection, then cuts one: the
  // `pick`-th (modulo their number). False when none came.
  bool CutOne(uint64_t pick, absl::Duration timeout);

  int64_t accepted() const;
  int64_t cuts() const;

 private:
  struct Connection {
    int client = -1;
    int server = -1;
    int wake = -1;       // eventfd: cut now.
    bool ended = false;  // Guarded by mu_: its thread is done.
    bool cut = false;    // Guarded by mu_.
    std::thread thread;
  };

  CuttingProxy(int listen_fd, int stop_fd, int port, int target);
  void Accept();
  void Forward(Connection* connection);
  // Joins and frees connections that ended.
  void ReapLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Const after construction.
  const int listen_fd_;
  const int stop_fd_;  // eventfd: the acceptor stops.
  const int port_;

  std::atomic<int> target_;

  mutable absl::Mutex mu_;
  std::list<Connection> connections_ ABSL_GUARDED_BY(mu_);
  int64_t accepted_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t cuts_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;

  std::thread acceptor_;  // Last: started once the rest exists.
};

}  // namespace makegood::soak

#endif  // MAKEGOOD_TESTS_SOAK_CUTTING_PROXY_H_
