#include "telephone_event.h"

#include "pcm.h"

namespace sy {
namespace {

// Without any packet for this long, an active event is over even though no end packet came
// (RFC 4733 §2.5.2 leaves the timeout to the receiver; senders update every 50 ms or
// faster, so this is several lost updates in a row).
constexpr int64_t kEventTimeoutNs = 500 * int64_t{1000000};

uint32_t DurationMs(uint64_t duration) { return static_cast<uint32_t>(duration * 1000 / kSampleRate); }

}  // namespace

bool ParseTelephoneEvent(const uint8_t* p, size_t size, TelephoneEvent* out) {
  if (size < kTelephoneEventSize) return false;
  out->code = p[0];
  out->end = (p[1] & 0x80) != 0;
  out->volume = p[1] & 0x3f;
  out->duration = static_cast<uint16_t>((p[2] << 8) | p[3]);
  return true;
}

void WriteTelephoneEvent(const TelephoneEvent& e, uint8_t out[kTelephoneEventSize]) {
  out[0] = e.code;
  out[1] = static_cast<uint8_t>((e.end ? 0x80 : 0) | (e.volume & 0x3f));  // R = 0
  out[2] = static_cast<uint8_t>(e.duration >> 8);
  out[3] = static_cast<uint8_t>(e.duration & 0xff);
}

bool TelephoneEventReceiver::ContinuesEvent(uint32_t timestamp, bool marker, char digit) const {
  // The next segment starts where the current one reached the maximum duration, without the
  // marker bit (that starts a new event), with the same key.
  return active_ && !marker && digit == digit_ && timestamp - lastTimestamp_ == kMaxEventSegment;
}

void TelephoneEventReceiver::OnPacket(uint32_t ssrc, uint32_t timestamp, bool marker, const TelephoneEvent& e,
                                      int64_t nowNs, DtmfEdges* edges) {
  const char digit = DtmfDigit(e.code);
  if (digit == 0) return;  // not a DTMF key (e.g. flash, or modem tones of RFC 4734)
  if (haveLast_ && ssrc == ssrc_) {
    // All packets of one event carry the event's start timestamp (§2.5.1). An older
    // timestamp is a straggler of an event we are done with.
    const int32_t age = static_cast<int32_t>(timestamp - lastTimestamp_);
    if (age < 0) return;
    if (age == 0) {
      // The same event: an update, or an end packet. The end is sent three times
      // (§2.5.1.4); once the event has ended, its repeats (and late updates) are dropped.
      if (!active_) return;
      lastPacketNs_ = nowNs;
      if (e.duration > duration_) duration_ = e.duration;
      if (e.end) End(edges);
      return;
    }
    if (ContinuesEvent(timestamp, marker, digit)) {
      // The key is still down: the earlier segment counts in full, whatever of its last
      // updates were lost.
      earlierSegments_ += kMaxEventSegment;
      lastTimestamp_ = timestamp;
      duration_ = e.duration;
      lastPacketNs_ = nowNs;
      if (e.end) End(edges);
      return;
    }
  }
  // A new timestamp (or a new source) is a new event (§2.5.2), marker bit or not: its first
  // packets may have been lost. The previous one ends here if its end packets never came.
  if (active_) End(edges);
  haveLast_ = true;
  ssrc_ = ssrc;
  lastTimestamp_ = timestamp;
  active_ = true;
  digit_ = digit;
  duration_ = e.duration;
  earlierSegments_ = 0;
  lastPacketNs_ = nowNs;
  DtmfEdge down;
  down.down = true;
  down.digit = digit;
  down.method = DtmfMethod::kRfc4733;
  edges->Add(down);
  if (e.end) End(edges);  // only the end survived
}

void TelephoneEventReceiver::OnTick(int64_t nowNs, DtmfEdges* edges) {
  if (active_ && nowNs - lastPacketNs_ >= kEventTimeoutNs) End(edges);
}

void TelephoneEventReceiver::End(DtmfEdges* edges) {
  active_ = false;
  DtmfEdge up;
  up.digit = digit_;
  up.method = DtmfMethod::kRfc4733;
  up.durationMs = DurationMs(uint64_t{earlierSegments_} + duration_);
  edges->Add(up);
}

}  // namespace sy
