#include "resampler.h"

#include <cmath>
#include <cstddef>

#include "pcm.h"

namespace sy {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kCutoffHz = 3700;  // passband to about 3.4 kHz, stopband from about 4 kHz at 16 kHz
constexpr int kTapsPerFactor = 64;  // filter length grows with the factor so the transition band stays narrow

std::vector<double> LowPass(int rate, int factor) {
  const int taps = kTapsPerFactor * factor - 1;  // odd: symmetric around a centre tap
  const int half = taps / 2;
  const double fc = kCutoffHz / rate;  // cycles per input sample
  std::vector<double> h(static_cast<size_t>(taps));
  double sum = 0;
  for (int i = 0; i < taps; ++i) {
    const int k = i - half;
    const double sinc = k == 0 ? 2 * fc : std::sin(2 * kPi * fc * k) / (kPi * k);
    const double w = 0.42 - 0.5 * std::cos(2 * kPi * i / (taps - 1)) + 0.08 * std::cos(4 * kPi * i / (taps - 1));
    h[static_cast<size_t>(i)] = sinc * w;
    sum += h[static_cast<size_t>(i)];
  }
  for (double& v : h) v /= sum;  // unity gain at DC
  return h;
}

}  // namespace

std::vector<int16_t> DownsampleTo8k(const std::vector<int16_t>& in, int rate) {
  const int factor = rate / kSampleRate;
  if (factor <= 1) return in;
  const std::vector<double> h = LowPass(rate, factor);
  const long half = static_cast<long>(h.size() / 2);
  const long n = static_cast<long>(in.size());
  std::vector<int16_t> out;
  out.reserve(in.size() / static_cast<size_t>(factor) + 1);
  for (long centre = 0; centre < n; centre += factor) {
    double acc = 0;
    for (long j = 0; j < static_cast<long>(h.size()); ++j) {
      const long i = centre + j - half;
      if (i >= 0 && i < n) acc += h[static_cast<size_t>(j)] * in[static_cast<size_t>(i)];
    }
    out.push_back(Saturate(static_cast<int32_t>(std::lround(acc))));
  }
  return out;
}

}  // namespace sy
