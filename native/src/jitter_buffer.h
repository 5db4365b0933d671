// The adaptive jitter buffer of one RTP source. Decoded audio is written into a ring indexed
// by RTP timestamp, so packets of any duration (10, 20, 30 ms...) land where they belong:
// reordering is free, a duplicate finds its place taken, a packet whose time has been played
// is late. One 20 ms frame is read per tick at the playout point; missing audio is concealed
// (plc.h).
//
// Depth adapts to the measured jitter: target = spread of packet transit times (arrival minus
// RTP timestamp) over the last ~4 s + one frame + a margin, clamped to [min, max]. The
// playout point moves towards it gradually: during silence by dropping or inserting up to a
// frame of silence, during speech by removing or repeating one pitch period per frame
// (time_stretch.h: no change of pitch, so a tone or a voice comes out as sent). It grows fast
// (the first late packet widens the window at once, and a dry buffer holds the playout
// point) and shrinks slowly (a spike is forgotten only when it leaves the window).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "pcm.h"
#include "plc.h"
#include "ring_mask.h"
#include "time_stretch.h"
#include "windowed_range.h"

namespace sy {

struct JitterSettings {
  size_t minSamples = 2 * kFrameSamples;
  size_t maxSamples = 25 * kFrameSamples;
  size_t initialSamples = 2 * kFrameSamples;  // the target before anything is measured
};

class JitterBuffer {
 public:
  static constexpr size_t kRingSamples = 8192;      // 1.024 s: how far ahead a packet may land
  static constexpr size_t kMaxPacketSamples = 480;  // 60 ms
  static constexpr size_t kMaxDepthLimit = 4000;    // 500 ms: settings are clamped to this

  struct Packet {
    int64_t sequence;    // extended
    uint32_t timestamp;  // RTP
    bool marker;         // start of a talkspurt
    const int16_t* pcm;
    size_t samples;
    int64_t arrivalNs;
  };
  enum class PushResult { kQueued, kDuplicate, kLate, kOverflow, kTimestampJump, kTooLarge };

  struct PullReport {
    bool playing = false;    // false: waiting for the first packet, or idle after a long gap
    bool concealed = false;  // some of the frame was made up (plc)
    bool underrun = false;   // nothing to play: the playout point held
    bool overflow = false;   // far over the maximum depth: audio skipped
    bool filled = false;     // some of the frame is silence nobody sent: the lead-in, a
                             // suppressed pause, a frame inserted to grow the depth
  };

  explicit JitterBuffer(const JitterSettings& settings);

  PushResult Push(const Packet& p);
  PullReport Pull(int64_t nowNs, int16_t* out);  // exactly kFrameSamples
  void Flush();                                  // new source: start over at the next packet

  size_t depthSamples() const { return depth_; }    // buffered ahead of playout, last tick
  size_t targetSamples() const { return target_; }

 private:
  void Anchor(int64_t ts);  // playout restarts `target_` before `ts`
  int64_t Extend(uint32_t ts) const;
  void UpdateTarget(int64_t nowNs);
  bool Silent(int64_t from, size_t n) const;
  // n samples of the ring from timestamp `ts` on, in at most two copies (it may wrap).
  void WriteRing(int64_t ts, const int16_t* in, size_t n);
  void ReadRing(int64_t ts, size_t n, int16_t* out) const;
  bool ReadSamples(size_t n, int16_t* out, bool* filled);  // from the playout point; true if any concealed
  bool Peek(size_t n, int16_t* out) const;  // n samples from the playout point, if all arrived
  void Remember(const int16_t* frame);      // a played frame, into history_
  void Skip(int64_t n);  // drops audio at the playout point (far over the maximum)
  size_t Index(int64_t ts) const { return static_cast<size_t>(static_cast<uint64_t>(ts) & (kRingSamples - 1)); }

  JitterSettings settings_;
  std::vector<int16_t> ring_;
  RingMask<kRingSamples> present_;
  Concealer concealer_;
  std::array<int16_t, kPeriodSpan> history_{};  // the last samples played, oldest first

  bool anchored_ = false;  // a playout point exists
  bool idle_ = true;       // dry long enough to have faded out: the next packet anchors again
  int64_t playout_ = 0;    // extended timestamp of the next sample to play
  int64_t newestEnd_ = 0;  // end of the furthest audio written
  int64_t silentUntil_ = 0;  // missing audio before this is silence (lead-in, suppression)
  int64_t lastTs_ = 0;     // extended timestamp of the latest packet (for extension)
  int64_t lastSeq_ = 0;    // extended sequence number of the furthest packet
  size_t dryTicks_ = 0;
  int64_t sourceStartNs_ = 0;  // arrival of the source's first packet

  WindowedRange transit_;  // arrival (in samples) minus RTP timestamp
  WindowedRange depthWindow_;  // depth at each tick, in the current playout timeline
  int64_t jitter_ = 0;  // transit spread over the window
  size_t target_;
  size_t depth_ = 0;
};

}  // namespace sy
