#include "rtcp_session.h"

#include <time.h>

namespace sy {
namespace {

constexpr uint64_t kNtpUnixOffset = 2208988800ULL;  // 1900 → 1970

uint32_t Middle32(uint64_t ntp) { return static_cast<uint32_t>(ntp >> 16); }

}  // namespace

uint64_t NtpNow() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  const uint64_t fraction = (static_cast<uint64_t>(ts.tv_nsec) << 32) / 1000000000ULL;
  return ((static_cast<uint64_t>(ts.tv_sec) + kNtpUnixOffset) << 32) | fraction;
}

RtcpSession::RtcpSession(uint32_t ssrc, std::string cname, int64_t intervalNs, int64_t nowNs)
    : ssrc_(ssrc), cname_(std::move(cname)), intervalNs_(intervalNs), random_(ssrc | 1) {
  // The first report after half an interval (§6.2).
  nextReportNs_ = nowNs + intervalNs_ / 2;
}

uint32_t RtcpSession::NextRandom() {  // xorshift32: spreading reports needs no better
  random_ ^= random_ << 13;
  random_ ^= random_ >> 17;
  random_ ^= random_ << 5;
  return random_;
}

void RtcpSession::OnRtpSent(uint32_t rtpTimestamp, size_t payloadBytes) {
  sentSinceReport_ = true;
  ++packetsSent_;
  octetsSent_ += static_cast<uint32_t>(payloadBytes);
  lastRtpTimestamp_ = rtpTimestamp;
}

size_t RtcpSession::Build(const ReceptionState& rx, int64_t nowNs, bool bye, uint8_t* out) {
  ReportContent c;
  c.ssrc = ssrc_;
  c.cname = cname_;
  c.bye = bye;
  c.sender = sentSinceReport_;
  if (c.sender) {
    c.info.ntp = NtpNow();
    c.info.rtpTimestamp = lastRtpTimestamp_;
    c.info.packets = packetsSent_;
    c.info.octets = octetsSent_;
  }
  if (rx.active) {
    if (!havePrior_ || priorSsrc_ != rx.ssrc) {  // a new source: its intervals start now
      havePrior_ = true;
      priorSsrc_ = rx.ssrc;
      expectedPrior_ = 0;
      receivedPrior_ = 0;
    }
    // Fraction lost over the interval since our previous report (A.3).
    const int64_t expectedInterval = rx.expected - expectedPrior_;
    const int64_t lostInterval = expectedInterval - (rx.received - receivedPrior_);
    expectedPrior_ = rx.expected;
    receivedPrior_ = rx.received;
    c.hasBlock = true;
    c.block.ssrc = rx.ssrc;
    c.block.fractionLost =
        expectedInterval <= 0 || lostInterval <= 0 ? 0 : static_cast<uint8_t>((lostInterval << 8) / expectedInterval);
    const int64_t lost = rx.expected - rx.received;
    c.block.cumulativeLost = static_cast<int32_t>(lost > 0x7FFFFF ? 0x7FFFFF : lost);
    c.block.highestSeq = static_cast<uint32_t>(rx.highestSeq);
    c.block.jitter = rx.jitter;
    if (lastSr_ != 0) {
      c.block.lsr = lastSr_;
      c.block.dlsr = static_cast<uint32_t>((nowNs - lastSrArrivalNs_) * 65536 / 1000000000);
    }
  }
  sentSinceReport_ = false;
  reported_ = true;
  // Next one after the interval times a random factor in [0.5, 1.5) (§6.3.1).
  const int64_t spread = static_cast<int64_t>(NextRandom() % 1000);
  nextReportNs_ = nowNs + intervalNs_ / 2 + intervalNs_ * spread / 1000;
  return BuildRtcp(c, out);
}

void RtcpSession::OnReport(const RtcpCompound& c, int64_t nowNs) {
  if (c.hasSenderInfo) {
    lastSr_ = Middle32(c.sender.ntp);
    lastSrArrivalNs_ = nowNs;
  }
  for (size_t i = 0; i < c.blockCount; ++i) {
    const ReportBlock& b = c.blocks[i];
    if (b.ssrc != ssrc_) continue;  // about someone else's stream
    remote_.fractionLost = b.fractionLost;
    remote_.cumulativeLost = b.cumulativeLost;
    remote_.jitter = b.jitter;
    if (b.lsr != 0) {
      // RTT = A - LSR - DLSR, all in 1/65536 s (§6.4.1). A negative result is a clock step.
      const int32_t rtt = static_cast<int32_t>(Middle32(NtpNow()) - b.lsr - b.dlsr);
      if (rtt >= 0) remote_.rttUs = static_cast<int64_t>(rtt) * 1000000 / 65536;
    }
  }
}

}  // namespace sy
