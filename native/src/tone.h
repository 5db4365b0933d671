// A sine generator that adds one 20 ms frame per tick, with an optional duration.
#pragma once
#include <cstddef>
#include <cstdint>

namespace sy {

class ToneGenerator {
 public:
  // amplitude: 0..1 of full scale; durationSamples 0 = until stopped.
  void Start(double frequencyHz, double amplitude, uint64_t durationSamples);
  void Stop() { active_ = false; }
  bool active() const { return active_; }
  // Adds up to n samples of tone to `frame` (saturating). Returns true if the tone ended
  // during this call.
  bool MixInto(int16_t* frame, size_t n);

 private:
  bool active_ = false;
  // The tone is the imaginary part of a unit phasor rotated by the per-sample angle; it is
  // renormalised once per call so rounding cannot make it grow or fade.
  double re_ = 1, im_ = 0;
  double stepRe_ = 1, stepIm_ = 0;
  double amplitude_ = 0;  // in sample units
  uint64_t remaining_ = 0;
  bool finite_ = false;
};

}  // namespace sy
