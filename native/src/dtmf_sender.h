// The send side of DTMF for one endpoint: a queue of digit strings, played one tick at a
// time either as RFC 4733 telephone-event packets or as in-band dual tones.
//
// RFC 4733 (§2.5.1): one timestamp per event (the tick it starts on), the first packet with
// the marker bit, an update every 20 ms with the duration so far, and the final packet
// (E bit, full duration) sent three times. Voice is suppressed until the last of them. An
// event longer than the 16-bit duration field goes out as segments (§2.5.1.3).
// In-band: the two tones of the key replace the outgoing audio for the duration.
// Each digit is followed by a gap (voice flows again) before the next.
#pragma once
#include <cstdint>
#include <deque>
#include <string>

#include "dtmf.h"
#include "telephone_event.h"
#include "tone.h"

namespace sy {

enum class DtmfSendMethod { kRfc4733, kInband, kAuto };  // kAuto: RFC 4733 if negotiated

struct DtmfRequest {
  std::string digits;  // validated: each one a DTMF key
  uint32_t durationMs = 100;
  uint32_t gapMs = 100;
  uint8_t volume = 10;  // -dBm0 of each tone
  DtmfSendMethod method = DtmfSendMethod::kAuto;
};

class DtmfSender {
 public:
  // What one tick sends instead of (or as) the audio frame.
  struct Tick {
    bool event = false;  // send `payload` as a telephone-event packet instead of audio
    bool marker = false;
    uint32_t timestamp = 0;
    uint8_t payload[kTelephoneEventSize] = {};
    bool finished = false;  // the front request is done (after this tick): report it
    std::string finishedDigits;
    DtmfMethod finishedMethod = DtmfMethod::kRfc4733;
  };

  void Enqueue(DtmfRequest r) { queue_.push_back(std::move(r)); }
  bool busy() const { return !queue_.empty(); }
  // One tick. `telephoneEventPt` < 0: the peer has none. `timestamp`: the RTP timestamp of
  // this tick's frame. In-band, the tone replaces `audio` (kFrameSamples samples).
  Tick Next(int telephoneEventPt, uint32_t timestamp, int16_t* audio);

 private:
  enum class Phase { kStart, kOn, kGap };
  void StartDigit(int telephoneEventPt, uint32_t timestamp);

  std::deque<DtmfRequest> queue_;
  size_t index_ = 0;          // digit of the front request
  Phase phase_ = Phase::kStart;
  DtmfMethod method_ = DtmfMethod::kRfc4733;  // of the front request, resolved when it starts
  TelephoneEvent event_;
  uint32_t eventTimestamp_ = 0;  // of the current event's current segment
  uint32_t eventTicks_ = 0;    // packets sent for the current event
  uint64_t earlierSegments_ = 0;  // timestamp units of its earlier segments
  uint32_t endRepeats_ = 0;    // end packets still to send
  uint64_t gapSamples_ = 0;    // left in the gap
  ToneGenerator tone_;
};

}  // namespace sy
