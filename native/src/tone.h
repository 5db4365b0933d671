// A tone generator that adds one 20 ms frame per tick: one to four summed sines, optionally
// switched on and off by a cadence (ringback, busy), with an optional total duration.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

namespace sy {

struct ToneSpec {
  static constexpr int kMaxFrequencies = 4;
  static constexpr int kMaxCadenceSteps = 8;
  std::array<double, kMaxFrequencies> frequenciesHz{};
  int frequencies = 0;
  double amplitude = 0.25;  // peak of each sine, 0..1 of full scale
  // Alternating on and off times in ms, starting with on, repeated; none: always on.
  std::array<uint32_t, kMaxCadenceSteps> cadenceMs{};
  int cadenceSteps = 0;
  uint32_t durationMs = 0;  // 0: until stopped

  static ToneSpec Sine(double hz, double amplitude, uint32_t durationMs);
};

class ToneGenerator {
 public:
  void Start(const ToneSpec& spec);
  void Stop() { active_ = false; }
  bool active() const { return active_; }
  // Adds up to n samples of tone to `frame` (saturating); an off step of the cadence adds
  // nothing but still takes its time. Returns true if the tone ended during this call.
  bool MixInto(int16_t* frame, size_t n);

 private:
  void RestartPhase();
  void Sound(int16_t* frame, size_t n);

  bool active_ = false;
  ToneSpec spec_;
  // Each sine is the imaginary part of a unit phasor rotated by the per-sample angle; the
  // phasors are renormalised once per call so rounding cannot make them grow or fade.
  std::array<double, ToneSpec::kMaxFrequencies> re_{}, im_{}, stepRe_{}, stepIm_{};
  double amplitude_ = 0;  // in sample units
  uint64_t remaining_ = 0;
  bool finite_ = false;
  int step_ = 0;               // cadence step; even steps are on
  uint64_t stepRemaining_ = 0; // samples left in it
};

}  // namespace sy
