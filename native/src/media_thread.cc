#include "media_thread.h"

#include <pthread.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

#include "clock.h"
#include "port_pool.h"
#include "thread_priority.h"

namespace sy {
namespace {

constexpr uint64_t kTimerKey = ~uint64_t{0};
constexpr uint64_t kWakeKey = ~uint64_t{0} - 1;
constexpr int64_t kTickNs = int64_t{kTickMs} * 1000000;
constexpr int64_t kMaxCatchUpTicks = 5;  // after a stall, run at most this many ticks at once
constexpr unsigned kBatch = 16;          // datagrams per recvmmsg
constexpr unsigned kMaxBatchesPerRead = 4;  // per socket per tick (RTP) or wake-up (RTCP)
constexpr size_t kDatagramMax = 2048;
constexpr uint64_t kRtcpKeyBit = uint64_t{1} << 32;  // epoll key: endpoint id, | this for its RTCP socket

/** When the kernel received a datagram (SO_TIMESTAMPNS), on the monotonic clock; `fallback` without a stamp. */
int64_t ArrivalNs(const msghdr& msg, int64_t realtimeToMonotonic, int64_t fallback) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(const_cast<msghdr*>(&msg), c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      timespec ts;
      std::memcpy(&ts, CMSG_DATA(c), sizeof(ts));
      const int64_t arrival = int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec + realtimeToMonotonic;
      return arrival < fallback ? arrival : fallback;
    }
  }
  return fallback;
}

}  // namespace

MediaThread::MediaThread(unsigned index, ThreadHost& host) : index_(index), host_(host) {
  stats_.index = index;
}

MediaThread::~MediaThread() {
  Stop();
  CloseFds();
}

void MediaThread::CloseFds() {
  if (epoll_ >= 0) close(epoll_);
  if (timer_ >= 0) close(timer_);
  if (wake_ >= 0) close(wake_);
  epoll_ = timer_ = wake_ = -1;
}

int64_t MediaThread::Now() const { return MonotonicNs(); }

bool MediaThread::Start(int realtimePriority, std::string* error) {
  epoll_ = epoll_create1(EPOLL_CLOEXEC);
  timer_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  wake_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_ < 0 || timer_ < 0 || wake_ < 0) {
    *error = std::string("cannot create media thread descriptors: ") + std::strerror(errno);
    CloseFds();
    return false;
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kTimerKey;
  epoll_ctl(epoll_, EPOLL_CTL_ADD, timer_, &ev);
  ev.data.u64 = kWakeKey;
  epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &ev);

  // An absolute, periodic clock: expiration k is due at start + k * 20 ms, so lateness is
  // measured against the schedule and does not accumulate.
  startNs_ = MonotonicNs();
  itimerspec spec{};
  const int64_t first = startNs_ + kTickNs;
  spec.it_value.tv_sec = first / 1000000000;
  spec.it_value.tv_nsec = first % 1000000000;
  spec.it_interval.tv_sec = 0;
  spec.it_interval.tv_nsec = kTickNs;
  if (timerfd_settime(timer_, TFD_TIMER_ABSTIME, &spec, nullptr) != 0) {
    *error = std::string("cannot arm the media clock: ") + std::strerror(errno);
    CloseFds();
    return false;
  }
  try {
    thread_ = std::thread([this] { Run(); });
  } catch (const std::system_error& e) {
    *error = std::string("cannot start a media thread: ") + e.what();
    CloseFds();
    return false;
  }
  started_ = true;
  // Named here rather than in Run(): the name is then in place when the engine's start
  // returns (tools and tests find the media threads by it).
  char name[16];
  std::snprintf(name, sizeof(name), "sy-media-%u", index_);
  pthread_setname_np(thread_.native_handle(), name);
  if (realtimePriority > 0) {
    // A tick is due every 20 ms whatever else the machine runs: under SCHED_FIFO the thread
    // preempts ordinary work when its clock fires (the kernel's RT throttling still leaves
    // other tasks 5 % of each second should a tick ever spin).
    const bool granted = SetThreadRealtime(thread_.native_handle(), SCHED_FIFO, realtimePriority) == 0;
    std::lock_guard<std::mutex> lock(statsMu_);
    stats_.realtime = granted;
  }
  return true;
}

void MediaThread::Post(Command command) {
  // No wake-up (it cost the event loop more than the command itself): the thread takes its
  // commands before each tick, and before it reads any datagram, so a command is in force
  // for every packet that arrives after it was posted and for the next tick.
  std::lock_guard<std::mutex> lock(queueMu_);
  if (stop_.load()) return;
  queue_.push_back(std::move(command));
  hasCommands_.store(true, std::memory_order_release);
}

void MediaThread::Stop() {
  if (!started_) return;
  {
    std::lock_guard<std::mutex> lock(queueMu_);
    stop_.store(true);
  }
  const uint64_t one = 1;
  ssize_t r = write(wake_, &one, sizeof(one));
  (void)r;
  if (thread_.joinable()) thread_.join();
  started_ = false;
}

void MediaThread::Run() {
  epoll_event ready[64];
  while (!stop_.load(std::memory_order_relaxed)) {
    const int n = epoll_wait(epoll_, ready, 64, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    DrainCommands();
    for (int i = 0; i < n && !stop_.load(std::memory_order_relaxed); ++i) {
      const uint64_t key = ready[i].data.u64;
      if (key == kTimerKey) {
        OnTimer();
      } else if (key == kWakeKey) {
        uint64_t count;
        ssize_t r = read(wake_, &count, sizeof(count));  // Stop() only: the loop ends
        (void)r;
      } else if (RtpEndpoint* ep = FindEndpoint(static_cast<uint32_t>(key))) {
        ReadSocket(*ep, true, 0);  // by id: it may have closed earlier in this batch (RTCP: no stamps)
      }
    }
  }
  // Teardown on this thread: endpoints close their sockets and free their ports. Queued
  // commands are dropped (they may hold endpoints that were never attached: same effect).
  mixers_.clear();
  endpoints_.clear();
  std::deque<Command> dropped;
  {
    std::lock_guard<std::mutex> lock(queueMu_);
    dropped.swap(queue_);
  }
  dropped.clear();
  events_.clear();
}

void MediaThread::DrainCommands() {
  if (!hasCommands_.load(std::memory_order_acquire)) return;  // the usual tick: no lock, no deque
  std::deque<Command> batch;
  {
    std::lock_guard<std::mutex> lock(queueMu_);
    batch.swap(queue_);
    hasCommands_.store(false, std::memory_order_relaxed);
  }
  for (Command& c : batch) c(*this);
}

void MediaThread::OnTimer() {
  uint64_t due = 0;
  if (read(timer_, &due, sizeof(due)) != sizeof(due) || due == 0) return;
  DrainCommands();  // before the tick: it sees every command posted since the last one
  const int64_t start = MonotonicNs();
  // Lateness against the oldest deadline this wake-up serves (several if ticks were missed).
  const int64_t scheduled = startNs_ + (expirations_ + 1) * kTickNs;
  const int64_t lateness = start - scheduled;
  expirations_ += static_cast<int64_t>(due);

  const int64_t run = static_cast<int64_t>(due) < kMaxCatchUpTicks ? static_cast<int64_t>(due) : kMaxCatchUpTicks;
  // The kernel stamps datagrams on the realtime clock; its offset from the monotonic one
  // moves only by the NTP slew (parts per million), so one reading serves the whole pass.
  const int64_t realtimeToMonotonic = start - RealtimeNs();
  for (int64_t k = 0; k < run; ++k) Tick(start, k == 0, realtimeToMonotonic);
  if (!events_.empty()) {
    host_.Deliver(std::move(events_));
    events_.clear();
  }
  const int64_t end = MonotonicNs();

  {
    std::lock_guard<std::mutex> lock(statsMu_);
    stats_.ticks += run;
    stats_.overruns += static_cast<int64_t>(due) - 1;
    stats_.endpoints = endpoints_.size();
    stats_.mixers = mixers_.size();
    lateness_.Add(lateness / 1000);
    work_.Add((end - start) / 1000);
  }
  // After the tick's output went out, so no tick waits for a bind (and workUs is the tick's own work).
  host_.RefillPorts();
}

void MediaThread::Tick(int64_t nowNs, bool read, int64_t realtimeToMonotonic) {
  for (auto& [id, ep] : endpoints_) {
    // Its datagrams, then its frame: one visit to the endpoint while its state is in cache.
    if (read) ReadSocket(*ep, false, realtimeToMonotonic);
    ep->PullInput(nowNs, events_);
  }
  recorder_.Capture(*this);  // what each party said this tick, before anyone hears it
  for (auto& [id, mixer] : mixers_) mixer->Mix();
  for (auto& [id, ep] : endpoints_) ep->SendOutput(events_);
}

void MediaThread::ReadSocket(RtpEndpoint& ep, bool rtcp, int64_t realtimeToMonotonic) {
  static thread_local std::vector<uint8_t> storage(kBatch * kDatagramMax);
  mmsghdr msgs[kBatch];
  iovec iov[kBatch];
  sockaddr_storage from[kBatch];
  alignas(cmsghdr) uint8_t control[kBatch][CMSG_SPACE(sizeof(timespec))];
  const int64_t now = MonotonicNs();
  for (unsigned round = 0; round < kMaxBatchesPerRead; ++round) {
    for (unsigned i = 0; i < kBatch; ++i) {
      iov[i].iov_base = storage.data() + i * kDatagramMax;
      iov[i].iov_len = kDatagramMax;
      std::memset(&msgs[i].msg_hdr, 0, sizeof(msgs[i].msg_hdr));
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_name = &from[i];
      msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
      if (!rtcp) {
        msgs[i].msg_hdr.msg_control = control[i];
        msgs[i].msg_hdr.msg_controllen = sizeof(control[i]);
      }
    }
    const int n = recvmmsg(rtcp ? ep.rtcpFd() : ep.fd(), msgs, kBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0) return;  // EAGAIN, or an error the socket reports again next time
    for (int i = 0; i < n; ++i) {
      const NetAddress source =
          NetAddress::From(reinterpret_cast<const sockaddr*>(&from[i]), msgs[i].msg_hdr.msg_namelen);
      const bool truncated = (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
      const uint8_t* data = storage.data() + i * kDatagramMax;
      if (rtcp) {
        ep.OnRtcpDatagram(data, msgs[i].msg_len, truncated, source, now);
      } else {
        ep.OnDatagram(data, msgs[i].msg_len, truncated, source, ArrivalNs(msgs[i].msg_hdr, realtimeToMonotonic, now), events_);
      }
    }
    if (static_cast<unsigned>(n) < kBatch) return;
  }
}

void MediaThread::AddEndpoint(std::shared_ptr<RtpEndpoint> ep, int64_t openedNs) {
  // RTP is read at each tick, not on readiness: one wake-up per 20 ms serves every stream,
  // where a wake-up per datagram cost more than the datagram. The kernel stamps each datagram
  // on arrival (SO_TIMESTAMPNS, set by the port pool on every socket it binds), so the jitter
  // estimate keeps its precision. RTCP (rare) wakes the thread.
  // Its sockets may have been bound well before (the port pool): what they got before the
  // endpoint was made was meant for no one here. What came since is the peer's, and is read.
  DropReceivedBefore(ep->fd(), openedNs);
  DropReceivedBefore(ep->rtcpFd(), openedNs);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = ep->id() | kRtcpKeyBit;
  epoll_ctl(epoll_, EPOLL_CTL_ADD, ep->rtcpFd(), &ev);
  endpoints_[ep->id()] = std::move(ep);
}

RtpEndpoint* MediaThread::FindEndpoint(uint32_t id) {
  auto it = endpoints_.find(id);
  return it == endpoints_.end() ? nullptr : it->second.get();
}

void MediaThread::CloseEndpoint(uint32_t id) {
  auto it = endpoints_.find(id);
  if (it == endpoints_.end()) return;
  std::shared_ptr<RtpEndpoint> ep = std::move(it->second);
  endpoints_.erase(it);
  if (ep->mixer() != 0) {
    if (Mixer* m = FindMixer(ep->mixer())) m->RemoveMember(id);
  }
  ep->StopPlayback(0, events_);  // its playbacks end 'stopped', before 'closed'
  epoll_ctl(epoll_, EPOLL_CTL_DEL, ep->rtcpFd(), nullptr);
  Event ev;
  ev.type = "closed";
  ev.endpoint = id;
  ep->FillStats(ev);
  ep.reset();  // says BYE, closes the sockets, frees the ports
  events_.push_back(std::move(ev));
  host_.OnEndpointClosed(id);
}

void MediaThread::AddMixer(uint32_t id) { mixers_[id] = std::make_unique<Mixer>(id); }

Mixer* MediaThread::FindMixer(uint32_t id) {
  auto it = mixers_.find(id);
  return it == mixers_.end() ? nullptr : it->second.get();
}

void MediaThread::CloseMixer(uint32_t id) { mixers_.erase(id); }

ThreadStats MediaThread::Stats() {
  ThreadStats s;
  SampleWindow lateness{0};
  SampleWindow work{0};
  {
    std::lock_guard<std::mutex> lock(statsMu_);  // copy only: the tick waits on this lock
    s = stats_;
    lateness = lateness_;
    work = work_;
  }
  s.latenessUs = lateness.Compute();
  s.workUs = work.Compute();
  return s;
}

}  // namespace sy
