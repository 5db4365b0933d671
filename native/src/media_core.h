// The media engine behind the JS object: N media threads, the port pool, and the registry
// of endpoints and mixers (which thread owns what). Every method but Deliver and
// OnEndpointClosed runs on the JS thread; it validates ids against the registry, then posts
// a command to the owning thread. Ids are allocated here, synchronously.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "counters.h"
#include "endpoint.h"
#include "events.h"
#include "media_thread.h"
#include "net_address.h"
#include "port_pool.h"
#include "recorder.h"
#include "status.h"
#include "writer_thread.h"

namespace sy {

struct EngineOptions {
  unsigned threads = 1;
  int portMin = 10000;
  int portMax = 20000;
  std::string address = "127.0.0.1";
  int rtpTimeoutMs = 0;
  int jitterMs = 40;     // jitter buffer: initial target depth
  int jitterMinMs = 20;  // ... and the range it adapts in
  int jitterMaxMs = 200;
  int rtcpIntervalMs = 5000;  // RTCP report interval (RFC 3550 §6.2); 0: none
  int portPool = 64;          // RTP/RTCP pairs the media threads keep bound ahead of need (refilled 16 a tick per thread)
  int realtimePriority = 0;   // SCHED_FIFO priority of the media threads (1-99); 0: the default scheduler
};

struct EndpointRequest {
  std::string address;  // empty: the engine's
  int thread = -1;      // -1: least loaded (or the mixer's)
  uint32_t mixer = 0;   // place on this mixer's thread
  bool join = false;    // ... and make it a member of the mixer (hearing nobody yet)
  bool symmetric = true;
  int jitterMs = -1;      // -1: the engine's (so are the two below)
  int jitterMinMs = -1;
  int jitterMaxMs = -1;
  VadConfig vad;
  int rtcpIntervalMs = -1;  // -1: the engine's
  EndpointSettings settings;  // rtpTimeoutMs absent: the engine's
};

struct EndpointInfo {
  uint32_t id = 0;
  std::string address;
  int port = 0;
  unsigned thread = 0;
};

struct RecordingRequest {
  std::string path;
  RecordingSource source;
};

class MediaCore : public ThreadHost {
 public:
  // `notify` is called (from a media thread) when a batch is waiting in TakeEvents().
  MediaCore(EngineOptions options, std::function<void()> notify);
  ~MediaCore() override;
  void SetNotify(std::function<void()> notify);  // before Start()

  Status Start();  // starts the threads
  void Close();    // stops and joins the threads; sockets closed; idempotent
  bool closed() const { return closed_.load(); }
  const EngineOptions& options() const { return options_; }

  Status CreateEndpoint(const EndpointRequest& req, EndpointInfo* out);
  Status CloseEndpoint(uint32_t id);
  // Every field `settings` has, applied together on the endpoint's thread.
  Status Configure(uint32_t id, const EndpointSettings& settings);
  Status PlayTone(uint32_t id, const ToneSpec& tone, ToneTarget target);
  Status StopTone(uint32_t id);
  Status SendDtmf(uint32_t id, DtmfRequest request);
  Status EndpointStats(uint32_t id, std::vector<double>* out);  // kEndpointCounterNames order

  // VAD and playback (media_core_audio.cc).
  Status SetVad(uint32_t id, const VadOptions& options);
  Status ReservePlaybackId(uint32_t endpoint, uint32_t* playbackId);  // checks the endpoint
  Status StartPlayback(uint32_t endpoint, PlayRequest request);       // pcm already loaded
  Status StopPlayback(uint32_t endpoint, uint32_t playbackId);        // 0: all of the endpoint's

  Status CreateMixer(int thread, uint32_t* id, unsigned* threadOut);
  Status CloseMixer(uint32_t id);
  Status AddMember(uint32_t mixer, uint32_t endpoint);
  Status RemoveMember(uint32_t mixer, uint32_t endpoint);
  // Applied together, in one command: no tick sees half of the change.
  Status SetHears(uint32_t mixer, const std::vector<std::pair<uint32_t, std::vector<uint32_t>>>& sets);

  // Recordings (media_core_recording.cc): checked here, captured on the source's media
  // thread, written by the writer thread.
  Status StartRecording(const RecordingRequest& req, uint32_t* id);
  Status PauseRecording(uint32_t id, bool paused);
  Status StopRecording(uint32_t id);
  RecorderStats RecordingStats() const { return writer_.Stats(); }

  std::vector<ThreadStats> Stats();
  PortPoolStats PortStats() { return ports_.Stats(); }
  EventList TakeEvents();  // JS thread

  // ThreadHost (media threads).
  void Deliver(EventList&& events) override;
  void OnEndpointClosed(uint32_t endpointId) override;
  void RefillPorts() override;

 private:
  struct EndpointRecord {
    unsigned thread;
    uint32_t mixer = 0;
    bool closing = false;
    std::shared_ptr<EndpointCounters> counters;
    bool telephoneEvent = true;  // a telephone-event payload type is set (RFC 4733 DTMF can be sent)
  };
  struct MixerRecord {
    unsigned thread;
    std::vector<uint32_t> members;
  };

  // With mu_ held: the record of a live endpoint, or an error status.
  Status FindEndpoint(uint32_t id, EndpointRecord** out);
  Status FindMixer(uint32_t id, MixerRecord** out);
  unsigned LeastLoaded() const;
  Status PostToEndpoint(uint32_t id, std::function<void(RtpEndpoint&)> fn);
  // Like PostToEndpoint, with the thread's event list; the endpoint is null if it closed meanwhile.
  Status PostToEndpointWithEvents(uint32_t id, std::function<void(RtpEndpoint*, EventList&)> fn);

  EngineOptions options_;
  std::function<void()> notify_;
  std::atomic<bool> closed_{false};

  std::mutex mu_;  // registry, id counter, random generator
  PortPool ports_;  // declared before threads_: endpoints give their ports back to it
  std::vector<std::unique_ptr<MediaThread>> threads_;
  std::vector<size_t> load_;  // endpoints per thread
  std::unordered_map<uint32_t, EndpointRecord> endpoints_;
  std::unordered_map<uint32_t, MixerRecord> mixers_;
  uint32_t nextId_ = 1;
  std::mt19937 random_;

  struct RecordingRecord {
    unsigned thread;
    std::shared_ptr<RecordingState> state;
  };
  Status PostToRecording(uint32_t id, std::function<void(Recorder&)> fn);
  std::unordered_map<uint32_t, RecordingRecord> recordings_;  // under mu_; finished ones purged lazily
  RecordingWriter writer_{*this};

  std::mutex eventsMu_;
  EventList pending_;
  bool notifyScheduled_ = false;
};

}  // namespace sy
