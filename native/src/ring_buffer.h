// A single-producer, single-consumer ring of fixed-size audio frames. The media thread that
// owns a recording pushes one frame per tick; the writer thread drains it. Lock-free: the
// producer never waits, and a full ring refuses the frame (the caller counts it dropped).
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sy {

class FrameRing {
 public:
  // A run of consecutive frames stored contiguously.
  struct Span {
    const int16_t* data = nullptr;
    size_t frames = 0;
  };

  FrameRing(size_t frames, size_t frameSamples)
      : frames_(frames), frameSamples_(frameSamples), data_(frames * frameSamples) {}

  size_t frameSamples() const { return frameSamples_; }

  // Producer: the slot of the next frame, or nullptr if the ring is full. Fill it, then Commit().
  int16_t* Reserve() {
    const uint64_t head = head_.load(std::memory_order_relaxed);
    if (head - tail_.load(std::memory_order_acquire) >= frames_) return nullptr;
    return &data_[(head % frames_) * frameSamples_];
  }
  void Commit() { head_.store(head_.load(std::memory_order_relaxed) + 1, std::memory_order_release); }

  // Consumer: the frames ready to read, as at most two spans (the second after the wrap).
  // Returns how many spans are filled.
  int Readable(Span spans[2]) const {
    const uint64_t tail = tail_.load(std::memory_order_relaxed);
    const uint64_t ready = head_.load(std::memory_order_acquire) - tail;
    if (ready == 0) return 0;
    const size_t start = tail % frames_;
    const size_t first = ready < frames_ - start ? ready : frames_ - start;
    spans[0] = Span{&data_[start * frameSamples_], first};
    if (first == ready) return 1;
    spans[1] = Span{&data_[0], static_cast<size_t>(ready - first)};
    return 2;
  }
  // Consumer: the oldest `frames` frames are read; their slots are free again.
  void Consume(size_t frames) {
    tail_.store(tail_.load(std::memory_order_relaxed) + frames, std::memory_order_release);
  }

 private:
  const size_t frames_;
  const size_t frameSamples_;
  std::vector<int16_t> data_;
  // Monotonic frame counts; each written by one side only, on its own cache line.
  alignas(64) std::atomic<uint64_t> head_{0};
  alignas(64) std::atomic<uint64_t> tail_{0};
};

}  // namespace sy
