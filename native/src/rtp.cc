#include "rtp.h"

namespace sy {
namespace {

inline uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline uint32_t Be32(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | p[3];
}

}  // namespace

RtpParseError ParseRtp(const uint8_t* data, size_t size, RtpPacket* out) {
  if (size < kRtpHeaderSize) return RtpParseError::kTooShort;
  if ((data[0] >> 6) != 2) return RtpParseError::kBadVersion;
  const bool padding = (data[0] & 0x20) != 0;
  const bool extension = (data[0] & 0x10) != 0;
  const uint8_t cc = data[0] & 0x0F;

  size_t offset = kRtpHeaderSize + 4u * cc;
  if (offset > size) return RtpParseError::kCsrcOverrun;
  if (extension) {
    // 16-bit profile-defined field, 16-bit length in 32-bit words, then the data.
    if (offset + 4 > size) return RtpParseError::kExtensionOverrun;
    const size_t words = Be16(data + offset + 2);
    offset += 4 + 4 * words;
    if (offset > size) return RtpParseError::kExtensionOverrun;
  }
  size_t end = size;
  if (padding) {
    // The last octet counts the padding octets, itself included (§5.1).
    const uint8_t pad = data[size - 1];
    if (pad == 0 || pad > size - offset) return RtpParseError::kBadPadding;
    end -= pad;
  }

  out->marker = (data[1] & 0x80) != 0;
  out->payloadType = data[1] & 0x7F;
  out->sequence = Be16(data + 2);
  out->timestamp = Be32(data + 4);
  out->ssrc = Be32(data + 8);
  out->csrcCount = cc;
  out->hasExtension = extension;
  out->payload = data + offset;
  out->payloadSize = end - offset;
  return RtpParseError::kNone;
}

void WriteRtpHeader(uint8_t* out, bool marker, uint8_t payloadType, uint16_t sequence,
                    uint32_t timestamp, uint32_t ssrc) {
  out[0] = 0x80;
  out[1] = static_cast<uint8_t>((marker ? 0x80 : 0) | (payloadType & 0x7F));
  out[2] = static_cast<uint8_t>(sequence >> 8);
  out[3] = static_cast<uint8_t>(sequence);
  out[4] = static_cast<uint8_t>(timestamp >> 24);
  out[5] = static_cast<uint8_t>(timestamp >> 16);
  out[6] = static_cast<uint8_t>(timestamp >> 8);
  out[7] = static_cast<uint8_t>(timestamp);
  out[8] = static_cast<uint8_t>(ssrc >> 24);
  out[9] = static_cast<uint8_t>(ssrc >> 16);
  out[10] = static_cast<uint8_t>(ssrc >> 8);
  out[11] = static_cast<uint8_t>(ssrc);
}

}  // namespace sy
