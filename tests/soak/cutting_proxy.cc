#include "soak/cutting_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"

namespace makegood::soak {
namespace {

sockaddr_in Loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

void NonBlocking(int fd) {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

// Closes `fd` with a reset instead of the orderly end.
void Reset(int fd) {
  const linger abort_on_close{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close,
             sizeof(abort_on_close));
  close(fd);
}

// Whether `fd`, connected to `target`, is bound to that same address: with
// nothing listening on a port of the ephemeral range (makegoodd just
// killed), Linux may give the connecting socket that port and connect it
// to itself.
bool ConnectedToItself(int fd, const sockaddr_in& target) {
  sockaddr_in local{};
  socklen_t length = sizeof(local);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0) {
    return false;
  }
  return local.sin_port == target.sin_port &&
         local.sin_addr.s_addr == target.sin_addr.s_addr;
}

void Signal(int event_fd) {
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t ignored = write(event_fd, &one, sizeof(one));
}

// One direction of a connection after poll: writes what is pending from
// `from` to `to`, and reads more only once all of it was written (so that
// a slow reader slows its writer, as TCP does). False when either side
// ended or failed.
bool Transfer(const pollfd& from, const pollfd& to, std::string& pending) {
  if (!pending.empty() && (to.revents & (POLLOUT | POLLERR | POLLHUP))) {
    const ssize_t sent = send(to.fd, pending.data(), pending.size(),
                              MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0 && errno != EAGAIN && errno != EINTR) return false;
    if (sent > 0) pending.erase(0, static_cast<size_t>(sent));
  }
  if (pending.empty() && (from.revents & (POLLIN | POLLERR | POLLHUP))) {
    char buffer[65536];
    const ssize_t got = recv(from.fd, buffer, sizeof(buffer), MSG_DONTWAIT);
    if (got == 0) return false;
    if (got < 0) return errno == EAGAIN || errno == EINTR;
    pending.assign(buffer, static_cast<size_t>(got));
    const ssize_t sent = send(to.fd, pending.data(), pending.size(),
                              MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0 && errno != EAGAIN && errno != EINTR) return false;
    if (sent > 0) pending.erase(0, static_cast<size_t>(sent));
  }
  return !(from.revents & POLLNVAL) && !(to.revents & POLLNVAL);
}

}  // namespace

absl::StatusOr<std::unique_ptr<CuttingProxy>> CuttingProxy::Start(int target) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(std::strerror(errno));
  sockaddr_in address = Loopback(0);
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      listen(fd, 128) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const std::string error = std::strerror(errno);
    close(fd);
    return absl::InternalError(absl::StrCat("proxy socket: ", error));
  }
  const int stop = eventfd(0, EFD_CLOEXEC);
  if (stop < 0) {
    close(fd);
    return absl::InternalError(absl::StrCat("eventfd: ", std::strerror(errno)));
  }
  return std::unique_ptr<CuttingProxy>(
      new CuttingProxy(fd, stop, ntohs(address.sin_port), target));
}

CuttingProxy::CuttingProxy(int listen_fd, int stop_fd, int port, int target)
    : listen_fd_(listen_fd),
      stop_fd_(stop_fd),
      port_(port),
      target_(target),
      acceptor_([this] { Accept(); }) {}

CuttingProxy::~CuttingProxy() {
  Signal(stop_fd_);
  acceptor_.join();  // No connection is added after this.
  std::vector<Connection*> all;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    for (Connection& connection : connections_) {
      if (!connection.ended) Signal(connection.wake);
      all.push_back(&connection);
    }
  }
  for (Connection* connection : all) connection->thread.join();
  absl::MutexLock lock(&mu_);
  for (Connection& connection : connections_) close(connection.wake);
  connections_.clear();
  close(listen_fd_);
  close(stop_fd_);
}

std::string CuttingProxy::address() const {
  return absl::StrCat("127.0.0.1:", port_);
}

void CuttingProxy::SetTarget(int port) { target_.store(port); }

bool CuttingProxy::CutOne(uint64_t pick, absl::Duration timeout) {
  auto cuttable = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (const Connection& connection : connections_) {
      if (!connection.ended && !connection.cut) return true;
    }
    return false;
  };
  absl::MutexLock lock(&mu_);
  if (!mu_.AwaitWithTimeout(absl::Condition(&cuttable), timeout)) return false;
  std::vector<Connection*> candidates;
  for (Connection& connection : connections_) {
    if (!connection.ended && !connection.cut) candidates.push_back(&connection);
  }
  Connection* chosen = candidates[pick % candidates.size()];
  chosen->cut = true;
  Signal(chosen->wake);
  ++cuts_;
  return true;
}

int64_t CuttingProxy::accepted() const {
  absl::MutexLock lock(&mu_);
  return accepted_;
}

int64_t CuttingProxy::cuts() const {
  absl::MutexLock lock(&mu_);
  return cuts_;
}

void CuttingProxy::ReapLocked() {
  for (auto it = connections_.begin(); it != connections_.end();) {
    if (!it->ended) {
      ++it;
      continue;
    }
    it->thread.join();  // It only returns after marking itself ended.
    close(it->wake);
    it = connections_.erase(it);
  }
}

void CuttingProxy::Accept() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR) return;
    if (fds[1].revents != 0) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    const int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    const int server = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const sockaddr_in target = Loopback(target_.load());
    if (server < 0 ||
        connect(server, reinterpret_cast<const sockaddr*>(&target),
                sizeof(target)) != 0 ||
        ConnectedToItself(server, target)) {
      // makegoodd is down: the client sees its connection refused.
      if (server >= 0) close(server);
      Reset(client);
      continue;
    }
    const int wake = eventfd(0, EFD_CLOEXEC);
    if (wake < 0) {
      Reset(client);
      Reset(server);
      continue;
    }
    NonBlocking(client);
    NonBlocking(server);
    absl::MutexLock lock(&mu_);
    ReapLocked();
    Connection& connection = connections_.emplace_back();
    connection.client = client;
    connection.server = server;
    connection.wake = wake;
    ++accepted_;
    connection.thread =
        std::thread([this, &connection] { Forward(&connection); });
  }
}

void CuttingProxy::Forward(Connection* connection) {
  std::string to_server, to_client;
  bool cut = false;
  for (;;) {
    pollfd fds[3] = {{connection->client, 0, 0},
                     {connection->server, 0, 0},
                     {connection->wake, POLLIN, 0}};
    fds[0].events = to_server.empty() ? POLLIN : 0;
    fds[1].events = to_client.empty() ? POLLIN : 0;
    if (!to_server.empty()) fds[1].events |= POLLOUT;
    if (!to_client.empty()) fds[0].events |= POLLOUT;
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[2].revents != 0) {
      cut = true;
      break;
    }
    if (!Transfer(fds[0], fds[1], to_server) ||
        !Transfer(fds[1], fds[0], to_client)) {
      break;
    }
  }
  if (cut) {
    Reset(connection->client);
    Reset(connection->server);
  } else {
    close(connection->client);
    close(connection->server);
  }
  absl::MutexLock lock(&mu_);
  connection->ended = true;
}

}  // namespace makegood::soak
