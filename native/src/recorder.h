// The capture side of recordings on one media thread. Once per tick, after every endpoint
// has pulled its input frame, each active recording takes the frame it records and pushes
// it into its ring: never a disk operation here. A full ring counts a dropped frame.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "recording.h"

namespace sy {

class MediaThread;

struct RecordingSource {
  enum class Kind {
    kEndpoint,  // mono: what one endpoint says
    kMix,       // mono: the sum of what every member of a mixer says
    kStereo,    // left: what `left` says, right: what `right` says (silence while not a member)
  };
  Kind kind = Kind::kEndpoint;
  uint32_t endpoint = 0;  // kEndpoint
  uint32_t mixer = 0;     // kMix, kStereo
  uint32_t left = 0;      // kStereo
  uint32_t right = 0;     // kStereo

  int channels() const { return kind == Kind::kStereo ? 2 : 1; }
};

class Recorder {
 public:
  // Commands (on the media thread); they take effect from the next tick.
  void Add(std::shared_ptr<RecordingState> state, const RecordingSource& source);
  void SetPaused(uint32_t id, bool paused);
  void Stop(uint32_t id);

  // Tick: one frame for each active, unpaused recording. Recordings whose source is gone end.
  void Capture(MediaThread& thread);


 private:
  struct Active {
    std::shared_ptr<RecordingState> state;
    RecordingSource source;
    bool paused = false;
  };
  // Writes this tick's frame of `a` into `out`; false if the source no longer exists.
  static bool TakeFrame(MediaThread& thread, const Active& a, int16_t* out);

  std::vector<Active> active_;
};

}  // namespace sy
