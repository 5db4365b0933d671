// One recording as both sides see it: the media thread that captures it pushes frames into
// the ring and says when it ended; the writer thread drains the ring into the WAV file and
// says when the producer should give up (file failed or full).
#pragma once
#include <atomic>
#include <cstdint>
#include <string>
#include <utility>

#include "pcm.h"
#include "ring_buffer.h"

namespace sy {

// Frames the ring holds: 2 s of audio, the disk stall a recording survives without loss.
constexpr size_t kRecordingRingFrames = 100;

enum class RecordingEnd : int {
  kStopped,       // stop() from JS
  kSourceClosed,  // its endpoint or mixer closed
  kEngineClosed,  // the engine shut down (or the process exited)
  kSizeLimit,     // the 4 GiB WAV limit
};

const char* RecordingEndName(RecordingEnd end);

struct RecordingState {
  RecordingState(uint32_t id, std::string path, int channels)
      : id(id), path(std::move(path)), channels(channels), ring(kRecordingRingFrames, kFrameSamples * channels) {}

  const uint32_t id;
  const std::string path;
  const int channels;  // 1 or 2, interleaved
  FrameRing ring;

  // Producer side: set after its last frame is pushed (release), with the reason first.
  std::atomic<int> endReason{static_cast<int>(RecordingEnd::kStopped)};
  std::atomic<bool> ended{false};
  std::atomic<int64_t> droppedFrames{0};  // ring full: the writer fell behind

  // Writer side: the producer should stop pushing (nobody will read any more).
  std::atomic<bool> abandoned{false};
  // Writer side: the file is closed and the event sent.
  std::atomic<bool> finished{false};

  void End(RecordingEnd reason) {
    endReason.store(static_cast<int>(reason), std::memory_order_relaxed);
    ended.store(true, std::memory_order_release);
  }
};

}  // namespace sy
