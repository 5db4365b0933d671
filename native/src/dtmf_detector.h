// In-band DTMF detection on decoded 8 kHz audio (for peers without telephone-event):
// Goertzel filters at the 8 DTMF frequencies over 102-sample windows that advance by 10 ms.
// A window "hits" a key when its row and column tones are both loud enough, hold most of
// the window's energy, are within the twist limits and are not the fundamentals of a
// harmonic-rich sound. A key goes down after enough consecutive hits (about 40 ms of tone)
// and comes up after enough consecutive misses, so one press gives one key.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

#include "dtmf.h"

namespace sy {

class DtmfDetector {
 public:
  // 12.75 ms: bins 78 Hz wide put each neighbouring row or column (73-156 Hz apart) near a
  // null of the filter, yet a key 1.5 % off its frequencies (which must be accepted) still
  // keeps most of its energy in its bins. A 20 ms window would lose up to half of it.
  static constexpr size_t kWindow = 102;
  static constexpr size_t kHop = 80;  // 10 ms

  // Feeds audio (any length); appends the key edges it completes.
  void Process(const int16_t* samples, size_t n, DtmfEdges* edges);
  void Reset();
  // The key one window of kWindow samples holds, or 0. Public for its own sake: it is the
  // whole per-window decision.
  static char Classify(const float* window);

 private:
  void OnWindow(char hit, DtmfEdges* edges);

  std::array<float, kWindow> window_{};  // starts as silence
  size_t inHop_ = 0;                     // samples of the current hop already in window_

  int64_t index_ = 0;  // windows analysed so far
  char candidate_ = 0;
  int candidateHits_ = 0;
  int64_t candidateFirst_ = 0;
  bool down_ = false;
  char digit_ = 0;
  int64_t firstHit_ = 0;
  int64_t lastHit_ = 0;
  int misses_ = 0;
};

}  // namespace sy
