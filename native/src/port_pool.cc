#include "port_pool.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sy {

PortPool::PortPool(int minPort, int maxPort)
    : min_(minPort + (minPort & 1)), max_(maxPort),
      used_(static_cast<size_t>((maxPort - (minPort + (minPort & 1))) / 2 + 1), false) {}

namespace {

// One socket bound at `port`, or -1 with errno set.
int BindSocket(const NetAddress& address, int port) {
  const int fd = socket(address.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  NetAddress local = address;
  if (local.family() == AF_INET) {
    reinterpret_cast<sockaddr_in*>(&local.storage)->sin_port = htons(static_cast<uint16_t>(port));
    const int tos = 0xB8;  // DSCP EF (46), best effort if refused
    setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
  } else {
    reinterpret_cast<sockaddr_in6*>(&local.storage)->sin6_port = htons(static_cast<uint16_t>(port));
    const int tclass = 0xB8;
    setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tclass, sizeof(tclass));
    const int only = 1;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &only, sizeof(only));
  }
  if (bind(fd, local.sa(), local.length) == 0) return fd;
  const int err = errno;
  close(fd);
  errno = err;
  return -1;
}

}  // namespace

int PortPool::Bind(const NetAddress& address, int* port, int* rtcpFd, std::string* error, bool* exhausted) {
  *exhausted = false;
  std::lock_guard<std::mutex> lock(mu_);
  const size_t count = used_.size();
  for (size_t i = 0; i < count; ++i) {
    const size_t index = (cursor_ + i) % count;
    if (used_[index]) continue;
    const int candidate = min_ + static_cast<int>(index) * 2;
    int failed = candidate;
    const int rtp = BindSocket(address, candidate);
    int rtcp = -1;
    if (rtp >= 0) {
      failed = candidate + 1;
      rtcp = BindSocket(address, candidate + 1);
      if (rtcp < 0) {
        const int err = errno;
        close(rtp);
        errno = err;
      }
    }
    if (rtp >= 0 && rtcp >= 0) {
      used_[index] = true;
      cursor_ = (index + 1) % count;
      *port = candidate;
      *rtcpFd = rtcp;
      return rtp;
    }
    const int err = errno;
    if (err == EADDRINUSE || err == EACCES) continue;  // someone else has it: try the next
    *error = "cannot bind " + address.ip() + ":" + std::to_string(failed) + ": " + std::strerror(err);
    return -1;
  }
  *exhausted = true;
  *error = "no free even RTP port (with RTCP port + 1) in " + std::to_string(min_) + "-" +
           std::to_string(max_) + " on " + address.ip();
  return -1;
}

void PortPool::Release(int port) {
  std::lock_guard<std::mutex> lock(mu_);
  if (port < min_ || port > max_ || ((port - min_) & 1)) return;
  used_[static_cast<size_t>((port - min_) / 2)] = false;
}

}  // namespace sy
