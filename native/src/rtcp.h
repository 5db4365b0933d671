// RTCP packets (RFC 3550 §6): a compound packet parsed with the validity checks of appendix
// A.2, and built as SR or RR + SDES CNAME (+ BYE), the shapes §6.1 requires.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace sy {

constexpr uint8_t kRtcpSr = 200;
constexpr uint8_t kRtcpRr = 201;
constexpr uint8_t kRtcpSdes = 202;
constexpr uint8_t kRtcpBye = 203;

// RFC 5761 §4: on a multiplexed port, a second octet of 192–223 is RTCP (SR 200, RR 201...).
inline bool LooksLikeRtcp(const uint8_t* data, size_t size) {
  return size >= 2 && data[1] >= 192 && data[1] <= 223;
}

struct ReportBlock {  // §6.4.1
  uint32_t ssrc = 0;           // the source reported on
  uint8_t fractionLost = 0;    // since the previous report, in 1/256
  int32_t cumulativeLost = 0;  // 24-bit signed on the wire
  uint32_t highestSeq = 0;     // extended highest sequence number received
  uint32_t jitter = 0;         // interarrival jitter, timestamp units
  uint32_t lsr = 0;            // middle 32 bits of the NTP time of the last SR from that source
  uint32_t dlsr = 0;           // delay since that SR, 1/65536 s
};

struct SenderInfo {
  uint64_t ntp = 0;
  uint32_t rtpTimestamp = 0;
  uint32_t packets = 0;
  uint32_t octets = 0;
};

struct RtcpCompound {
  uint32_t ssrc = 0;  // the sender of the SR/RR
  bool hasSenderInfo = false;
  SenderInfo sender;
  std::array<ReportBlock, 31> blocks;
  size_t blockCount = 0;
  bool bye = false;
};

// False for anything that fails A.2: version 2 in every packet, SR or RR first, padding only
// in the last packet, lengths that add up to the datagram exactly.
bool ParseRtcp(const uint8_t* data, size_t size, RtcpCompound* out);

struct ReportContent {
  uint32_t ssrc = 0;
  bool sender = false;  // SR with `info`, else RR
  SenderInfo info;
  bool hasBlock = false;
  ReportBlock block;
  std::string cname;
  bool bye = false;
};

// Writes the compound packet into `out` (kMaxRtcpSize is always enough); returns its size.
constexpr size_t kMaxRtcpSize = 512;  // SR + one block 52, SDES up to 268, BYE 8
size_t BuildRtcp(const ReportContent& c, uint8_t* out);

}  // namespace sy
