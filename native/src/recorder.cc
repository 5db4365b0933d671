#include "recorder.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "counters.h"
#include "endpoint.h"
#include "media_thread.h"
#include "mixer.h"

namespace sy {

const char* RecordingEndName(RecordingEnd end) {
  switch (end) {
    case RecordingEnd::kStopped: return "stopped";
    case RecordingEnd::kSourceClosed: return "sourceClosed";
    case RecordingEnd::kEngineClosed: return "engineClosed";
    case RecordingEnd::kSizeLimit: return "sizeLimit";
  }
  return "stopped";
}

void Recorder::Add(std::shared_ptr<RecordingState> state, const RecordingSource& source) {
  active_.push_back(Active{std::move(state), source, false});
}

void Recorder::SetPaused(uint32_t id, bool paused) {
  for (Active& a : active_) {
    if (a.state->id == id) a.paused = paused;
  }
}

void Recorder::Stop(uint32_t id) {
  auto it = std::find_if(active_.begin(), active_.end(), [id](const Active& a) { return a.state->id == id; });
  if (it == active_.end()) return;
  it->state->End(RecordingEnd::kStopped);
  active_.erase(it);
}

bool Recorder::TakeFrame(MediaThread& thread, const Active& a, int16_t* out) {
  const RecordingSource& s = a.source;
  if (s.kind == RecordingSource::Kind::kEndpoint) {
    const RtpEndpoint* ep = thread.FindEndpoint(s.endpoint);
    if (ep == nullptr) return false;
    std::memcpy(out, ep->input(), kFrameSamples * sizeof(int16_t));
    return true;
  }
  const Mixer* mixer = thread.FindMixer(s.mixer);
  if (mixer == nullptr) return false;
  if (s.kind == RecordingSource::Kind::kMix) {
    std::array<int32_t, kFrameSamples> sum{};
    mixer->ForEachMember([&sum](const RtpEndpoint& ep) {
      const int16_t* in = ep.input();
      for (size_t k = 0; k < kFrameSamples; ++k) sum[k] += in[k];
    });
    for (size_t k = 0; k < kFrameSamples; ++k) out[k] = Saturate(sum[k]);
    return true;
  }
  // Stereo: a party that is not (or no longer, or not yet) a member is silence.
  const uint32_t ids[2] = {s.left, s.right};
  for (int ch = 0; ch < 2; ++ch) {
    const RtpEndpoint* ep = mixer->Has(ids[ch]) ? thread.FindEndpoint(ids[ch]) : nullptr;
    const int16_t* in = ep != nullptr ? ep->input() : nullptr;
    for (size_t k = 0; k < kFrameSamples; ++k) out[2 * k + ch] = in != nullptr ? in[k] : 0;
  }
  return true;
}

void Recorder::Capture(MediaThread& thread) {
  size_t kept = 0;
  for (size_t i = 0; i < active_.size(); ++i) {
    Active& a = active_[i];
    RecordingState& st = *a.state;
    if (st.abandoned.load(std::memory_order_relaxed)) continue;  // the writer gave up: drop it
    if (!a.paused) {
      int16_t* slot = st.ring.Reserve();
      std::array<int16_t, 2 * kFrameSamples> scratch;  // a full ring still notices a closed source
      if (!TakeFrame(thread, a, slot != nullptr ? slot : scratch.data())) {
        st.End(RecordingEnd::kSourceClosed);
        continue;
      }
      if (slot != nullptr) {
        st.ring.Commit();
      } else {
        Bump(st.droppedFrames);
      }
    }
    if (kept != i) active_[kept] = std::move(a);
    ++kept;
  }
  active_.resize(kept);
}

}  // namespace sy
