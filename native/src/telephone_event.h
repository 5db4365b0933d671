// RFC 4733 telephone-event payload (§2.3) and the receive side of DTMF over it: turns the
// stream of event packets (a start with the marker bit, updates with a growing duration,
// an end packet sent three times) into one key press per event. An event longer than the
// 16-bit duration field comes as segments (§2.5.1.3), joined back into one key press.
#pragma once
#include <cstddef>
#include <cstdint>

#include "dtmf.h"

namespace sy {

constexpr size_t kTelephoneEventSize = 4;
// The longest duration one packet can report; a longer event goes on in a new segment whose
// timestamp is this much later (RFC 4733 §2.5.1.3).
constexpr uint32_t kMaxEventSegment = 0xffff;

// event (8) | E (1) R (1) volume (6) | duration (16), RFC 4733 §2.3.
struct TelephoneEvent {
  uint8_t code = 0;
  bool end = false;
  uint8_t volume = 0;     // 0..63: -dBm0
  uint16_t duration = 0;  // timestamp units since the event's timestamp
};

// False if the payload is shorter than one event; reads the first (NextPackedEventStart leads to the others).
bool ParseTelephoneEvent(const uint8_t* payload, size_t size, TelephoneEvent* out);
// RFC 4733 §2.5.1.5: a packet may carry several consecutive, contiguous events, 4 bytes each;
// the packet's timestamp is the first one's start and each next event starts where the one
// before it ended (its start + its duration).
inline uint32_t NextPackedEventStart(uint32_t start, const TelephoneEvent& e) { return start + e.duration; }
void WriteTelephoneEvent(const TelephoneEvent& e, uint8_t out[kTelephoneEventSize]);

class TelephoneEventReceiver {
 public:
  // One telephone-event packet (already past sequence checks: no exact duplicates).
  void OnPacket(uint32_t ssrc, uint32_t timestamp, bool marker, const TelephoneEvent& e, int64_t nowNs,
                DtmfEdges* edges);
  // Once per tick: ends a key press whose end packets were all lost.
  void OnTick(int64_t nowNs, DtmfEdges* edges);

 private:
  void End(DtmfEdges* edges);
  // A packet of the segment that follows the active event's current one (§2.5.2.3).
  bool ContinuesEvent(uint32_t timestamp, bool marker, char digit) const;

  bool active_ = false;      // a key is down
  bool haveLast_ = false;    // ssrc_ and lastTimestamp_ are meaningful
  uint32_t ssrc_ = 0;       // the source of lastTimestamp_: another one has its own timestamps
  uint32_t lastTimestamp_ = 0;  // timestamp of the newest event seen (active or ended)
  char digit_ = 0;
  uint16_t duration_ = 0;    // longest duration seen in the active event's current segment
  uint32_t earlierSegments_ = 0;  // timestamp units of its earlier segments
  int64_t lastPacketNs_ = 0;
};

}  // namespace sy
