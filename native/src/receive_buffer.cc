#include "receive_buffer.h"

#include <algorithm>
#include <cstring>

namespace sy {

ReceiveBuffer::ReceiveBuffer(size_t prefillSamples) : prefill_(prefillSamples) {
  for (size_t i = 0; i < kSlots; ++i) free_[i] = static_cast<uint8_t>(i);
}

void ReceiveBuffer::PopHead() {
  const Slot& head = slots_[order_[0]];
  buffered_ -= head.n - headOffset_;
  free_[freeCount_++] = order_[0];
  std::memmove(&order_[0], &order_[1], (count_ - 1) * sizeof(order_[0]));
  --count_;
  headOffset_ = 0;
}

ReceiveBuffer::PushResult ReceiveBuffer::Push(int64_t seq, const int16_t* pcm, size_t n) {
  if (n > kMaxPacketSamples) return PushResult::kTooLarge;
  if (havePlayed_ && seq <= lastPlayed_) return PushResult::kLate;

  size_t pos = count_;
  while (pos > 0 && slots_[order_[pos - 1]].seq > seq) --pos;
  if (pos > 0 && slots_[order_[pos - 1]].seq == seq) return PushResult::kDuplicate;

  bool overflowed = false;
  if (count_ == kSlots) {
    // Full: the sender is ahead of our clock or bursting. Drop the oldest to bound latency.
    if (pos == 0) return PushResult::kLate;  // older than everything we hold
    lastPlayed_ = slots_[order_[0]].seq;
    havePlayed_ = true;
    PopHead();
    --pos;
    overflowed = true;
  }

  const uint8_t index = free_[--freeCount_];
  Slot& slot = slots_[index];
  slot.seq = seq;
  slot.n = static_cast<uint16_t>(n);
  std::memcpy(slot.pcm.data(), pcm, n * sizeof(int16_t));
  std::memmove(&order_[pos + 1], &order_[pos], (count_ - pos) * sizeof(order_[0]));
  order_[pos] = index;
  ++count_;
  buffered_ += n;
  return overflowed ? PushResult::kQueuedAfterOverflow : PushResult::kQueued;
}

ReceiveBuffer::PullResult ReceiveBuffer::Pull(int16_t* out) {
  if (!playing_) {
    if (buffered_ == 0 || buffered_ < prefill_) {
      std::memset(out, 0, kFrameSamples * sizeof(int16_t));
      return PullResult::kPrefilling;
    }
    playing_ = true;
  }
  size_t filled = 0;
  while (filled < kFrameSamples && count_ > 0) {
    const Slot& head = slots_[order_[0]];
    if (headOffset_ == 0) {
      lastPlayed_ = head.seq;
      havePlayed_ = true;
    }
    const size_t take = std::min(kFrameSamples - filled, static_cast<size_t>(head.n) - headOffset_);
    std::memcpy(out + filled, head.pcm.data() + headOffset_, take * sizeof(int16_t));
    filled += take;
    headOffset_ += take;
    buffered_ -= take;
    if (headOffset_ == head.n) PopHead();  // nothing unplayed left in it
  }
  if (filled < kFrameSamples) {
    std::memset(out + filled, 0, (kFrameSamples - filled) * sizeof(int16_t));
    playing_ = false;
    return PullResult::kUnderrun;
  }
  return PullResult::kAudio;
}

void ReceiveBuffer::Flush() {
  while (count_ > 0) PopHead();
  buffered_ = 0;
  playing_ = false;
  havePlayed_ = false;
}

}  // namespace sy
