// Per-source RTP sequence tracking in the spirit of RFC 3550 appendix A.1/A.3: extends the
// 16-bit sequence number, detects duplicates within a 64-packet window, tolerates reordering,
// restarts after a confirmed large jump, and counts packets lost from gaps.
#pragma once
#include <cstdint>

namespace sy {

class SequenceTracker {
 public:
  enum class Verdict {
    kNew,        // first time seen (in order or reordered): play it
    kDuplicate,  // already seen
    kTooOld,     // behind the duplicate window, or an unconfirmed large jump: drop
    kRestart,    // a confirmed jump: tracking restarted at this packet (caller flushes buffers)
  };

  static constexpr int kMaxDropout = 3000;  // forward jump still taken as loss
  static constexpr int kMaxMisorder = 100;  // backward distance still taken as reordering

  Verdict Update(uint16_t seq, int64_t* extended);
  void Reset();  // new source (SSRC change): losses so far stay in lostBefore_

  // Packets missing from the sequence space seen so far (expected minus received).
  int64_t Lost() const;

  // The current run (since the first packet or the last restart), for RTCP reports.
  bool started() const { return started_; }
  int64_t highest() const { return maxExt_; }
  int64_t expected() const { return maxExt_ - baseExt_ + 1; }
  int64_t received() const { return received_; }

 private:
  void Start(uint16_t seq);

  bool started_ = false;
  int64_t maxExt_ = 0;      // highest extended sequence number seen
  int64_t baseExt_ = 0;     // first extended sequence number of this run
  uint64_t window_ = 0;     // bit i set: maxExt_ - i was received
  int64_t received_ = 0;    // distinct packets received in this run
  int64_t lostBefore_ = 0;  // losses of earlier runs
  bool haveBadSeq_ = false;
  uint16_t badSeq_ = 0;     // a large jump is confirmed when the next packet is badSeq_
};

}  // namespace sy
