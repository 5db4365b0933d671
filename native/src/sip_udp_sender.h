// The sending half of a SIP UDP socket: a thread that sends queued datagrams with sendmmsg,
// so the event loop does not pay for each sendto (on loopback, waking a sleeping receiver
// costs the sender's system call 15-20 µs). The event loop queues under a short lock and
// hands the queue over in batches (Flush; when, SipUdpWrap decides); failures come back as a list of
// SendError, with the sequence number Enqueue returned, taken together with the number of
// the last datagram handled (TakeResults), so a caller that waits for one send's outcome
// knows when it has it. Each datagram's wait before the hand-over and on the thread goes to
// SipUdpTiming.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "net_address.h"
#include "sip_udp_timing.h"

namespace sy {

struct SendError {
  uint64_t seq = 0;
  int code = 0;  // errno
  NetAddress to;
};

struct SendResults {
  std::vector<SendError> errors;
  uint64_t handledThrough = 0;  // every datagram up to this sequence number was sent or failed
};

class SipUdpSender {
 public:
  // `fd` and `timing` stay owned by the caller and must outlive Stop(). `onErrors` runs on the
  // sender thread after failures were recorded (it should only wake the event loop).
  SipUdpSender(int fd, SipUdpTiming& timing, std::function<void()> onErrors);
  ~SipUdpSender();
  SipUdpSender(const SipUdpSender&) = delete;
  SipUdpSender& operator=(const SipUdpSender&) = delete;

  // Copies `bytes`; returns the datagram's sequence number (1, 2, ...).
  uint64_t Enqueue(const uint8_t* bytes, size_t length, const NetAddress& to);
  // Hands what was queued to the thread and wakes it.
  void Flush();
  SendResults TakeResults();
  // Sends nothing more, joins the thread. Safe to call twice.
  void Stop();
  // Puts the thread under SCHED_RR at `priority` (thread_priority.h); 0 or the errno.
  int SetRealtime(int priority);

 private:
  struct Datagram {
    std::vector<uint8_t> bytes;
    NetAddress to;
    uint64_t seq;
    int64_t enqueuedNs;
    int64_t handedOverNs = 0;
  };

  void Run();
  void SendAll(std::vector<Datagram>& batch);
  bool WaitWritable();  // false when stopping

  const int fd_;
  SipUdpTiming& timing_;
  const std::function<void()> onErrors_;

  std::mutex queueMutex_;  // the event loop's side: cheap, never held across a system call
  std::vector<Datagram> queued_;
  uint64_t nextSeq_ = 1;

  std::mutex handMutex_;  // what the thread takes
  std::condition_variable handed_;
  std::vector<Datagram> handedOver_;
  bool stopping_ = false;

  std::mutex resultMutex_;
  SendResults results_;

  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace sy
