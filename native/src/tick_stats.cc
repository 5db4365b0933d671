#include "tick_stats.h"

#include <algorithm>

namespace sy {

void SampleWindow::Add(int64_t v) {
  values_[next_] = v;
  next_ = (next_ + 1) % values_.size();
  if (count_ < values_.size()) ++count_;
}

Percentiles SampleWindow::Compute() const {
  Percentiles p;
  p.samples = count_;
  if (count_ == 0) return p;
  std::vector<int64_t> v(values_.begin(), values_.begin() + static_cast<std::ptrdiff_t>(count_));
  std::sort(v.begin(), v.end());
  // Nearest-rank percentiles.
  auto rank = [&](double q) {
    size_t r = static_cast<size_t>(q * static_cast<double>(count_) + 0.999999);
    if (r < 1) r = 1;
    if (r > count_) r = count_;
    return v[r - 1];
  };
  p.p50 = rank(0.50);
  p.p99 = rank(0.99);
  p.max = v.back();
  return p;
}

}  // namespace sy
