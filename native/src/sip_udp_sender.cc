#include "sip_udp_sender.h"

#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>

#include <cerrno>
#include <utility>

#include "clock.h"
#include "thread_priority.h"

namespace sy {
namespace {

constexpr size_t kMaxPerCall = 64;  // datagrams per sendmmsg
constexpr int kWritableWaitMs = 50;  // how often a full send buffer re-checks for Stop

}  // namespace

SipUdpSender::SipUdpSender(int fd, SipUdpTiming& timing, std::function<void()> onErrors)
    : fd_(fd), timing_(timing), onErrors_(std::move(onErrors)), thread_([this] { Run(); }) {}

SipUdpSender::~SipUdpSender() { Stop(); }

uint64_t SipUdpSender::Enqueue(const uint8_t* bytes, size_t length, const NetAddress& to) {
  std::lock_guard<std::mutex> lock(queueMutex_);
  queued_.push_back(Datagram{std::vector<uint8_t>(bytes, bytes + length), to, nextSeq_, MonotonicNs()});
  return nextSeq_++;
}

void SipUdpSender::Flush() {
  std::vector<Datagram> batch;
  {
    std::lock_guard<std::mutex> lock(queueMutex_);
    if (queued_.empty()) return;
    batch.swap(queued_);
  }
  const int64_t now = MonotonicNs();
  for (Datagram& d : batch) d.handedOverNs = now;
  {
    std::lock_guard<std::mutex> lock(handMutex_);
    if (handedOver_.empty()) {
      handedOver_.swap(batch);
    } else {
      for (Datagram& d : batch) handedOver_.push_back(std::move(d));
    }
  }
  handed_.notify_one();
}

SendResults SipUdpSender::TakeResults() {
  std::lock_guard<std::mutex> lock(resultMutex_);
  SendResults out;
  out.errors.swap(results_.errors);
  out.handledThrough = results_.handledThrough;
  return out;
}

void SipUdpSender::Stop() {
  if (!thread_.joinable()) return;
  Flush();  // what JS sent before closing still goes out
  {
    std::lock_guard<std::mutex> lock(handMutex_);
    stopping_ = true;
  }
  stop_ = true;
  handed_.notify_one();
  thread_.join();
}

int SipUdpSender::SetRealtime(int priority) { return SetThreadRealtime(thread_.native_handle(), SCHED_RR, priority); }

void SipUdpSender::Run() {
  pthread_setname_np(pthread_self(), "sy-sip-send");
  std::vector<Datagram> batch;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(handMutex_);
      handed_.wait(lock, [this] { return !handedOver_.empty() || stopping_; });
      if (handedOver_.empty()) return;  // stopping, nothing left
      batch.swap(handedOver_);
    }
    SendAll(batch);
    batch.clear();
  }
}

void SipUdpSender::SendAll(std::vector<Datagram>& batch) {
  std::vector<SendError> errors;
  mmsghdr msgs[kMaxPerCall];
  iovec iovs[kMaxPerCall];
  size_t next = 0;
  while (next < batch.size()) {
    const size_t n = std::min(kMaxPerCall, batch.size() - next);
    for (size_t k = 0; k < n; ++k) {
      Datagram& d = batch[next + k];
      iovs[k] = iovec{d.bytes.data(), d.bytes.size()};
      msgs[k] = mmsghdr{};
      msgs[k].msg_hdr.msg_name = &d.to.storage;
      msgs[k].msg_hdr.msg_namelen = d.to.length;
      msgs[k].msg_hdr.msg_iov = &iovs[k];
      msgs[k].msg_hdr.msg_iovlen = 1;
    }
    const int sent = sendmmsg(fd_, msgs, static_cast<unsigned>(n), 0);
    if (sent > 0) {
      const int64_t now = MonotonicNs();
      int64_t untilHandOver[kMaxPerCall], onThread[kMaxPerCall];
      for (size_t k = 0; k < static_cast<size_t>(sent); ++k) {
        const Datagram& d = batch[next + k];
        untilHandOver[k] = d.handedOverNs - d.enqueuedNs;
        onThread[k] = now - d.handedOverNs;
      }
      timing_.RecordSent(untilHandOver, onThread, static_cast<size_t>(sent));
      next += static_cast<size_t>(sent);
      continue;
    }
    const int code = sent < 0 ? errno : EIO;
    if (code == EINTR) continue;
    if ((code == EAGAIN || code == EWOULDBLOCK || code == ENOBUFS) && WaitWritable()) continue;
    // sendmmsg reports the error of the first datagram it could not send; skip that one.
    errors.push_back(SendError{batch[next].seq, code, batch[next].to});
    ++next;
  }
  {
    std::lock_guard<std::mutex> lock(resultMutex_);
    for (SendError& e : errors) results_.errors.push_back(std::move(e));
    results_.handledThrough = batch.back().seq;
  }
  if (!errors.empty()) onErrors_();
}

bool SipUdpSender::WaitWritable() {
  while (!stop_) {
    pollfd p{fd_, POLLOUT, 0};
    const int r = poll(&p, 1, kWritableWaitMs);
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) return false;
  }
  return false;
}

}  // namespace sy
