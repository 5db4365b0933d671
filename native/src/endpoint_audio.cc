// The endpoint's speech detection: VAD events and talk/silence/overlap counters; the start
// of speech also ends playbacks that asked for barge-in.
#include "endpoint.h"

namespace sy {

void RtpEndpoint::DetectSpeech(bool received, EventList& events) {
  const VoiceDetector::Change change = vad_.Process(input_.data(), received);
  if (change == VoiceDetector::Change::kStart) player_.OnSpeechStart(events);
  if (!vad_.config().enabled) return;
  counters_->talkMs.store(vad_.talkMs(), std::memory_order_relaxed);
  counters_->silenceMs.store(vad_.silenceMs(), std::memory_order_relaxed);
  if (change == VoiceDetector::Change::kNone) return;
  Event ev;
  ev.endpoint = id_;
  if (change == VoiceDetector::Change::kStart) {
    ev.type = "speechStart";
    ev.numbers.emplace_back("mediaMs", static_cast<double>(vad_.segmentStartMs()));
  } else {
    ev.type = "speechEnd";
    ev.numbers.emplace_back("mediaMs", static_cast<double>(vad_.segmentEndMs()));
    ev.numbers.emplace_back("durationMs", static_cast<double>(vad_.segmentEndMs() - vad_.segmentStartMs()));
  }
  events.push_back(std::move(ev));
}

void RtpEndpoint::CountOverlap(size_t talkingMembers, size_t alreadyTalkingMembers) {
  if (!talking()) return;
  if (talkingMembers >= 2) Bump(counters_->overlapMs, kTickMs);
  if (vad_.startedThisFrame() && alreadyTalkingMembers >= 1) Bump(counters_->interruptions);
}

}  // namespace sy
