#include "resampler.h"

#include <cmath>
#include <cstddef>
#include <numeric>

#include "pcm.h"

namespace sy {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kCutoffHz = 3700;     // passband to about 3.4 kHz, stopband from about 4 kHz
constexpr int kHalfTapsPer8k = 32;     // filter half-length in 8 kHz periods: a narrow transition band

// The filter for one fractional offset: taps[j] weighs input (i0 - half + 1 + j) for an
// output at input time i0 + offset, 0 <= offset < 1.
std::vector<double> Phase(double offset, int half, double fc) {
  std::vector<double> taps(static_cast<size_t>(2 * half));
  double sum = 0;
  for (int j = 0; j < 2 * half; ++j) {
    const double x = (half - 1 - j) + offset;  // distance from the output instant, in input samples
    const double sinc = x == 0 ? 2 * fc : std::sin(2 * kPi * fc * x) / (kPi * x);
    const double w = 0.42 + 0.5 * std::cos(kPi * x / half) + 0.08 * std::cos(2 * kPi * x / half);
    taps[static_cast<size_t>(j)] = sinc * w;
    sum += taps[static_cast<size_t>(j)];
  }
  for (double& v : taps) v /= sum;  // unity gain at DC
  return taps;
}

}  // namespace

std::vector<int16_t> ResampleTo8k(const std::vector<int16_t>& in, int rate) {
  if (rate <= kSampleRate) return in;
  const int g = std::gcd(rate, kSampleRate);
  const int64_t up = kSampleRate / g;  // L: output n sits at input time n * M / L
  const int64_t down = rate / g;       // M
  const int half = (kHalfTapsPer8k * rate + kSampleRate - 1) / kSampleRate;
  const double fc = kCutoffHz / rate;  // cycles per input sample
  std::vector<std::vector<double>> phases(static_cast<size_t>(up));
  for (int64_t p = 0; p < up; ++p) phases[static_cast<size_t>(p)] = Phase(static_cast<double>(p) / up, half, fc);

  const int64_t n = static_cast<int64_t>(in.size());
  const int64_t outputs = (n * up + down - 1) / down;  // every output instant inside the input
  std::vector<int16_t> out;
  out.reserve(static_cast<size_t>(outputs));
  for (int64_t k = 0; k < outputs; ++k) {
    const int64_t i0 = k * down / up;
    const std::vector<double>& taps = phases[static_cast<size_t>(k * down % up)];
    double acc = 0;
    for (int j = 0; j < 2 * half; ++j) {
      const int64_t i = i0 - half + 1 + j;
      if (i >= 0 && i < n) acc += taps[static_cast<size_t>(j)] * in[static_cast<size_t>(i)];
    }
    out.push_back(Saturate(static_cast<int32_t>(std::lround(acc))));
  }
  return out;
}

}  // namespace sy
