// Minimum and maximum of values over a sliding window of time buckets: a new extreme counts
// at once, an old one is forgotten when its bucket leaves the window. This is what lets the
// jitter buffer grow fast (on the first bad packet) and shrink slowly (a window later).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

namespace sy {

class WindowedRange {
 public:
  static constexpr size_t kBuckets = 16;

  explicit WindowedRange(int64_t bucketNs) : bucketNs_(bucketNs) {}

  void Add(int64_t nowNs, int64_t value) {
    const int64_t id = nowNs / bucketNs_;
    Bucket& b = buckets_[static_cast<size_t>(id) % kBuckets];
    if (!b.used || b.id != id) {
      b = Bucket{id, value, value, true};
      return;
    }
    if (value < b.min) b.min = value;
    if (value > b.max) b.max = value;
  }

  // Re-expresses every remembered value after the quantity it measures moved by `delta`.
  void Shift(int64_t delta) {
    for (Bucket& b : buckets_) {
      b.min += delta;
      b.max += delta;
    }
  }

  void Clear() { buckets_ = {}; }

  // False when nothing was added within the window ending at `nowNs`.
  bool Get(int64_t nowNs, int64_t* min, int64_t* max) const {
    const int64_t oldest = nowNs / bucketNs_ - static_cast<int64_t>(kBuckets) + 1;
    bool any = false;
    for (const Bucket& b : buckets_) {
      if (!b.used || b.id < oldest) continue;
      if (!any || b.min < *min) *min = b.min;
      if (!any || b.max > *max) *max = b.max;
      any = true;
    }
    return any;
  }

 private:
  struct Bucket {
    int64_t id = 0;
    int64_t min = 0;
    int64_t max = 0;
    bool used = false;
  };
  int64_t bucketNs_;
  std::array<Bucket, kBuckets> buckets_{};
};

}  // namespace sy
