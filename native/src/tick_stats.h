// A sliding window of per-tick measurements (microseconds) with p50/p99/max on demand.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sy {

struct Percentiles {
  int64_t p50 = 0;
  int64_t p99 = 0;
  int64_t max = 0;
  size_t samples = 0;
};

class SampleWindow {
 public:
  explicit SampleWindow(size_t capacity) : values_(capacity, 0) {}
  void Add(int64_t v);
  Percentiles Compute() const;  // copies the window; call off the hot path
  void Clear() { next_ = count_ = 0; }

 private:
  std::vector<int64_t> values_;
  size_t next_ = 0;
  size_t count_ = 0;
};

}  // namespace sy
