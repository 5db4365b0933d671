// RTP fixed header (RFC 3550 §5.1): parse with full length validation, and write.
#pragma once
#include <cstddef>
#include <cstdint>

namespace sy {

constexpr size_t kRtpHeaderSize = 12;

struct RtpPacket {
  bool marker = false;
  uint8_t payloadType = 0;
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
  uint8_t csrcCount = 0;
  bool hasExtension = false;
  const uint8_t* payload = nullptr;  // points into the datagram
  size_t payloadSize = 0;
};

enum class RtpParseError {
  kNone,
  kTooShort,         // shorter than the fixed header
  kBadVersion,       // V != 2
  kCsrcOverrun,      // CSRC list runs past the end
  kExtensionOverrun, // extension header or its data runs past the end
  kBadPadding,       // P set but the pad count is 0 or larger than what follows the header
};

// Parses one datagram. On success fills `out` (payload points into `data`).
RtpParseError ParseRtp(const uint8_t* data, size_t size, RtpPacket* out);

// Writes a 12-byte header (V=2, no padding, extension or CSRCs) into `out`.
void WriteRtpHeader(uint8_t* out, bool marker, uint8_t payloadType, uint16_t sequence,
                    uint32_t timestamp, uint32_t ssrc);

}  // namespace sy
