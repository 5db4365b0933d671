// Loads an audio file for playback: a WAV file, or raw 16-bit little-endian PCM whose format
// the caller gives. The result is 8 kHz mono (channels averaged; any rate from 8 to 48 kHz
// low-pass filtered and resampled, resampler.h). Reads the disk: never call it on a media thread.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace sy {

struct RawFormat {
  int sampleRate = 8000;
  int channels = 1;
};

constexpr int kMaxFileRate = 48000;
constexpr int kMaxFileChannels = 8;
constexpr uint64_t kMaxAudioFileBytes = 512ull << 20;

// raw == nullptr: the file is a WAV. Returns false with a message naming the file.
bool LoadAudioFile(const std::string& path, const RawFormat* raw, std::vector<int16_t>* out, std::string* error);

}  // namespace sy
