#include "dtmf_sender.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "pcm.h"

namespace sy {
namespace {

// The final packet of an event goes out this many times (RFC 4733 §2.5.1.4).
constexpr uint32_t kEndPackets = 3;
// A full-scale sine is +3.17 dBm0 in G.711 µ-law (ITU-T G.711 Table 5).
constexpr double kFullScaleDbm0 = 3.17;

uint64_t MsToSamples(uint32_t ms) { return static_cast<uint64_t>(ms) * kSampleRate / 1000; }

}  // namespace

void DtmfSender::StartDigit(int telephoneEventPt, uint32_t timestamp) {
  const DtmfRequest& r = queue_.front();
  if (index_ == 0) {
    // 'auto' is decided per request, when it starts: the payload types may change meanwhile.
    const bool rfc = r.method == DtmfSendMethod::kRfc4733 ||
                     (r.method == DtmfSendMethod::kAuto && telephoneEventPt >= 0);
    method_ = rfc ? DtmfMethod::kRfc4733 : DtmfMethod::kInband;
  }
  const int code = DtmfEventCode(r.digits[index_]);
  if (method_ == DtmfMethod::kRfc4733) {
    event_ = TelephoneEvent();
    event_.code = static_cast<uint8_t>(code);
    event_.volume = r.volume;
    eventTimestamp_ = timestamp;
    eventTicks_ = 0;
    earlierSegments_ = 0;
  } else {
    const DtmfPair f = DtmfFrequencies(code);
    ToneSpec spec;
    spec.frequenciesHz[0] = f.low;
    spec.frequenciesHz[1] = f.high;
    spec.frequencies = 2;
    spec.amplitude = std::pow(10.0, (-static_cast<double>(r.volume) - kFullScaleDbm0) / 20);
    spec.durationMs = r.durationMs;
    tone_.Start(spec);
  }
  endRepeats_ = 0;
  gapSamples_ = MsToSamples(r.gapMs);
  phase_ = Phase::kOn;
}

DtmfSender::Tick DtmfSender::Next(int telephoneEventPt, uint32_t timestamp, int16_t* audio) {
  Tick t;
  if (queue_.empty()) return t;
  if (phase_ == Phase::kStart) StartDigit(telephoneEventPt, timestamp);
  const DtmfRequest& r = queue_.front();

  if (phase_ == Phase::kOn) {
    if (method_ == DtmfMethod::kRfc4733) {
      const uint64_t total = MsToSamples(r.durationMs);
      ++eventTicks_;
      const uint64_t elapsed = std::min<uint64_t>(uint64_t{eventTicks_} * kFrameSamples, total);
      t.event = true;
      t.marker = eventTicks_ == 1;
      t.timestamp = eventTimestamp_;
      if (elapsed - earlierSegments_ > kMaxEventSegment) {
        // Longer than the duration field holds (§2.5.1.3): this segment ends at the maximum,
        // without the E bit; the next one starts there, with its own timestamp, no marker.
        event_.duration = static_cast<uint16_t>(kMaxEventSegment);
        event_.end = false;
        WriteTelephoneEvent(event_, t.payload);
        earlierSegments_ += kMaxEventSegment;
        eventTimestamp_ += kMaxEventSegment;
        return t;
      }
      event_.duration = static_cast<uint16_t>(elapsed - earlierSegments_);
      event_.end = elapsed == total;
      WriteTelephoneEvent(event_, t.payload);
      if (event_.end) {
        endRepeats_ = kEndPackets - 1;
        phase_ = Phase::kGap;
      }
    } else {
      std::memset(audio, 0, kFrameSamples * sizeof(int16_t));  // the tone replaces the voice
      if (tone_.MixInto(audio, kFrameSamples)) phase_ = Phase::kGap;
    }
    return t;
  }

  // The gap after a digit; the repeated end packets of an event go out at its start.
  if (endRepeats_ > 0) {
    --endRepeats_;
    t.event = true;
    t.timestamp = eventTimestamp_;
    WriteTelephoneEvent(event_, t.payload);
  }
  gapSamples_ -= std::min<uint64_t>(gapSamples_, kFrameSamples);
  if (gapSamples_ > 0 || endRepeats_ > 0) return t;
  phase_ = Phase::kStart;
  if (++index_ < r.digits.size()) return t;
  t.finished = true;
  t.finishedDigits = r.digits;
  t.finishedMethod = method_;
  queue_.pop_front();
  index_ = 0;
  return t;
}

}  // namespace sy
