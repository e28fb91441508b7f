#ifndef MAKEGOOD_TESTS_INTEGRATION_TCP_PROXY_H_
#define MAKEGOOD_TESTS_INTEGRATION_TCP_PROXY_H_

// A TCP proxy on a loopback port between a client and makegoodd, which can
// be told to stop forwarding in both directions while it keeps every socket
// open: to either end the connection is then half-open, as when a cable is
// pulled or a router reboots. Only keepalive pings can notice.
// Thread-safe.

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"

namespace makegood::testing {

class TcpProxy {
 public:
  // Listens on 127.0.0.1 (a free port) and forwards each connection to
  // 127.0.0.1:`target_port`.
  static absl::StatusOr<std::unique_ptr<TcpProxy>> Start(int target_port);

  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;
  // Closes every socket and joins the threads.
  ~TcpProxy();

  // "127.0.0.1:<port>" to connect to.
  std::string address() const;

  // From now on nothing is forwarded, either way, on any connection; the
  // sockets stay open and what arrives is left unread.
  void Blackhole();

 private:
  TcpProxy(int listen_fd, int port, int target_port);

  void Accept();
  // Copies from `from` to `to` until stopped or blackholed.
  void Pump(int from, int to);

  // Const after construction.
  const int listen_fd_;
  const int port_;
  const int target_port_;

  std::atomic<bool> forwarding_{true};
  absl::Notification stop_;

  absl::Mutex mu_;
  std::vector<int> sockets_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> pumps_ ABSL_GUARDED_BY(mu_);

  std::thread acceptor_;  // Last: started once the rest exists.
};

}  // namespace makegood::testing

#endif  // MAKEGOOD_TESTS_INTEGRATION_TCP_PROXY_H_
