// Even RTP ports from a configured range, shared by all media threads, each bound together
// with the RTCP port above it (RFC 3550 §11). A pair is taken when both sockets are bound and
// given back after they are closed. Allocation rotates through the range so a just-freed port
// is not handed out again at once (late packets of the previous call would land in the next
// one).
//
// Creating an endpoint on the JS thread should cost no system call: media threads keep a
// number of pairs bound ahead of need on the engine's address (Refill, a few pairs after each
// tick, so a burst of endpoint creations never puts a pool's worth of binds before a tick),
// and Take hands one out under a short lock. Only when none is ready (a burst faster than the
// refills, or another bind address) does Take bind a pair itself.
#pragma once
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "net_address.h"

namespace sy {

struct BoundPair {
  int rtpFd = -1;
  int rtcpFd = -1;  // port + 1
  int port = 0;
  // When Take handed it out (RealtimeNs): what the sockets received before then was not meant
  // for the new endpoint (DropReceivedBefore).
  int64_t takenNs = 0;
};

// Media thread: drops the datagrams queued on `fd` that the kernel received before `ns`
// (a pre-bound socket's strays, or late packets of its port's previous call); keeps the rest.
void DropReceivedBefore(int fd, int64_t ns);

struct PortPoolStats {
  int64_t taken = 0;   // pairs handed out ready
  int64_t missed = 0;  // pairs bound on demand because none was ready
  size_t ready = 0;
};

class PortPool {
 public:
  // minPort rounded up to even; at least one port. `prebound`: pairs kept ready on `address`
  // (at most a quarter of the range's pairs).
  PortPool(int minPort, int maxPort, const NetAddress& address, size_t prebound);
  ~PortPool();  // closes the pairs still ready

  // A pair on `address` (its port ignored): a ready one if it is the pool's address, else bound
  // now. False with *error set (and *exhausted true when every pair of the range is busy).
  bool Take(const NetAddress& address, BoundPair* out, std::string* error, bool* exhausted);
  // Media threads, after a tick: binds pairs until `prebound` are ready or the range has no free
  // pair, trying at most `maxBinds` ports (about 11 us a pair here, so each call stays short).
  void Refill(size_t maxBinds);
  void Release(int port);  // after both sockets are closed
  void CloseReady();       // engine close: the ready pairs' sockets closed, their ports free
  PortPoolStats Stats();

 private:
  // Reserves a free pair's index (under mu_) and binds it (outside): a free pair of the range.
  // Each port tried uses up one of *tries (a port someone else holds is skipped).
  bool BindFree(const NetAddress& address, BoundPair* out, std::string* error, bool* exhausted, size_t* tries);

  std::mutex mu_;  // everything below
  const int min_;
  const int max_;
  const NetAddress address_;
  const size_t prebound_;
  std::vector<bool> used_;  // index (port - min_) / 2: bound, ready or being bound
  size_t cursor_ = 0;
  std::deque<BoundPair> ready_;
  size_t refilling_ = 0;  // pairs being bound by Refill right now
  PortPoolStats stats_;
};

}  // namespace sy
