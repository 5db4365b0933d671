// The socket of a SIP UDP transport and its receiving half: opens and binds a non-blocking
// UDP socket that stamps each datagram's arrival (SO_TIMESTAMPNS), and reads up to a batch of
// datagrams per call with recvmmsg.
#pragma once
#include <sys/socket.h>
#include <time.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "net_address.h"

namespace sy {

// Binds `local` (port 0: an ephemeral one). An IPv6 socket also serves IPv4 peers (as
// ::ffff:a.b.c.d), like a Node 'udp6' socket. On success *fd is a non-blocking socket and
// *bound its actual address; on failure returns the errno.
int OpenUdpSocket(const NetAddress& local, int recvBufferBytes, int* fd, NetAddress* bound);

class DatagramBatch {
 public:
  explicit DatagramBatch(size_t slots);

  // Reads what is waiting, up to the batch size, without blocking. Returns the count (0 when
  // nothing is waiting) or -errno.
  int Receive(int fd);
  const uint8_t* data(size_t i) const { return buffers_.get() + i * kSlotBytes; }
  size_t length(size_t i) const { return msgs_[i].msg_len; }
  NetAddress from(size_t i) const;
  // When the kernel received datagram i (CLOCK_REALTIME ns), or `fallback` without a stamp.
  int64_t arrivalNs(size_t i, int64_t fallback) const;

  // Larger than any UDP payload (65,507 bytes over IPv4), so nothing is truncated.
  static constexpr size_t kSlotBytes = 65536;

 private:
  const size_t slots_;
  std::unique_ptr<uint8_t[]> buffers_;  // not zeroed: only the pages datagrams use are touched
  std::vector<mmsghdr> msgs_;
  std::vector<iovec> iovs_;
  std::vector<sockaddr_storage> sources_;
  struct alignas(cmsghdr) Control {
    uint8_t bytes[CMSG_SPACE(sizeof(timespec))];
  };
  std::vector<Control> controls_;
};

}  // namespace sy
