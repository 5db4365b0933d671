// Where a SIP datagram's time inside the engine goes, in parts, measured on every datagram:
//   received: socketWait  the kernel's arrival stamp (SO_TIMESTAMPNS) to recvmmsg returning it
//             batchWait   recvmmsg returning to its JS call (earlier datagrams of the batch ran)
//             handling    its JS call, microtasks included
//   sent:     untilHandOver  send() to the hand-over to the sender thread (end of loop iteration)
//             senderThread   the hand-over to sendmmsg returning
// Percentiles in microseconds since the previous Take(). The receiving parts are recorded on
// the event loop; the sending parts on the sender thread, under their own lock.
#pragma once
#include <cstddef>
#include <cstdint>
#include <mutex>

#include "tick_stats.h"

namespace sy {

struct SipUdpTimingReport {
  Percentiles socketWait, batchWait, handling, untilHandOver, senderThread;
};

class SipUdpTiming {
 public:
  void RecordReceived(int64_t socketWaitNs, int64_t batchWaitNs, int64_t handlingNs);
  // `count` datagrams sent together, under one lock.
  void RecordSent(const int64_t* untilHandOverNs, const int64_t* senderThreadNs, size_t count);
  SipUdpTimingReport Take();

 private:
  // Over a second of the highest rates measured (about 20,000 datagrams/s each way); beyond
  // that the latest are kept.
  static constexpr size_t kCapacity = 1 << 15;
  SampleWindow socketWait_{kCapacity}, batchWait_{kCapacity}, handling_{kCapacity};
  std::mutex sentMutex_;
  SampleWindow untilHandOver_{kCapacity}, senderThread_{kCapacity};
};

}  // namespace sy
