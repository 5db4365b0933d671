// Reads the PCM of a RIFF/WAVE file held in memory: format tag 1 (PCM) or
// WAVE_FORMAT_EXTENSIBLE with the PCM subformat, 16-bit little-endian samples, any channel
// count. Unknown chunks are skipped (each padded to an even length). A data chunk that claims
// more bytes than the file holds (a writer that never fixed its header) is read to the end.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sy {

struct WavAudio {
  int sampleRate = 0;
  int channels = 0;
  std::vector<int16_t> samples;  // interleaved
};

// Returns false with a message saying what is wrong.
bool ParseWav(const uint8_t* data, size_t size, WavAudio* out, std::string* error);

}  // namespace sy
