#include "sip_udp_timing.h"

namespace sy {
namespace {

int64_t Us(int64_t ns) { return ns > 0 ? ns / 1000 : 0; }

}  // namespace

void SipUdpTiming::RecordReceived(int64_t socketWaitNs, int64_t batchWaitNs, int64_t handlingNs) {
  socketWait_.Add(Us(socketWaitNs));
  batchWait_.Add(Us(batchWaitNs));
  handling_.Add(Us(handlingNs));
}

void SipUdpTiming::RecordSent(int64_t untilHandOverNs, int64_t senderThreadNs) {
  std::lock_guard<std::mutex> lock(sentMutex_);
  untilHandOver_.Add(Us(untilHandOverNs));
  senderThread_.Add(Us(senderThreadNs));
}

SipUdpTimingReport SipUdpTiming::Take() {
  SipUdpTimingReport r;
  r.socketWait = socketWait_.Compute();
  r.batchWait = batchWait_.Compute();
  r.handling = handling_.Compute();
  socketWait_.Clear();
  batchWait_.Clear();
  handling_.Clear();
  std::lock_guard<std::mutex> lock(sentMutex_);
  r.untilHandOver = untilHandOver_.Compute();
  r.senderThread = senderThread_.Compute();
  untilHandOver_.Clear();
  senderThread_.Clear();
  return r;
}

}  // namespace sy
