#include "tone.h"

#include <algorithm>
#include <cmath>

#include "pcm.h"

namespace sy {

namespace {
constexpr double kTwoPi = 6.283185307179586476925286766559;

uint64_t MsToSamples(uint32_t ms) { return static_cast<uint64_t>(ms) * kSampleRate / 1000; }
}  // namespace

ToneSpec ToneSpec::Sine(double hz, double amplitude, uint32_t durationMs) {
  ToneSpec s;
  s.frequenciesHz[0] = hz;
  s.frequencies = 1;
  s.amplitude = amplitude;
  s.durationMs = durationMs;
  return s;
}

void ToneGenerator::Start(const ToneSpec& spec) {
  spec_ = spec;
  spec_.frequencies = std::clamp(spec_.frequencies, 0, ToneSpec::kMaxFrequencies);
  spec_.cadenceSteps = std::clamp(spec_.cadenceSteps, 0, ToneSpec::kMaxCadenceSteps);
  for (int i = 0; i < spec_.frequencies; ++i) {
    const double w = kTwoPi * spec_.frequenciesHz[i] / kSampleRate;
    stepRe_[i] = std::cos(w);
    stepIm_[i] = std::sin(w);
  }
  RestartPhase();
  active_ = true;
  amplitude_ = spec_.amplitude * 32767.0;
  finite_ = spec_.durationMs > 0;
  remaining_ = MsToSamples(spec_.durationMs);
  step_ = 0;
  stepRemaining_ = spec_.cadenceSteps > 0 ? std::max<uint64_t>(1, MsToSamples(spec_.cadenceMs[0])) : 0;
}

void ToneGenerator::RestartPhase() {
  for (int i = 0; i < spec_.frequencies; ++i) {
    re_[i] = 1;
    im_[i] = 0;
  }
}

void ToneGenerator::Sound(int16_t* frame, size_t n) {
  for (size_t k = 0; k < n; ++k) {
    double v = 0;
    for (int i = 0; i < spec_.frequencies; ++i) {
      v += im_[i];
      const double re = re_[i] * stepRe_[i] - im_[i] * stepIm_[i];
      im_[i] = im_[i] * stepRe_[i] + re_[i] * stepIm_[i];
      re_[i] = re;
    }
    v *= amplitude_;
    frame[k] = Saturate(frame[k] + static_cast<int32_t>(v < 0 ? v - 0.5 : v + 0.5));
  }
}

bool ToneGenerator::MixInto(int16_t* frame, size_t n) {
  if (!active_) return false;
  size_t count = n;
  if (finite_ && remaining_ < count) count = static_cast<size_t>(remaining_);
  size_t done = 0;
  while (done < count) {
    size_t run = count - done;
    if (spec_.cadenceSteps > 0) run = static_cast<size_t>(std::min<uint64_t>(run, stepRemaining_));
    if (spec_.cadenceSteps == 0 || step_ % 2 == 0) Sound(frame + done, run);
    done += run;
    if (spec_.cadenceSteps > 0 && (stepRemaining_ -= run) == 0) {
      step_ = (step_ + 1) % spec_.cadenceSteps;
      stepRemaining_ = std::max<uint64_t>(1, MsToSamples(spec_.cadenceMs[step_]));
      if (step_ % 2 == 0) RestartPhase();  // each burst starts at phase 0, like the first
    }
  }
  for (int i = 0; i < spec_.frequencies; ++i) {
    const double norm = std::sqrt(re_[i] * re_[i] + im_[i] * im_[i]);
    re_[i] /= norm;
    im_[i] /= norm;
  }
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
