#include "jitter_buffer.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace sy {
namespace {

constexpr int64_t kNsPerSample = 1000000000 / kSampleRate;
constexpr int64_t kWindowBucketNs = 250000000;  // 16 buckets: a 4 s memory
constexpr int64_t kWindowNs = kWindowBucketNs * static_cast<int64_t>(WindowedRange::kBuckets);
constexpr int64_t kFrame = static_cast<int64_t>(kFrameSamples);
constexpr int64_t kMargin = kFrame / 4;  // 5 ms over the worst recent arrival
constexpr int64_t kGrowSlack = kFrame / 8;
constexpr int64_t kShrinkSlack = kFrame / 2;        // in silence
constexpr int64_t kSpeechShrinkSlack = 2 * kFrame;  // in speech: only when clearly too deep
constexpr int kSilenceLevel = 256;   // about -42 dBFS: dropping or inserting here is inaudible
constexpr int64_t kOverflowSlack = 4 * kFrame;

// Linear interpolation of n samples of silence onto one frame (n = 0: zeros). Only silent
// audio is squeezed or stretched this way: speech keeps its pitch (time_stretch.h).
void Resample(const int16_t* in, size_t n, int16_t* out) {
  if (n == kFrameSamples) {
    std::memcpy(out, in, kFrameSamples * sizeof(int16_t));
    return;
  }
  if (n == 0) {
    std::memset(out, 0, kFrameSamples * sizeof(int16_t));
    return;
  }
  const int64_t last = kFrame - 1;
  for (int64_t i = 0; i < kFrame; ++i) {
    const int64_t num = i * static_cast<int64_t>(n - 1);
    const int64_t at = num / last;
    const int64_t frac = num % last;
    const int32_t a = in[at];
    const int32_t b = frac == 0 ? a : in[at + 1];
    out[i] = static_cast<int16_t>(a + (b - a) * frac / last);
  }
}

}  // namespace

JitterBuffer::JitterBuffer(const JitterSettings& settings)
    : settings_(settings), ring_(kRingSamples), transit_(kWindowBucketNs),
      depthWindow_(kWindowBucketNs) {
  settings_.maxSamples = std::min(std::max(settings_.maxSamples, kFrameSamples), kMaxDepthLimit);
  settings_.minSamples = std::min(settings_.minSamples, settings_.maxSamples);
  target_ = std::clamp(settings_.initialSamples, settings_.minSamples, settings_.maxSamples);
}

int64_t JitterBuffer::Extend(uint32_t ts) const {
  // Nearest to the latest timestamp, across the 2^32 wrap.
  return lastTs_ + static_cast<int32_t>(ts - static_cast<uint32_t>(lastTs_));
}

void JitterBuffer::Anchor(int64_t ts) {
  present_.clear();
  playout_ = ts - static_cast<int64_t>(target_);
  silentUntil_ = ts;  // the lead-in is silence, not loss (an earlier packet may still fill it)
  newestEnd_ = ts;
  anchored_ = true;
  idle_ = false;
  dryTicks_ = 0;
  depthWindow_.Clear();
}

JitterBuffer::PushResult JitterBuffer::Push(const Packet& p) {
  if (p.samples > kMaxPacketSamples) return PushResult::kTooLarge;
  PushResult result = PushResult::kQueued;
  bool anchoredHere = false;  // the timestamp base starts over at this packet
  int64_t ts;
  const bool next = anchored_ && p.sequence == lastSeq_ + 1;  // right after the furthest packet
  if (!anchored_) {
    ts = p.timestamp;
    lastTs_ = ts;
    lastSeq_ = p.sequence;
    sourceStartNs_ = p.arrivalNs;
    Anchor(ts);
  } else {
    ts = Extend(p.timestamp);
    const int64_t end = ts + static_cast<int64_t>(p.samples);
    const bool drained = playout_ >= newestEnd_;
    if (idle_ || (p.marker && drained)) {
      // A new talkspurt after a gap: a fresh playout point at the target depth. If its transit
      // time is far off the window's, the sender's clock moved meanwhile: measure afresh.
      int64_t lo = 0, hi = 0;
      const int64_t transit = p.arrivalNs / kNsPerSample - ts;
      const int64_t far = static_cast<int64_t>(kRingSamples);
      if (transit_.Get(p.arrivalNs, &lo, &hi) && (transit < lo - far || transit > hi + far)) transit_.Clear();
      Anchor(ts);
      anchoredHere = true;
    } else if (next && (ts < lastTs_ || end - playout_ > static_cast<int64_t>(kRingSamples))) {
      // In sequence but the timestamp went back, or further ahead than the ring holds: the
      // sender's clock jumped. Transit times change with it.
      transit_.Clear();
      Anchor(ts);
      anchoredHere = true;
      result = PushResult::kTimestampJump;
    } else if (end - playout_ > static_cast<int64_t>(kRingSamples)) {
      return PushResult::kOverflow;
    }
  }
  const int64_t end = ts + static_cast<int64_t>(p.samples);
  transit_.Add(p.arrivalNs, p.arrivalNs / kNsPerSample - ts);  // late ones count: they widen it
  if (end <= playout_) return PushResult::kLate;

  if (next && ts > newestEnd_) {
    // The sender skipped time without skipping a sequence number: silence suppression
    // (RFC 3551 §4.1), not loss. Play it as silence.
    silentUntil_ = ts;
  }
  const int64_t from = std::max(ts, playout_);
  if (present_.test(Index(from)) && from < newestEnd_) return PushResult::kDuplicate;
  WriteRing(from, p.pcm + (from - ts), static_cast<size_t>(end - from));
  present_.SetRange(Index(from), static_cast<size_t>(end - from));
  if (p.sequence > lastSeq_) lastSeq_ = p.sequence;
  if (ts > lastTs_ || anchoredHere) lastTs_ = ts;
  newestEnd_ = std::max(newestEnd_, end);
  return result;
}

void JitterBuffer::UpdateTarget(int64_t nowNs) {
  int64_t lo = 0, hi = 0;
  if (!transit_.Get(nowNs, &lo, &hi)) return;
  jitter_ = hi - lo;
  int64_t want = jitter_ + kFrame + kMargin;
  // Until one window has been measured, do not go below the initial depth: a few packets
  // say little about the path, and the start of a call should not swing the depth around.
  if (nowNs - sourceStartNs_ < kWindowNs) want = std::max(want, static_cast<int64_t>(settings_.initialSamples));
  target_ = static_cast<size_t>(std::clamp(want, static_cast<int64_t>(settings_.minSamples),
                                           static_cast<int64_t>(settings_.maxSamples)));
}

void JitterBuffer::WriteRing(int64_t ts, const int16_t* in, size_t n) {
  const size_t at = Index(ts);
  const size_t first = std::min(n, kRingSamples - at);
  std::memcpy(ring_.data() + at, in, first * sizeof(int16_t));
  std::memcpy(ring_.data(), in + first, (n - first) * sizeof(int16_t));
}

void JitterBuffer::ReadRing(int64_t ts, size_t n, int16_t* out) const {
  const size_t at = Index(ts);
  const size_t first = std::min(n, kRingSamples - at);
  std::memcpy(out, ring_.data() + at, first * sizeof(int16_t));
  std::memcpy(out + first, ring_.data(), (n - first) * sizeof(int16_t));
}

bool JitterBuffer::Silent(int64_t from, size_t n) const {
  for (int64_t t = from; t < from + static_cast<int64_t>(n); ++t) {
    if (!present_.test(Index(t))) {
      if (t >= silentUntil_) return false;  // lost, not silent
    } else if (std::abs(ring_[Index(t)]) > kSilenceLevel) {
      return false;
    }
  }
  return true;
}

bool JitterBuffer::Peek(size_t n, int16_t* out) const {
  for (size_t k = 0; k < n; ++k) {
    const size_t i = Index(playout_ + static_cast<int64_t>(k));
    if (!present_.test(i)) return false;
    out[k] = ring_[i];
  }
  return true;
}

void JitterBuffer::Remember(const int16_t* frame) {
  std::memmove(history_.data(), history_.data() + kFrameSamples, (kPeriodSpan - kFrameSamples) * sizeof(int16_t));
  std::memcpy(history_.data() + (kPeriodSpan - kFrameSamples), frame, kFrameSamples * sizeof(int16_t));
}

bool JitterBuffer::ReadSamples(size_t n, int16_t* out, bool* filled) {
  bool concealed = false;
  if (present_.AllSet(Index(playout_), n)) {
    // All of it arrived (the usual case): what the loop below does, a range at a time.
    ReadRing(playout_, n, out);
    present_.ClearRange(Index(playout_), n);
    concealer_.Remember(out, n);
  } else {
    for (size_t k = 0; k < n; ++k) {
      const int64_t t = playout_ + static_cast<int64_t>(k);
      const size_t i = Index(t);
      if (present_.test(i)) {
        out[k] = ring_[i];
        present_.reset(i);
        concealer_.Remember(&out[k], 1);
      } else if (t < silentUntil_) {
        out[k] = 0;
        *filled = true;
      } else {
        out[k] = concealer_.Next();
        concealed = true;
      }
    }
  }
  playout_ += static_cast<int64_t>(n);
  // Depths measured so far were taken on the old timeline: playing n instead of one frame
  // leaves frame - n more (or less) audio ahead from now on.
  depthWindow_.Shift(kFrame - static_cast<int64_t>(n));
  return concealed;
}

void JitterBuffer::Skip(int64_t n) {
  present_.ClearRange(Index(playout_), static_cast<size_t>(n));
  playout_ += n;
  depthWindow_.Shift(-n);
}

JitterBuffer::PullReport JitterBuffer::Pull(int64_t nowNs, int16_t* out) {
  PullReport r;
  if (!anchored_ || idle_) {
    std::memset(out, 0, kFrameSamples * sizeof(int16_t));
    return r;
  }
  r.playing = true;
  UpdateTarget(nowNs);
  int64_t ahead = newestEnd_ - playout_;
  if (ahead > static_cast<int64_t>(settings_.maxSamples) + kOverflowSlack) {
    // Far more than the maximum (a burst after a stall): drop down to the target at once.
    Skip(ahead - static_cast<int64_t>(target_));
    ahead = static_cast<int64_t>(target_);
    r.overflow = true;
  }
  depth_ = ahead > 0 ? static_cast<size_t>(ahead) : 0;
  depthWindow_.Add(nowNs, static_cast<int64_t>(depth_));

  if (ahead <= 0) {
    // Dry: hold the playout point (a delayed packet may still come: that is how the buffer
    // grows on an underrun) and conceal; after the fade, go idle until the next packet.
    r.underrun = true;
    r.concealed = !concealer_.faded();
    for (size_t i = 0; i < kFrameSamples; ++i) out[i] = concealer_.Next();
    Remember(out);
    depthWindow_.Shift(kFrame);
    if (++dryTicks_ > Concealer::kFadeFrames) idle_ = true;
    return r;
  }
  dryTicks_ = 0;

  // Samples to play this tick: a frame, less to grow the depth, more to shrink it. Silence is
  // squeezed or stretched by up to a frame; speech by one pitch period, if it has one.
  size_t n = kFrameSamples;
  size_t period = 0;
  bool insert = false;
  int16_t raw[2 * kFrameSamples];
  int64_t lowest = 0, highest = 0;
  if (depthWindow_.Get(nowNs, &lowest, &highest)) {
    // The lowest depth of the window should be one frame and a margin (target minus jitter).
    const int64_t excess = lowest - (static_cast<int64_t>(target_) - jitter_);
    if (excess < -kGrowSlack) {
      if (Silent(playout_, kFrameSamples)) {
        n -= static_cast<size_t>(std::min(kFrame, -excess));
      } else if ((period = RepeatPeriod(history_.data())) != 0) {
        n -= period;
        insert = true;
      }
    } else if (excess > kShrinkSlack) {
      if (Silent(playout_, 2 * kFrameSamples)) {
        const int64_t step = std::min(kFrame, excess);
        if (playout_ + kFrame + step <= newestEnd_) n += static_cast<size_t>(step);  // drop only audio we have
      } else if (excess > kSpeechShrinkSlack && Peek(kPeriodSpan, raw) && (period = RepeatPeriod(raw)) != 0) {
        n += period;
      }
    }
  }
  r.filled = n == 0;
  r.concealed = ReadSamples(n, raw, &r.filled);
  if (period == 0) {
    Resample(raw, n, out);
  } else if (insert) {
    InsertPeriod(history_.data(), raw, period, out);
  } else {
    RemovePeriod(raw, period, out);
  }
  Remember(out);
  return r;
}

void JitterBuffer::Flush() {
  present_.clear();
  anchored_ = false;
  idle_ = true;
  dryTicks_ = 0;
  depth_ = 0;
  jitter_ = 0;
  transit_.Clear();
  depthWindow_.Clear();
  concealer_.Reset();
  history_.fill(0);
}

}  // namespace sy
