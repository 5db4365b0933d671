// Packet-loss concealment: while audio is missing, repeat the last 20 ms of real audio with
// a linear fade, reaching silence after kFadeFrames frames. Simple, but it bridges a lost
// packet or two without a click, and a long gap becomes silence instead of a stuck tone.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

#include "pcm.h"

namespace sy {

class Concealer {
 public:
  static constexpr size_t kFadeFrames = 4;
  static constexpr size_t kFadeSamples = kFadeFrames * kFrameSamples;

  // n samples of real audio were played: remember them, and end any concealment run (if n > 0).
  void Remember(const int16_t* samples, size_t n);
  // The next concealed sample of the current run.
  int16_t Next();
  // True once the current run has faded to silence.
  bool faded() const { return run_ >= kFadeSamples; }
  void Reset();  // new source: nothing to repeat

 private:
  std::array<int16_t, kFrameSamples> history_{};  // ring of the last real samples
  size_t oldest_ = 0;                             // index of the oldest in history_
  size_t run_ = kFadeSamples;                     // samples concealed since real audio
};

}  // namespace sy
