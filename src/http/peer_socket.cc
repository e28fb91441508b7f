#include "http/peer_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cstdlib>
#include <filesystem>

namespace makegood::http {
namespace {

// The port and printable address of a socket address.
bool Describe(const sockaddr_storage& address, std::string* host, int* port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
    inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text));
    *port = ntohs(v4->sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
    inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text));
    *port = ntohs(v6->sin6_port);
  } else {
    return false;
  }
  *host = text;
  return true;
}

}  // namespace

PeerSocket::PeerSocket(int local_port, std::string remote_addr, int remote_port)
    : local_port_(local_port),
      remote_addr_(std::move(remote_addr)),
      remote_port_(remote_port) {}

int PeerSocket::Find() const {
  std::error_code error;
  for (const auto& entry :
       std::filesystem::directory_iterator("/proc/self/fd", error)) {
    const int fd = std::atoi(entry.path().filename().c_str());
    sockaddr_storage local{}, remote{};
    socklen_t local_size = sizeof(local), remote_size = sizeof(remote);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_size) !=
            0 ||
        getpeername(fd, reinterpret_cast<sockaddr*>(&remote), &remote_size) !=
            0) {
      continue;
    }
    std::string local_host, remote_host;
    int local_port = 0, remote_port = 0;
    if (Describe(local, &local_host, &local_port) &&
        Describe(remote, &remote_host, &remote_port) &&
        local_port == local_port_ && remote_port == remote_port_ &&
        remote_host == remote_addr_) {
      return fd;
    }
  }
  return -1;
}

bool PeerSocket::Connected() {
  if (fd_ == -2) fd_ = Find();
  if (fd_ < 0) return true;
  pollfd probe{fd_, POLLIN | POLLRDHUP, 0};
  if (poll(&probe, 1, 0) <= 0) return true;
  if ((probe.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0) {
    return false;
  }
  // Readable: bytes of a next request, or the end of the stream.
  char byte;
  return recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT) != 0;
}

}  // namespace makegood::http
