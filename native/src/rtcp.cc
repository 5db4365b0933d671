#include "rtcp.h"

#include <cstring>

namespace sy {
namespace {

uint32_t Be32(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | p[3];
}

void Put32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

// Common header: V=2, P=0, count, packet type, length in 32-bit words minus one.
void PutHeader(uint8_t* p, uint8_t count, uint8_t type, size_t bytes) {
  p[0] = static_cast<uint8_t>(0x80 | (count & 0x1F));
  p[1] = type;
  const size_t words = bytes / 4 - 1;
  p[2] = static_cast<uint8_t>(words >> 8);
  p[3] = static_cast<uint8_t>(words);
}

ReportBlock ParseBlock(const uint8_t* p) {
  ReportBlock b;
  b.ssrc = Be32(p);
  b.fractionLost = p[4];
  // Sign-extend the 24-bit cumulative count.
  const uint32_t raw = (static_cast<uint32_t>(p[5]) << 16) | (static_cast<uint32_t>(p[6]) << 8) | p[7];
  b.cumulativeLost = static_cast<int32_t>(raw << 8) >> 8;
  b.highestSeq = Be32(p + 8);
  b.jitter = Be32(p + 12);
  b.lsr = Be32(p + 16);
  b.dlsr = Be32(p + 20);
  return b;
}

void PutBlock(uint8_t* p, const ReportBlock& b) {
  Put32(p, b.ssrc);
  int32_t lost = b.cumulativeLost;
  if (lost > 0x7FFFFF) lost = 0x7FFFFF;
  if (lost < -0x800000) lost = -0x800000;
  Put32(p + 4, (static_cast<uint32_t>(b.fractionLost) << 24) | (static_cast<uint32_t>(lost) & 0xFFFFFF));
  Put32(p + 8, b.highestSeq);
  Put32(p + 12, b.jitter);
  Put32(p + 16, b.lsr);
  Put32(p + 20, b.dlsr);
}

}  // namespace

bool ParseRtcp(const uint8_t* data, size_t size, RtcpCompound* out) {
  if (size < 8 || (data[0] >> 6) != 2 || (data[0] & 0x20) != 0) return false;
  if (data[1] != kRtcpSr && data[1] != kRtcpRr) return false;
  size_t offset = 0;
  bool first = true;
  while (offset < size) {
    const uint8_t* p = data + offset;
    if (size - offset < 4 || (p[0] >> 6) != 2) return false;
    const size_t length = (static_cast<size_t>((p[2] << 8) | p[3]) + 1) * 4;
    if (length > size - offset) return false;
    const bool padded = (p[0] & 0x20) != 0;
    if (padded && offset + length != size) return false;  // padding only in the last packet
    const uint8_t count = p[0] & 0x1F;
    const uint8_t type = p[1];
    if (first) {
      const size_t fixed = type == kRtcpSr ? 28 : 8;
      if (length < fixed + 24u * count) return false;
      out->ssrc = Be32(p + 4);
      out->hasSenderInfo = type == kRtcpSr;
      if (out->hasSenderInfo) {
        out->sender.ntp = (static_cast<uint64_t>(Be32(p + 8)) << 32) | Be32(p + 12);
        out->sender.rtpTimestamp = Be32(p + 16);
        out->sender.packets = Be32(p + 20);
        out->sender.octets = Be32(p + 24);
      }
      out->blockCount = count;
      for (size_t i = 0; i < count; ++i) out->blocks[i] = ParseBlock(p + fixed + 24 * i);
      first = false;
    } else if (type == kRtcpBye) {
      out->bye = true;
    }
    offset += length;
  }
  return true;
}

size_t BuildRtcp(const ReportContent& c, uint8_t* out) {
  size_t n = 0;
  // SR or RR (§6.4.1, §6.4.2).
  const size_t fixed = c.sender ? 28 : 8;
  const size_t reportBytes = fixed + (c.hasBlock ? 24 : 0);
  PutHeader(out, c.hasBlock ? 1 : 0, c.sender ? kRtcpSr : kRtcpRr, reportBytes);
  Put32(out + 4, c.ssrc);
  if (c.sender) {
    Put32(out + 8, static_cast<uint32_t>(c.info.ntp >> 32));
    Put32(out + 12, static_cast<uint32_t>(c.info.ntp));
    Put32(out + 16, c.info.rtpTimestamp);
    Put32(out + 20, c.info.packets);
    Put32(out + 24, c.info.octets);
  }
  if (c.hasBlock) PutBlock(out + fixed, c.block);
  n += reportBytes;

  // SDES with one chunk: our SSRC, CNAME item, end item, zero padding to a word (§6.5).
  const size_t nameLen = c.cname.size() > 255 ? 255 : c.cname.size();
  const size_t chunk = 4 + 2 + nameLen + 1;
  const size_t sdesBytes = 4 + (chunk + 3) / 4 * 4;
  uint8_t* s = out + n;
  std::memset(s, 0, sdesBytes);
  PutHeader(s, 1, kRtcpSdes, sdesBytes);
  Put32(s + 4, c.ssrc);
  s[8] = 1;  // CNAME
  s[9] = static_cast<uint8_t>(nameLen);
  std::memcpy(s + 10, c.cname.data(), nameLen);
  n += sdesBytes;

  if (c.bye) {  // §6.6, no reason
    PutHeader(out + n, 1, kRtcpBye, 8);
    Put32(out + n + 4, c.ssrc);
    n += 8;
  }
  return n;
}

}  // namespace sy
