// Converts PCM at any rate from 8 kHz up to 48 kHz to 8 kHz: a windowed-sinc low-pass
// (Blackman window) that removes everything the 8 kHz rate cannot carry, evaluated only at
// the output instants. For a rate that is not a multiple of 8 kHz (44.1 kHz: 80 outputs per
// 441 inputs) an output falls between input samples; the ratio is reduced to L/M and the
// filter is sampled once for each of the L fractional offsets (polyphase).
// Sample dropping alone would fold a 5 kHz tone onto 3 kHz.
#pragma once
#include <cstdint>
#include <vector>

namespace sy {

// `rate` must be 8000..48000 (kMaxFileRate); 8000 returns the input unchanged.
std::vector<int16_t> ResampleTo8k(const std::vector<int16_t>& in, int rate);

}  // namespace sy
