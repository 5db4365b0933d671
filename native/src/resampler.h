// Converts PCM at an integer multiple of 8 kHz to 8 kHz: a windowed-sinc low-pass FIR
// (Blackman window) that removes everything the 8 kHz rate cannot carry, evaluated only at
// the kept samples. Sample dropping alone would fold a 5 kHz tone onto 3 kHz.
#pragma once
#include <cstdint>
#include <vector>

namespace sy {

// `rate` must be a positive multiple of 8000; 8000 returns the input unchanged.
std::vector<int16_t> DownsampleTo8k(const std::vector<int16_t>& in, int rate);

}  // namespace sy
