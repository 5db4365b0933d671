// The RTCP side of one endpoint (RFC 3550 §6): when to report, what to put in our SR/RR
// about the one source we receive, and what the peer's reports tell us (its view of our
// stream's loss and jitter, and the round-trip time from LSR/DLSR, §6.4.1).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "rtcp.h"

namespace sy {

// What the receive path knows about the source, at report time.
struct ReceptionState {
  bool active = false;  // a source is being received
  uint32_t ssrc = 0;
  int64_t highestSeq = 0;  // extended
  int64_t expected = 0;    // since the source's first packet
  int64_t received = 0;
  uint32_t jitter = 0;  // timestamp units (A.8)
};

struct RemoteView {
  uint32_t fractionLost = 0;  // of our stream, 1/256, from the peer's last report
  int32_t cumulativeLost = 0;
  uint32_t jitter = 0;  // timestamp units
  int64_t rttUs = -1;   // -1: not measured yet
};

class RtcpSession {
 public:
  RtcpSession(uint32_t ssrc, std::string cname, int64_t intervalNs, int64_t nowNs);

  void OnRtpSent(uint32_t rtpTimestamp, size_t payloadBytes);
  bool Due(int64_t nowNs) const { return intervalNs_ > 0 && nowNs >= nextReportNs_; }
  // Writes our next report (SR if we sent RTP since the last one, else RR) and schedules the
  // one after. `bye` appends a BYE (§6.6). Returns the size.
  size_t Build(const ReceptionState& rx, int64_t nowNs, bool bye, uint8_t* out);
  // A valid compound packet from the peer.
  void OnReport(const RtcpCompound& c, int64_t nowNs);
  const RemoteView& remote() const { return remote_; }
  bool reported() const { return reported_; }

 private:
  uint32_t NextRandom();

  uint32_t ssrc_;
  std::string cname_;
  int64_t intervalNs_;
  int64_t nextReportNs_;
  uint32_t random_;
  bool reported_ = false;

  // Our stream.
  bool sentSinceReport_ = false;
  uint32_t packetsSent_ = 0;
  uint32_t octetsSent_ = 0;
  uint32_t lastRtpTimestamp_ = 0;

  // The source we receive: counts at our previous report (for the fraction lost, A.3).
  uint32_t priorSsrc_ = 0;
  bool havePrior_ = false;
  int64_t expectedPrior_ = 0;
  int64_t receivedPrior_ = 0;
  // Its last SR: middle 32 bits of the NTP time, and when it arrived (for LSR/DLSR).
  uint32_t lastSr_ = 0;
  int64_t lastSrArrivalNs_ = 0;

  RemoteView remote_;
};

// Now as a 64-bit NTP timestamp (seconds since 1900 . 32-bit fraction), from the wall clock.
uint64_t NtpNow();

}  // namespace sy
