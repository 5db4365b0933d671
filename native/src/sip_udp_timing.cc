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

void SipUdpTiming::RecordSent(const int64_t* untilHandOverNs, const int64_t* senderThreadNs, size_t count) {
  std::lock_guard<std::mutex> lock(sentMutex_);
  for (size_t i = 0; i < count; ++i) {
    untilHandOver_.Add(Us(untilHandOverNs[i]));
    senderThread_.Add(Us(senderThreadNs[i]));
  }
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
