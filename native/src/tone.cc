#include "tone.h"

#include <cmath>

#include "pcm.h"

namespace sy {

namespace {
constexpr double kTwoPi = 6.283185307179586476925286766559;
}

void ToneGenerator::Start(double frequencyHz, double amplitude, uint64_t durationSamples) {
  const double w = kTwoPi * frequencyHz / kSampleRate;
  active_ = true;
  re_ = 1;
  im_ = 0;
  stepRe_ = std::cos(w);
  stepIm_ = std::sin(w);
  amplitude_ = amplitude * 32767.0;
  finite_ = durationSamples > 0;
  remaining_ = durationSamples;
}

bool ToneGenerator::MixInto(int16_t* frame, size_t n) {
  if (!active_) return false;
  size_t count = n;
  if (finite_ && remaining_ < count) count = static_cast<size_t>(remaining_);
  for (size_t i = 0; i < count; ++i) {
    const double v = amplitude_ * im_;
    frame[i] = Saturate(frame[i] + static_cast<int32_t>(v < 0 ? v - 0.5 : v + 0.5));
    const double re = re_ * stepRe_ - im_ * stepIm_;
    im_ = im_ * stepRe_ + re_ * stepIm_;
    re_ = re;
  }
  const double norm = std::sqrt(re_ * re_ + im_ * im_);
  re_ /= norm;
  im_ /= norm;
  if (finite_) {
    remaining_ -= count;
    if (remaining_ == 0) {
      active_ = false;
      return true;
    }
  }
  return false;
}

}  // namespace sy
