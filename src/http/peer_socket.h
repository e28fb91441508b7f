#ifndef MAKEGOOD_HTTP_PEER_SOCKET_H_
#define MAKEGOOD_HTTP_PEER_SOCKET_H_

// Whether the browser of a long response is still there. A server stream
// may be quiet for minutes, and the HTTP library notices a client that
// went away only when a write fails; without this, a closed tab would hold
// its watch (a thread, an in-process gRPC stream) until the next update.
// The library does not hand out the request's socket, so it is found by
// the connection's addresses. Thread-safe.

#include <string>

namespace makegood::http {

class PeerSocket {
 public:
  // The connection from `remote_addr`:`remote_port` to `local_port`.
  PeerSocket(int local_port, std::string remote_addr, int remote_port);

  // False once the client closed or reset the connection; true while it is
  // open, and when the connection's socket cannot be found.
  bool Connected();

 private:
  // Finds the socket the first time it is needed.
  int Find() const;

  const int local_port_;
  const std::string remote_addr_;
  const int remote_port_;
  int fd_ = -2;  // -2: not looked for yet; -1: not found.
};

}  // namespace makegood::http

#endif  // MAKEGOOD_HTTP_PEER_SOCKET_H_
