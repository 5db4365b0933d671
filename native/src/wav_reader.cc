#include "wav_reader.h"

#include <cstring>

namespace sy {
namespace {

uint16_t Le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t Le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) | (static_cast<uint32_t>(p[2]) << 16) |
         (static_cast<uint32_t>(p[3]) << 24);
}

constexpr uint16_t kFormatPcm = 1;
constexpr uint16_t kFormatExtensible = 0xFFFE;

}  // namespace

bool ParseWav(const uint8_t* data, size_t size, WavAudio* out, std::string* error) {
  if (size < 12 || std::memcmp(data, "RIFF", 4) != 0 || std::memcmp(data + 8, "WAVE", 4) != 0) {
    *error = "not a WAV file (no RIFF/WAVE header)";
    return false;
  }
  bool haveFormat = false;
  size_t pos = 12;
  while (pos + 8 <= size) {
    const uint8_t* chunk = data + pos;
    const uint32_t length = Le32(chunk + 4);
    const uint8_t* body = chunk + 8;
    const size_t available = size - pos - 8;
    if (std::memcmp(chunk, "fmt ", 4) == 0) {
      if (length < 16 || available < 16) {
        *error = "WAV fmt chunk is too short";
        return false;
      }
      uint16_t tag = Le16(body);
      if (tag == kFormatExtensible && length >= 40 && available >= 40) tag = Le16(body + 24);  // SubFormat GUID starts with the tag
      out->channels = Le16(body + 2);
      out->sampleRate = static_cast<int>(Le32(body + 4));
      const uint16_t bits = Le16(body + 14);
      if (tag != kFormatPcm) {
        *error = "WAV format " + std::to_string(tag) + " is not supported (only 16-bit PCM)";
        return false;
      }
      if (bits != 16) {
        *error = "WAV has " + std::to_string(bits) + "-bit samples (only 16-bit PCM is supported)";
        return false;
      }
      if (out->channels < 1 || out->sampleRate < 1) {
        *error = "WAV fmt chunk has no channels or no sample rate";
        return false;
      }
      haveFormat = true;
    } else if (std::memcmp(chunk, "data", 4) == 0) {
      if (!haveFormat) {
        *error = "WAV data chunk comes before its fmt chunk";
        return false;
      }
      size_t bytes = length <= available ? length : available;
      const size_t frameBytes = 2 * static_cast<size_t>(out->channels);
      bytes -= bytes % frameBytes;
      out->samples.resize(bytes / 2);
      for (size_t i = 0; i < out->samples.size(); ++i) {
        out->samples[i] = static_cast<int16_t>(Le16(body + 2 * i));
      }
      return true;
    }
    if (length > available) break;
    pos += 8 + static_cast<size_t>(length) + (length & 1);
  }
  *error = haveFormat ? "WAV file has no data chunk" : "WAV file has no fmt chunk";
  return false;
}

}  // namespace sy
