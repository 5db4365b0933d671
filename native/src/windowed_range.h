// Minimum and maximum of values over a sliding window of time buckets: a new extreme counts
// at once, an old one is forgotten when its bucket leaves the window. This is what lets the
// jitter buffer grow fast (on the first bad packet) and shrink slowly (a window later).
// The extremes of the window are remembered between calls and computed over the buckets again
// only when a bucket is replaced or the window moves on (every quarter second or so, not on
// every tick of every endpoint).
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
      cached_ = false;
      return;
    }
    if (value < b.min) b.min = value;
    if (value > b.max) b.max = value;
    if (cached_ && id >= cachedOldest_) Include(&cachedAny_, &cachedMin_, &cachedMax_, value, value);
  }

  // Re-expresses every remembered value after the quantity it measures moved by `delta`.
  void Shift(int64_t delta) {
    if (delta == 0) return;
    for (Bucket& b : buckets_) {
      b.min += delta;
      b.max += delta;
    }
    cachedMin_ += delta;
    cachedMax_ += delta;
  }

  void Clear() {
    buckets_ = {};
    cached_ = false;
  }

  // False when nothing was added within the window ending at `nowNs`.
  bool Get(int64_t nowNs, int64_t* min, int64_t* max) {
    const int64_t oldest = nowNs / bucketNs_ - static_cast<int64_t>(kBuckets) + 1;
    if (!cached_ || oldest != cachedOldest_) {
      cachedAny_ = false;
      for (const Bucket& b : buckets_) {
        if (b.used && b.id >= oldest) Include(&cachedAny_, &cachedMin_, &cachedMax_, b.min, b.max);
      }
      cached_ = true;
      cachedOldest_ = oldest;
    }
    if (cachedAny_) {
      *min = cachedMin_;
      *max = cachedMax_;
    }
    return cachedAny_;
  }

 private:
  struct Bucket {
    int64_t id = 0;
    int64_t min = 0;
    int64_t max = 0;
    bool used = false;
  };
  static void Include(bool* any, int64_t* min, int64_t* max, int64_t lo, int64_t hi) {
    if (!*any || lo < *min) *min = lo;
    if (!*any || hi > *max) *max = hi;
    *any = true;
  }

  int64_t bucketNs_;
  std::array<Bucket, kBuckets> buckets_{};
  // The window's extremes as Get last computed them, kept up to date by Add and Shift.
  bool cached_ = false;
  int64_t cachedOldest_ = 0;  // the oldest bucket id they cover
  bool cachedAny_ = false;
  int64_t cachedMin_ = 0;
  int64_t cachedMax_ = 0;
};

}  // namespace sy
