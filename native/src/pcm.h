// Linear PCM frame constants and sample arithmetic shared by the media code.
#pragma once
#include <cstddef>
#include <cstdint>

namespace sy {

constexpr int kSampleRate = 8000;
constexpr int kTickMs = 20;
constexpr size_t kFrameSamples = kSampleRate / 1000 * kTickMs;  // 160

inline int16_t Saturate(int32_t v) {
  if (v > 32767) return 32767;
  if (v < -32768) return -32768;
  return static_cast<int16_t>(v);
}

// Adds one frame into another, saturating.
inline void MixFrame(const int16_t* from, int16_t* into) {
  for (size_t i = 0; i < kFrameSamples; ++i) into[i] = Saturate(into[i] + from[i]);
}

}  // namespace sy
