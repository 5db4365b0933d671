// Voice activity detection on one endpoint's received audio, one 20 ms frame at a time.
// A frame is loud when its energy is `marginDb` above the noise floor and above an absolute
// minimum level. The noise floor is the lowest frame energy of the last second or so
// (minimum statistics): it follows the background up or down within about a second and is
// not pulled up by speech, which always has quieter frames between syllables and words.
// Loud frames become speech after `minSpeechMs` of them in a row; speech ends when the audio
// has been quiet for both `hangoverMs` and `minSilenceMs`, and the segment is reported as
// lasting until `hangoverMs` after its last loud frame (word tails are quiet).
#pragma once
#include <array>
#include <cstdint>
#include <optional>

#include "pcm.h"

namespace sy {

struct VadConfig {
  bool enabled = false;  // events and counters; detection itself always runs (barge-in)
  int hangoverMs = 200;
  int minSpeechMs = 100;
  int minSilenceMs = 400;
  double marginDb = 10;     // a loud frame is this much above the noise floor...
  double minLevelDb = -50;  // ...and above this level (dBFS: 0 is a full-scale square wave)
};

// A change to a VadConfig: the fields that are set replace the current ones.
struct VadOptions {
  std::optional<bool> enabled;
  std::optional<int> hangoverMs, minSpeechMs, minSilenceMs;
  std::optional<double> marginDb, minLevelDb;
  VadConfig ApplyTo(VadConfig c) const {
    c.enabled = enabled.value_or(c.enabled);
    c.hangoverMs = hangoverMs.value_or(c.hangoverMs);
    c.minSpeechMs = minSpeechMs.value_or(c.minSpeechMs);
    c.minSilenceMs = minSilenceMs.value_or(c.minSilenceMs);
    c.marginDb = marginDb.value_or(c.marginDb);
    c.minLevelDb = minLevelDb.value_or(c.minLevelDb);
    return c;
  }
};

class VoiceDetector {
 public:
  enum class Change { kNone, kStart, kEnd };

  void Configure(const VadConfig& config) { config_ = config; }
  const VadConfig& config() const { return config_; }

  // One frame of received audio (kFrameSamples). The media clock advances by one frame.
  // `received` false: the frame is the receive buffer's filler for missing packets; it
  // counts as quiet but does not pull the noise floor down to digital silence.
  Change Process(const int16_t* frame, bool received);

  bool speaking() const { return speaking_; }
  bool startedThisFrame() const { return startedNow_; }
  // After kStart: where the segment began (media ms). After kEnd: where it ended and how long it was.
  int64_t segmentStartMs() const { return segmentStartMs_; }
  int64_t segmentEndMs() const { return segmentEndMs_; }
  int64_t mediaMs() const { return clockMs_; }  // audio processed so far
  // Time labelled speech and silence while enabled (a segment's frames move from silence to
  // talk when it is confirmed, and its trailing quiet frames back when it ends).
  int64_t talkMs() const { return talkMs_; }
  int64_t silenceMs() const { return silenceMs_; }
  double floorDb() const { return floorDb_; }

 private:
  static constexpr int kFramesPerWindow = 10;  // 200 ms
  static constexpr int kWindows = 5;           // the floor is the minimum over about 1 s

  double UpdateFloor(double energyDb);

  VadConfig config_;
  // Minimum statistics: the minimum of the current window and of the previous ones.
  std::array<double, kWindows> windowMin_{};
  int windowsFilled_ = 0;
  int windowIndex_ = 0;
  int framesInWindow_ = 0;
  double currentMin_ = 0;
  double floorDb_ = 0;

  int64_t clockMs_ = 0;
  bool speaking_ = false;
  bool startedNow_ = false;
  int64_t loudRunMs_ = 0;     // consecutive loud frames while silent
  int64_t countedRunMs_ = 0;  // of which counted as silence (while enabled)
  int64_t countedQuietMs_ = 0;  // quiet since the last loud frame, counted as talk
  int64_t lastLoudEndMs_ = 0;  // end of the last loud frame while speaking
  int64_t segmentStartMs_ = 0;
  int64_t segmentEndMs_ = 0;
  int64_t talkMs_ = 0;
  int64_t silenceMs_ = 0;
};

}  // namespace sy
