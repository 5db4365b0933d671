// A simple receive buffer: packets are decoded on arrival, kept in sequence order (a
// reordered packet takes its place, a duplicate or one already played is dropped), and one
// 20 ms frame is handed out per tick. It waits for `prefill` audio before playing and again
// after running dry. Not adaptive, and no concealment: that is the jitter-buffer slice.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

#include "pcm.h"

namespace sy {

class ReceiveBuffer {
 public:
  static constexpr size_t kSlots = 16;
  static constexpr size_t kMaxPacketSamples = 480;  // 60 ms at 8 kHz

  enum class PushResult { kQueued, kDuplicate, kLate, kQueuedAfterOverflow, kTooLarge };

  explicit ReceiveBuffer(size_t prefillSamples = 2 * kFrameSamples);

  void SetPrefill(size_t samples) { prefill_ = samples; }
  PushResult Push(int64_t seq, const int16_t* pcm, size_t n);
  // Fills exactly kFrameSamples: audio, or silence while waiting for the prefill, or audio
  // padded with silence when the buffer ran dry (an underrun; it then prefills again).
  enum class PullResult { kAudio, kPrefilling, kUnderrun };
  PullResult Pull(int16_t* out);
  void Flush();  // forget everything (new source); the next packet starts a new prefill
  size_t BufferedSamples() const { return buffered_; }

 private:
  struct Slot {
    int64_t seq;
    uint16_t n;
    std::array<int16_t, kMaxPacketSamples> pcm;
  };

  size_t prefill_;
  std::array<Slot, kSlots> slots_{};
  std::array<uint8_t, kSlots> order_{};  // order_[0..count_): slot indices sorted by seq
  std::array<uint8_t, kSlots> free_{};   // free_[0..freeCount_): unused slot indices
  size_t count_ = 0;
  size_t freeCount_ = kSlots;
  size_t headOffset_ = 0;  // samples of the head packet already played
  size_t buffered_ = 0;    // unplayed samples across all slots
  bool playing_ = false;
  bool havePlayed_ = false;
  int64_t lastPlayed_ = 0;  // highest seq started playing

  void PopHead();
};

}  // namespace sy
