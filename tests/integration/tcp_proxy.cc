#include "integration/tcp_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace makegood::testing {
namespace {

// How often a waiting thread looks whether it is to stop or blackhole.
constexpr int kPollMs = 20;

sockaddr_in Loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// Whether `fd` became readable within kPollMs.
bool Readable(int fd) {
  pollfd entry{fd, POLLIN, 0};
  return poll(&entry, 1, kPollMs) > 0;
}

// Writes all of `data`; false when the peer is gone.
bool SendAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t sent = send(fd, data, size, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    data += sent;
    size -= static_cast<size_t>(sent);
  }
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TcpProxy>> TcpProxy::Start(int target_port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(std::strerror(errno));
  sockaddr_in address = Loopback(0);
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      listen(fd, 16) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const std::string error = std::strerror(errno);
    close(fd);
    return absl::InternalError(absl::StrCat("proxy socket: ", error));
  }
  return std::unique_ptr<TcpProxy>(
      new TcpProxy(fd, ntohs(address.sin_port), target_port));
}

TcpProxy::TcpProxy(int listen_fd, int port, int target_port)
    : listen_fd_(listen_fd),
      port_(port),
      target_port_(target_port),
      acceptor_([this] { Accept(); }) {}

TcpProxy::~TcpProxy() {
  stop_.Notify();
  acceptor_.join();  // No pump starts after this.
  absl::MutexLock lock(&mu_);
  // Unblocks a pump stuck in send.
  for (int fd : sockets_) shutdown(fd, SHUT_RDWR);
  for (std::thread& pump : pumps_) pump.join();
  for (int fd : sockets_) close(fd);
  close(listen_fd_);
}

std::string TcpProxy::address() const {
  return absl::StrCat("127.0.0.1:", port_);
}

void TcpProxy::Blackhole() { forwarding_.store(false); }

void TcpProxy::Accept() {
  while (!stop_.HasBeenNotified()) {
    if (!Readable(listen_fd_)) continue;
    const int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    const int server = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const sockaddr_in target = Loopback(target_port_);
    if (server < 0 ||
        connect(server, reinterpret_cast<const sockaddr*>(&target),
                sizeof(target)) != 0) {
      if (server >= 0) close(server);
      close(client);
      continue;
    }
    absl::MutexLock lock(&mu_);
    sockets_.push_back(client);
    sockets_.push_back(server);
    pumps_.emplace_back([this, client, server] { Pump(client, server); });
    pumps_.emplace_back([this, client, server] { Pump(server, client); });
  }
}

void TcpProxy::Pump(int from, int to) {
  char buffer[16384];
  while (!stop_.HasBeenNotified()) {
    if (!forwarding_.load()) {
      // Half-open from here on: hold the sockets, read nothing.
      stop_.WaitForNotification();
      return;
    }
    if (!Readable(from)) continue;
    if (!forwarding_.load()) continue;  // Blackholed while waiting.
    const ssize_t got = read(from, buffer, sizeof(buffer));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      shutdown(to, SHUT_WR);  // Pass the end on.
      return;
    }
    if (!SendAll(to, buffer, static_cast<size_t>(got))) return;
  }
}

}  // namespace makegood::testing
