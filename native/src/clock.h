// The monotonic clock every media thread measures with.
#pragma once
#include <time.h>

#include <cstdint>

namespace sy {

inline int64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// Wall-clock time, the clock of the kernel's receive timestamps (SO_TIMESTAMPNS).
inline int64_t RealtimeNs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

}  // namespace sy
