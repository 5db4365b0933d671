// Even RTP ports from a configured range, shared by all media threads, each bound together
// with the RTCP port above it (RFC 3550 §11). A pair is taken when both sockets are bound and
// given back after they are closed. Allocation
// rotates through the range so a just-freed port is not handed out again at once (late
// packets of the previous call would land in the next one).
#pragma once
#include <mutex>
#include <string>
#include <vector>

#include "net_address.h"

namespace sy {

class PortPool {
 public:
  PortPool(int minPort, int maxPort);  // minPort rounded up to even; at least one port

  // Binds non-blocking UDP sockets on `address` (its port ignored) at a free even port and
  // the odd one above it. Returns the RTP fd and sets *port and *rtcpFd, or returns -1 and
  // sets *error (with *exhausted true when every pair of the range was busy).
  int Bind(const NetAddress& address, int* port, int* rtcpFd, std::string* error, bool* exhausted);
  void Release(int port);
  int minPort() const { return min_; }
  int maxPort() const { return max_; }

 private:
  std::mutex mu_;
  int min_;
  int max_;
  std::vector<bool> used_;  // index (port - min_) / 2
  size_t cursor_ = 0;
};

}  // namespace sy
