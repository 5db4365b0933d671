#include "time_stretch.h"

#include <cmath>

namespace sy {
namespace {

// A voiced sound correlates above ~0.8 with itself one period on; below this, moving the
// playout point would be heard as a splice, so the jitter buffer waits for a better frame.
constexpr double kMinCorrelation = 0.7;

// (1 - w) * from + w * to, w rising linearly over `n` samples from 0.
int16_t Crossfade(int32_t from, int32_t to, size_t i, size_t n) {
  const int32_t w = static_cast<int32_t>(i);
  const int32_t total = static_cast<int32_t>(n);
  return static_cast<int16_t>((from * (total - w) + to * w) / total);
}

}  // namespace

// The lag in [kMinPeriod, kMaxPeriod] that maximizes the normalized correlation of x[i] with
// x[i + lag] over one frame; 0 below kMinCorrelation.
size_t RepeatPeriod(const int16_t* x) {
  // Only the cross term is summed per lag: the first window's energy is the same for every
  // lag, and the lagged window's energy slides by one sample from one lag to the next
  // (a third of the multiplications; the search runs on every frame while the depth moves).
  int64_t energyA = 0;
  for (size_t i = 0; i < kFrameSamples; ++i) energyA += int64_t{x[i]} * x[i];
  if (energyA == 0) return 0;
  int64_t energyB = 0;
  for (size_t i = kMinPeriod; i < kMinPeriod + kFrameSamples; ++i) energyB += int64_t{x[i]} * x[i];
  size_t best = 0;
  double bestScore = kMinCorrelation;
  for (size_t lag = kMinPeriod; lag <= kMaxPeriod; ++lag) {
    if (lag > kMinPeriod) {
      energyB += int64_t{x[lag + kFrameSamples - 1]} * x[lag + kFrameSamples - 1] - int64_t{x[lag - 1]} * x[lag - 1];
    }
    int64_t cross = 0;
    for (size_t i = 0; i < kFrameSamples; ++i) cross += int32_t{x[i]} * x[i + lag];
    if (cross <= 0 || energyB == 0) continue;
    const double score = static_cast<double>(cross) / std::sqrt(static_cast<double>(energyA) * static_cast<double>(energyB));
    if (score > bestScore) {
      bestScore = score;
      best = lag;
    }
  }
  return best;
}

void RemovePeriod(const int16_t* in, size_t period, int16_t* out) {
  // out[0] = in[0] continues the previous frame; out[period] = in[2 * period] follows on.
  for (size_t i = 0; i < period; ++i) out[i] = Crossfade(in[i], in[i + period], i, period);
  for (size_t i = period; i < kFrameSamples; ++i) out[i] = in[i + period];
}

void InsertPeriod(const int16_t* history, const int16_t* in, size_t period, int16_t* out) {
  // Continuing with in[0] crossfades into the repeat of the last period played, which ends
  // where in[0] follows on: out[period - 1] ~ the last sample played, out[period] = in[0].
  const int16_t* repeat = history + kPeriodSpan - period;
  for (size_t i = 0; i < period; ++i) out[i] = Crossfade(in[i], repeat[i], i, period);
  for (size_t i = period; i < kFrameSamples; ++i) out[i] = in[i - period];
}

}  // namespace sy
