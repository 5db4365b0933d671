// CPU cost of in-band DTMF detection per endpoint: one minute of 8 kHz audio (100 ms of
// key '5', then 100 ms of noise loud enough to be analysed, repeated) fed as 20 ms frames.
// Prints JSON. Build and run from the repository root:
//   g++ -O2 -std=c++17 -Inative/src bench/dtmf-detector.cc native/src/dtmf_detector.cc native/src/dtmf.cc -o /tmp/dtmf-detector && /tmp/dtmf-detector
#include <time.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "dtmf_detector.h"

namespace {
double CpuNs() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}
}  // namespace

int main() {
  constexpr double kTwoPi = 6.283185307179586476925286766559;
  std::vector<int16_t> pcm(8000 * 60);
  for (size_t i = 0; i < pcm.size(); ++i) {
    const bool key = (i / 800) % 2 == 0;
    pcm[i] = key ? static_cast<int16_t>(7000 * std::sin(kTwoPi * 770 * i / 8000) + 7000 * std::sin(kTwoPi * 1336 * i / 8000))
                 : static_cast<int16_t>(static_cast<int>(i * 7919 % 2000) - 1000);
  }
  sy::DtmfDetector detector;
  int keys = 0;
  const double start = CpuNs();
  for (size_t i = 0; i < pcm.size(); i += 160) {
    sy::DtmfEdges edges;
    detector.Process(&pcm[i], 160, &edges);
    for (int k = 0; k < edges.count; ++k) keys += edges.items[k].down ? 1 : 0;
  }
  const double frames = static_cast<double>(pcm.size() / 160);
  std::printf("{\"frames\": %.0f, \"keys\": %d, \"cpuUsPerFrame\": %.2f}\n", frames, keys, (CpuNs() - start) / 1000 / frames);
  return keys == 300 ? 0 : 1;
}
