// One bit per slot of a ring of kSlots slots (a power of two): which slots hold something.
// Ranges, which may wrap past the end of the ring, are set, cleared and tested a 64-bit word
// at a time: a 20 ms frame is 160 slots, three words instead of 160 single-bit steps.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

namespace sy {

template <size_t kSlots>
class RingMask {
  static_assert(kSlots % 64 == 0 && (kSlots & (kSlots - 1)) == 0, "a power of two, whole words");

 public:
  bool test(size_t i) const { return (words_[i / 64] >> (i % 64)) & 1; }
  void set(size_t i) { words_[i / 64] |= uint64_t{1} << (i % 64); }
  void reset(size_t i) { words_[i / 64] &= ~(uint64_t{1} << (i % 64)); }
  void clear() { words_.fill(0); }

  // The n slots from `from` (an index of the ring) on, wrapping; n of kSlots or more: all.
  void SetRange(size_t from, size_t n) {
    ForRange(words_, from, n, [](uint64_t& w, uint64_t bits) { w |= bits; return true; });
  }
  void ClearRange(size_t from, size_t n) {
    ForRange(words_, from, n, [](uint64_t& w, uint64_t bits) { w &= ~bits; return true; });
  }
  bool AllSet(size_t from, size_t n) const {
    return ForRange(words_, from, n, [](uint64_t w, uint64_t bits) { return (w & bits) == bits; });
  }

 private:
  using Words = std::array<uint64_t, kSlots / 64>;

  // f(word, bits of the range in it) for each word the range touches, until f returns false.
  template <typename W, typename F>
  static bool ForRange(W& words, size_t from, size_t n, F f) {
    if (n >= kSlots) {
      from = 0;
      n = kSlots;
    }
    while (n > 0) {
      const size_t bit = from % 64;
      const size_t take = n < 64 - bit ? n : 64 - bit;
      const uint64_t bits = (take == 64 ? ~uint64_t{0} : ((uint64_t{1} << take) - 1)) << bit;
      if (!f(words[from / 64], bits)) return false;
      from = (from + take) % kSlots;
      n -= take;
    }
    return true;
  }

  Words words_{};
};

}  // namespace sy
