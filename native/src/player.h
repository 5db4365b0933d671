// Plays decoded audio (8 kHz mono PCM, prepared off the media thread) on one endpoint, one
// 20 ms frame per tick. A second play either replaces what is playing (it ends 'stopped')
// or queues behind it; queued items follow each other without a gap. Each item goes to the
// endpoint's remote party or into the mixer (added to what the endpoint says, so the
// members that hear it hear the item). A key press or the start of speech ends every item,
// playing or queued, that asked for it.
#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "events.h"
#include "pcm.h"

namespace sy {

enum class PlayTarget { kRemote, kMixer };

struct PlayRequest {
  uint32_t id = 0;
  std::shared_ptr<const std::vector<int16_t>> pcm;  // 8 kHz mono, not empty
  PlayTarget target = PlayTarget::kRemote;
  bool loop = false;
  bool queue = false;  // false: replace what is playing
  bool stopOnDtmf = false;
  bool stopOnSpeech = false;
};

class Player {
 public:
  enum class Reason { kFinished, kStopped, kDtmf, kSpeech, kError };

  explicit Player(uint32_t endpointId) : endpointId_(endpointId) {}

  void Play(PlayRequest request, EventList& events);
  void Stop(uint32_t playbackId, EventList& events);  // 0: everything, playing and queued
  void OnKeyPress(EventList& events) { EndWhere(&PlayRequest::stopOnDtmf, Reason::kDtmf, events); }
  void OnSpeechStart(EventList& events) { EndWhere(&PlayRequest::stopOnSpeech, Reason::kSpeech, events); }

  // Renders this tick's frame of each target; an item that runs out ends 'finished'.
  void Render(EventList& events);
  bool hasRemoteFrame() const { return hasFrame_[0]; }
  bool hasMixerFrame() const { return hasFrame_[1]; }
  const int16_t* remoteFrame() const { return frames_[0].data(); }
  const int16_t* mixerFrame() const { return frames_[1].data(); }

  // An event for a playback that could not start (its endpoint is gone).
  static void ReportDone(uint32_t endpointId, uint32_t playbackId, Reason reason, uint64_t playedSamples,
                         EventList& events);

 private:
  struct Item {
    PlayRequest request;
    size_t position = 0;
    uint64_t played = 0;  // samples
  };
  void End(const Item& item, Reason reason, EventList& events) const;
  void EndWhere(bool PlayRequest::*flag, Reason reason, EventList& events);

  uint32_t endpointId_;
  std::deque<Item> items_;  // front: playing
  std::array<std::array<int16_t, kFrameSamples>, 2> frames_{};
  std::array<bool, 2> hasFrame_{};
};

}  // namespace sy
