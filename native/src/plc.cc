#include "plc.h"

#include <algorithm>
#include <cstring>

namespace sy {

void Concealer::Remember(const int16_t* samples, size_t n) {
  if (n == 0) return;
  if (n >= kFrameSamples) {
    // The last frame's worth replaces the whole history, oldest first.
    std::memcpy(history_.data(), samples + (n - kFrameSamples), sizeof(history_));
    oldest_ = 0;
  } else {
    const size_t first = std::min(n, kFrameSamples - oldest_);
    std::memcpy(history_.data() + oldest_, samples, first * sizeof(int16_t));
    std::memcpy(history_.data(), samples + first, (n - first) * sizeof(int16_t));
    oldest_ = (oldest_ + n) % kFrameSamples;
  }
  run_ = 0;
}

int16_t Concealer::Next() {
  if (run_ >= kFadeSamples) return 0;
  // Replay the remembered frame from its oldest sample, so the repeat continues in order.
  const int32_t sample = history_[(oldest_ + run_) % kFrameSamples];
  const int32_t gain = static_cast<int32_t>(kFadeSamples - run_);  // out of kFadeSamples
  ++run_;
  return static_cast<int16_t>(sample * gain / static_cast<int32_t>(kFadeSamples));
}

void Concealer::Reset() {
  history_.fill(0);
  oldest_ = 0;
  run_ = kFadeSamples;
}

}  // namespace sy
