#include "sip_udp_receiver.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sy {

int OpenUdpSocket(const NetAddress& local, int recvBufferBytes, int* fd, NetAddress* bound) {
  const int s = socket(local.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s < 0) return errno;
  const int off = 0;
  if (local.family() == AF_INET6) setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
  // The kernel caps this at net.core.rmem_max; a smaller buffer still works.
  if (recvBufferBytes > 0) setsockopt(s, SOL_SOCKET, SO_RCVBUF, &recvBufferBytes, sizeof(recvBufferBytes));
  const int on = 1;
  setsockopt(s, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));  // for SipUdpTiming's socket wait
  if (bind(s, local.sa(), local.length) != 0) {
    const int code = errno;
    close(s);
    return code;
  }
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len);
  *bound = NetAddress::From(reinterpret_cast<sockaddr*>(&addr), len);
  *fd = s;
  return 0;
}

DatagramBatch::DatagramBatch(size_t slots)
    : slots_(slots),
      buffers_(new uint8_t[slots * kSlotBytes]),
      msgs_(slots),
      iovs_(slots),
      sources_(slots),
      controls_(slots) {}

int DatagramBatch::Receive(int fd) {
  for (size_t i = 0; i < slots_; ++i) {
    iovs_[i] = iovec{buffers_.get() + i * kSlotBytes, kSlotBytes};
    msgs_[i] = mmsghdr{};
    msgs_[i].msg_hdr.msg_name = &sources_[i];
    msgs_[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
    msgs_[i].msg_hdr.msg_iov = &iovs_[i];
    msgs_[i].msg_hdr.msg_iovlen = 1;
    msgs_[i].msg_hdr.msg_control = controls_[i].bytes;
    msgs_[i].msg_hdr.msg_controllen = sizeof(controls_[i].bytes);
  }
  for (;;) {
    const int n = recvmmsg(fd, msgs_.data(), static_cast<unsigned>(slots_), MSG_DONTWAIT, nullptr);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
  }
}

NetAddress DatagramBatch::from(size_t i) const {
  return NetAddress::From(reinterpret_cast<const sockaddr*>(&sources_[i]), msgs_[i].msg_hdr.msg_namelen);
}

int64_t DatagramBatch::arrivalNs(size_t i, int64_t fallback) const {
  const msghdr& m = msgs_[i].msg_hdr;
  for (cmsghdr* c = CMSG_FIRSTHDR(&m); c != nullptr; c = CMSG_NXTHDR(const_cast<msghdr*>(&m), c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      timespec ts;
      std::memcpy(&ts, CMSG_DATA(c), sizeof(ts));
      return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
    }
  }
  return fallback;
}

}  // namespace sy
