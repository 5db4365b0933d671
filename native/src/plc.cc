#include "plc.h"

namespace sy {

void Concealer::Remember(int16_t sample) {
  history_[oldest_] = sample;
  oldest_ = (oldest_ + 1) % kFrameSamples;
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
