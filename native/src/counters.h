// Per-endpoint counters. Written only by the endpoint's media thread, read by the JS thread
// at any time (relaxed atomics: each value is exact, a snapshot is not one instant).
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace sy {

// name, meaning
#define SY_ENDPOINT_COUNTERS(X)                                                            \
  X(packetsIn)          /* datagrams read from the socket, whatever they held */            \
  X(bytesIn)            /* their UDP payload bytes */                                       \
  X(packetsOut)         /* RTP packets sent */                                              \
  X(bytesOut)           /* their UDP payload bytes */                                       \
  X(malformed)          /* not RTP per RFC 3550 §5.1, or audio too large for a slot */      \
  X(wrongSource)        /* from another address after latching (symmetric RTP) */           \
  X(unknownPayloadType) /* valid RTP with a payload type we do not map */                   \
  X(lost)               /* sequence numbers never received (gaps), RFC 3550 A.3 */          \
  X(duplicates)         /* sequence numbers received twice */                               \
  X(late)               /* arrived after their place was played, or behind the window */    \
  X(concealed)          /* ticks whose frame was partly or wholly made up (loss concealment) */ \
  X(timestampJumps)     /* in-sequence packets whose timestamp jumped: playout restarted */ \
  X(ssrcChanges)        /* the sender's SSRC changed (sequence tracking restarted) */       \
  X(sequenceRestarts)   /* a confirmed large sequence jump with the same SSRC */            \
  X(underruns)          /* ticks the jitter buffer ran dry while playing */                 \
  X(overflows)          /* packets too far ahead for the jitter buffer, or audio skipped    \
                           because it was far over its maximum depth */                     \
  X(jitterDepthMs)      /* audio buffered ahead of playout at the last tick */              \
  X(jitterTargetMs)     /* the depth the jitter buffer adapts towards */                    \
  X(telephoneEvents)    /* RFC 4733 telephone-event packets received */                     \
  X(dtmfDigits)         /* DTMF key presses detected (RFC 4733 or in-band) */               \
  X(sendErrors)         /* sendto failures */                                               \
  X(rtpTimeouts)        /* rtpTimeout events raised */                                      \
  X(jitterUs)           /* RFC 3550 A.8 interarrival jitter, microseconds */                \
  X(rtcpSent)           /* RTCP compound packets sent (SR/RR + SDES, BYE on close) */       \
  X(rtcpReceived)       /* valid RTCP compound packets received */                          \
  X(rtcpMalformed)      /* RTCP datagrams failing RFC 3550 A.2 checks, dropped */           \
  X(rtcpByes)           /* BYE packets received */                                          \
  X(remoteLossPermille) /* the peer's last report: fraction of our packets lost, per mille */ \
  X(remoteCumulativeLost) /* the peer's last report: our packets lost in total */           \
  X(remoteJitterUs)     /* the peer's last report: jitter of our stream, microseconds */    \
  X(rttUs)              /* round-trip time from the last report with LSR/DLSR; -1: none */ \
  X(talkMs)             /* VAD (while enabled): received audio labelled speech, ms */        \
  X(silenceMs)          /* VAD: received audio labelled silence, ms */                    \
  X(overlapMs)          /* VAD: talking while another member of the mixer talked */       \
  X(interruptions)      /* VAD: started talking while another member was talking */

// The counters' names in SY_ENDPOINT_COUNTERS order: JS receives an endpoint's counters as a
// Float64Array in this order (building a 35-property object through Node-API costs more than
// the rest of an endpoint's life in calls) and names them from this list.
inline constexpr const char* kEndpointCounterNames[] = {
#define SY_COUNTER_NAME(name) #name,
    SY_ENDPOINT_COUNTERS(SY_COUNTER_NAME)
#undef SY_COUNTER_NAME
};
inline constexpr size_t kEndpointCounterCount = sizeof(kEndpointCounterNames) / sizeof(kEndpointCounterNames[0]);

struct EndpointCounters {
#define SY_DECLARE_COUNTER(name) std::atomic<int64_t> name{0};
  SY_ENDPOINT_COUNTERS(SY_DECLARE_COUNTER)
#undef SY_DECLARE_COUNTER
};

inline void Bump(std::atomic<int64_t>& c, int64_t by = 1) {
  c.store(c.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

}  // namespace sy
