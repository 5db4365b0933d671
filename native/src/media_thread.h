// A media thread: an epoll set with its endpoints' sockets, a 20 ms timerfd clock and a
// command queue taken whenever it wakes (tick or datagram; an eventfd wakes it only to stop). It owns
// its endpoints and mixers; every change to them is a command run on this thread, so the tick
// needs no locks.
#pragma once
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "endpoint.h"
#include "events.h"
#include "mixer.h"
#include "recorder.h"
#include "tick_stats.h"

namespace sy {

struct ThreadStats {
  unsigned index = 0;
  int64_t ticks = 0;
  int64_t overruns = 0;  // timer expirations that found the previous tick still due
  size_t endpoints = 0;
  size_t mixers = 0;
  bool realtime = false;   // runs under SCHED_FIFO (asked for, and granted by the kernel)
  Percentiles latenessUs;  // timer due → tick start
  Percentiles workUs;      // tick start → tick end
};

class ThreadHost : public EventSink {
 public:
  // On the media thread, after the endpoint's socket is closed and its port freed.
  virtual void OnEndpointClosed(uint32_t endpointId) = 0;
  // On the media thread after each tick's work: binds a few port pairs ahead of need.
  virtual void RefillPorts() = 0;
};

class MediaThread {
 public:
  using Command = std::function<void(MediaThread&)>;
  static constexpr size_t kWindow = 1000;  // ticks in the lateness window (20 s)

  MediaThread(unsigned index, ThreadHost& host);
  ~MediaThread();

  // `realtimePriority` 1-99 asks for SCHED_FIFO; a refusal (no CAP_SYS_NICE, RLIMIT_RTPRIO)
  // leaves the thread on the default scheduler and shows as stats().realtime == false.
  bool Start(int realtimePriority, std::string* error);
  void Post(Command command);  // any thread
  void Stop();                 // any thread but this one; idempotent; joins
  ThreadStats Stats();         // any thread
  unsigned index() const { return index_; }

  // On this thread (from commands).
  // `openedNs` (RealtimeNs): when its sockets were handed to it; datagrams older are dropped.
  void AddEndpoint(std::shared_ptr<RtpEndpoint> ep, int64_t openedNs);
  RtpEndpoint* FindEndpoint(uint32_t id);
  void CloseEndpoint(uint32_t id);
  void AddMixer(uint32_t id);
  Mixer* FindMixer(uint32_t id);
  void CloseMixer(uint32_t id);
  int64_t Now() const;
  EventList& events() { return events_; }
  Recorder& recorder() { return recorder_; }

 private:
  void Run();
  void DrainCommands();
  void OnTimer();
  // `read`: each endpoint's RTP socket is read just before its frame is pulled (the first
  // of the ticks one wake-up runs).
  void Tick(int64_t nowNs, bool read, int64_t realtimeToMonotonic);
  // `realtimeToMonotonic` converts the kernel's receive stamps (RTP only).
  void ReadSocket(RtpEndpoint& ep, bool rtcp, int64_t realtimeToMonotonic);
  void CloseFds();

  const unsigned index_;
  ThreadHost& host_;
  int epoll_ = -1;
  int timer_ = -1;
  int wake_ = -1;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  bool started_ = false;

  std::mutex queueMu_;
  std::deque<Command> queue_;
  std::atomic<bool> hasCommands_{false};  // queue_ is not empty (read without the lock)

  std::unordered_map<uint32_t, std::shared_ptr<RtpEndpoint>> endpoints_;
  std::unordered_map<uint32_t, std::unique_ptr<Mixer>> mixers_;
  EventList events_;
  Recorder recorder_;

  int64_t startNs_ = 0;
  int64_t expirations_ = 0;

  std::mutex statsMu_;
  ThreadStats stats_;
  SampleWindow lateness_{kWindow};
  SampleWindow work_{kWindow};
};

}  // namespace sy
