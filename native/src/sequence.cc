#include "sequence.h"

namespace sy {

void SequenceTracker::Start(uint16_t seq) {
  started_ = true;
  maxExt_ = seq;
  baseExt_ = seq;
  window_ = 1;
  received_ = 1;
  haveBadSeq_ = false;
}

void SequenceTracker::Reset() {
  if (started_) lostBefore_ += (maxExt_ - baseExt_ + 1) - received_;
  started_ = false;
  haveBadSeq_ = false;
}

int64_t SequenceTracker::Lost() const {
  if (!started_) return lostBefore_;
  return lostBefore_ + (maxExt_ - baseExt_ + 1) - received_;
}

SequenceTracker::Verdict SequenceTracker::Update(uint16_t seq, int64_t* extended) {
  if (!started_) {
    Start(seq);
    *extended = maxExt_;
    return Verdict::kNew;
  }
  const int delta = static_cast<int16_t>(static_cast<uint16_t>(seq - static_cast<uint16_t>(maxExt_)));
  const bool bigJump = delta > kMaxDropout || delta < -kMaxMisorder;
  if (bigJump) {
    if (haveBadSeq_ && seq == badSeq_) {
      // Two packets in sequence after the jump: the sender restarted its numbering.
      Reset();
      Start(seq);
      *extended = maxExt_;
      return Verdict::kRestart;
    }
    haveBadSeq_ = true;
    badSeq_ = static_cast<uint16_t>(seq + 1);
    return Verdict::kTooOld;
  }
  haveBadSeq_ = false;
  if (delta > 0) {
    window_ = delta >= 64 ? 0 : window_ << delta;
    window_ |= 1;
    maxExt_ += delta;
    ++received_;
    *extended = maxExt_;
    return Verdict::kNew;
  }
  const int back = -delta;
  if (back >= 64) return Verdict::kTooOld;
  const uint64_t bit = uint64_t{1} << back;
  if (window_ & bit) return Verdict::kDuplicate;
  window_ |= bit;
  ++received_;
  *extended = maxExt_ - back;
  return Verdict::kNew;
}

}  // namespace sy
