#include "port_pool.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "clock.h"

namespace sy {

PortPool::PortPool(int minPort, int maxPort, const NetAddress& address, size_t prebound)
    : min_(minPort + (minPort & 1)), max_(maxPort), address_(address),
      // At most a quarter of the range: a freed port is not bound again at once (the rotation
      // holds), and a small range is left to endpoints.
      prebound_(std::min(prebound, static_cast<size_t>((maxPort - (minPort + (minPort & 1))) / 2 + 1) / 4)),
      used_(static_cast<size_t>((maxPort - (minPort + (minPort & 1))) / 2 + 1), false) {}

PortPool::~PortPool() { CloseReady(); }

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
  const int on = 1;  // receive timestamps: DropReceivedBefore tells old datagrams from new ones
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));
  if (bind(fd, local.sa(), local.length) == 0) return fd;
  const int err = errno;
  close(fd);
  errno = err;
  return -1;
}

// Both sockets of the pair at `port`, or false with errno set and nothing left open; *failed
// is the port that could not be bound.
bool BindPair(const NetAddress& address, int port, BoundPair* out, int* failed) {
  *failed = port;
  const int rtp = BindSocket(address, port);
  if (rtp < 0) return false;
  *failed = port + 1;
  const int rtcp = BindSocket(address, port + 1);
  if (rtcp < 0) {
    const int err = errno;
    close(rtp);
    errno = err;
    return false;
  }
  *out = BoundPair{rtp, rtcp, port};
  return true;
}

}  // namespace

void DropReceivedBefore(int fd, int64_t ns) {
  for (int i = 0; i < 1024; ++i) {  // bounded: a flood cannot hold the media thread here
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
    msghdr m{};
    m.msg_control = control;
    m.msg_controllen = sizeof(control);
    if (recvmsg(fd, &m, MSG_DONTWAIT | MSG_PEEK) < 0) return;  // nothing queued
    const cmsghdr* c = CMSG_FIRSTHDR(&m);
    if (c == nullptr || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) return;
    timespec at;
    std::memcpy(&at, CMSG_DATA(c), sizeof(at));
    if (int64_t{at.tv_sec} * 1000000000 + at.tv_nsec >= ns) return;
    if (recv(fd, nullptr, 0, MSG_DONTWAIT | MSG_TRUNC) < 0) return;
  }
}

bool PortPool::BindFree(const NetAddress& address, BoundPair* out, std::string* error, bool* exhausted,
                        size_t* tries) {
  *exhausted = false;
  const size_t count = used_.size();
  // Each index at most once: ports someone else holds are skipped, not retried forever.
  bool rangeFull = false;
  size_t tried = 0;
  for (; tried < count && *tries > 0; ++tried) {
    size_t index = count;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (size_t i = 0; i < count && index == count; ++i) {
        const size_t candidate = (cursor_ + i) % count;
        if (!used_[candidate]) index = candidate;
      }
      rangeFull = index == count;
      if (rangeFull) break;
      used_[index] = true;
      cursor_ = (index + 1) % count;
    }
    --*tries;
    const int port = min_ + static_cast<int>(index) * 2;
    int failed = port;
    if (BindPair(address, port, out, &failed)) return true;
    const int err = errno;
    {
      std::lock_guard<std::mutex> lock(mu_);
      used_[index] = false;
    }
    if (err == EADDRINUSE || err == EACCES) continue;  // someone else has it: try the next
    *error = "cannot bind " + address.ip() + ":" + std::to_string(failed) + ": " + std::strerror(err);
    return false;
  }
  if (!rangeFull && tried < count) return false;  // the caller's budget ran out, not the range
  *exhausted = true;
  *error = "no free even RTP port (with RTCP port + 1) in " + std::to_string(min_) + "-" + std::to_string(max_) +
           " on " + address.ip();
  return false;
}

bool PortPool::Take(const NetAddress& address, BoundPair* out, std::string* error, bool* exhausted) {
  if (SameAddress(address, address_)) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!ready_.empty()) {
      *out = ready_.front();
      ready_.pop_front();
      ++stats_.taken;
      out->takenNs = RealtimeNs();
      return true;
    }
    ++stats_.missed;
  }
  size_t tries = used_.size();  // every pair of the range, once
  if (!BindFree(address, out, error, exhausted, &tries)) return false;
  out->takenNs = RealtimeNs();
  return true;
}

void PortPool::Refill(size_t maxBinds) {
  while (maxBinds > 0) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (ready_.size() + refilling_ >= prebound_) return;
      ++refilling_;
    }
    BoundPair pair;
    std::string error;
    bool exhausted = false;
    const bool bound = BindFree(address_, &pair, &error, &exhausted, &maxBinds);
    std::lock_guard<std::mutex> lock(mu_);
    --refilling_;
    // A range used up, or a bind error: Take reports it when it binds on demand.
    if (!bound) return;
    ready_.push_back(pair);
  }
}

void PortPool::Release(int port) {
  std::lock_guard<std::mutex> lock(mu_);
  if (port < min_ || port > max_ || ((port - min_) & 1)) return;
  used_[static_cast<size_t>((port - min_) / 2)] = false;
}

void PortPool::CloseReady() {
  std::deque<BoundPair> pairs;
  {
    std::lock_guard<std::mutex> lock(mu_);
    pairs.swap(ready_);
  }
  for (const BoundPair& p : pairs) {
    close(p.rtpFd);
    close(p.rtcpFd);
    Release(p.port);
  }
}

PortPoolStats PortPool::Stats() {
  std::lock_guard<std::mutex> lock(mu_);
  PortPoolStats s = stats_;
  s.ready = ready_.size();
  return s;
}

}  // namespace sy
