// The recording writer: one thread per engine that moves audio from every recording's ring
// into its WAV file, so no media thread ever touches the disk. Each pass (every 100 ms, or
// at once when a recording is added or the engine closes) it writes what each ring holds
// with one pwritev, rewrites the header sizes once a second (a killed process leaves
// playable files missing at most about the last second), and finishes a recording whose
// producer ended: header fixed, file closed, a 'recordingDone' event sent up (after a
// 'recordingOpened' when the file was created). A file that
// cannot be opened or written ends with a 'recordingError' event and the media thread stops
// capturing it.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "events.h"
#include "recording.h"
#include "wav_writer.h"

namespace sy {

struct RecorderStats {
  int64_t active = 0;         // recordings the writer holds
  int64_t finished = 0;       // recordingDone events sent
  int64_t failed = 0;         // recordingError events sent
  int64_t framesWritten = 0;  // 20 ms frames (of 1 or 2 channels) written
  int64_t bytesWritten = 0;   // sample bytes written (headers not counted)
  int64_t droppedFrames = 0;  // frames refused by full rings, over finished recordings
  int64_t writeUs = 0;        // time spent in write calls
  int64_t passes = 0;         // writer passes over all recordings
  int64_t maxPassUs = 0;      // the longest pass
};

class RecordingWriter {
 public:
  explicit RecordingWriter(EventSink& sink) : sink_(sink) {}
  ~RecordingWriter() { Stop(); }

  bool Start(std::string* error);
  void Add(std::shared_ptr<RecordingState> state);  // any thread
  // Call after every producer has stopped: drains and finishes every recording (reason
  // 'engineClosed' for those still running), then joins. Idempotent.
  void Stop();
  RecorderStats Stats() const;  // any thread

 private:
  struct Entry {
    std::shared_ptr<RecordingState> state;
    WavFile file;
    int64_t headerNs = 0;  // when the header sizes were last rewritten
  };
  void Run();
  // One pass over one recording; true when it is over (finished or failed).
  bool Service(Entry& e, int64_t nowNs, bool closing, EventList& events);
  bool Drain(Entry& e, bool* full, EventList& events);
  void Finish(Entry& e, RecordingEnd reason, EventList& events);
  void Fail(Entry& e, const std::string& message, EventList& events);

  EventSink& sink_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<std::shared_ptr<RecordingState>> incoming_;
  bool stop_ = false;
  bool started_ = false;

  std::vector<std::unique_ptr<Entry>> entries_;  // writer thread only

  std::atomic<int64_t> active_{0}, finished_{0}, failed_{0}, framesWritten_{0}, bytesWritten_{0},
      droppedFrames_{0}, writeUs_{0}, passes_{0}, maxPassUs_{0};
};

}  // namespace sy
