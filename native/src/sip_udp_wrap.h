// The JS class `SipUdpSocket`: one bound UDP socket for the SIP transport. It receives on the
// Node event loop (a uv_poll_t on the socket, recvmmsg of a batch, one JS call per datagram)
// and sends from its own thread (SipUdpSender): JS queues, the queue is handed over at the end
// of the loop iteration, or between two received datagrams once its first send waited 1 ms.
//
//   new SipUdpSocket(address, port, options, onMessage, onSendErrors)
//     options: { recvBufferBytes?, batch? } or undefined
//     onMessage(data: Buffer, address: string, port: number): one datagram and its source
//     onSendErrors(): failures are waiting in takeSendResults()
//   localPort(): number;  send(data, address, port): sequence number
//   takeSendResults(): { handledThrough, errors: [{ seq, code, message, address, port }] }
//   takeTiming(): { socketWait, batchWait, handling, untilHandOver, senderThread }, each
//     { samples, p50, p99, max } in µs since the previous call (sip_udp_timing.h)
//   close(): frees the port; safe to call twice
#pragma once
#include <napi.h>
#include <uv.h>

#include <memory>

#include "net_address.h"
#include "sip_udp_receiver.h"
#include "sip_udp_sender.h"
#include "sip_udp_timing.h"

namespace sy {

class SipUdpWrap : public Napi::ObjectWrap<SipUdpWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit SipUdpWrap(const Napi::CallbackInfo& info);
  ~SipUdpWrap() override;

 private:
  struct Handles;  // libuv handles; they outlive this object until their close callbacks ran

  Napi::Value LocalPort(const Napi::CallbackInfo& info);
  Napi::Value Send(const Napi::CallbackInfo& info);
  Napi::Value TakeSendResults(const Napi::CallbackInfo& info);
  Napi::Value TakeTiming(const Napi::CallbackInfo& info);
  Napi::Value SenderRealtime(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  bool Open(Napi::Env env, const NetAddress& local, int recvBufferBytes);
  void Shutdown();
  void OnReadable();
  void DeliverBatch(int count, int64_t readRealtimeNs, int64_t readNs);
  void FlushSends();
  void NotifySendErrors();
  void CallJs(const Napi::FunctionReference& fn, const std::initializer_list<napi_value>& args);
  static void OnEnvCleanup(void* self);

  int fd_ = -1;
  NetAddress local_;
  size_t batchSize_ = 32;
  bool senderRealtime_ = false;  // the sender thread runs under SCHED_RR (asked for, and granted)
  bool armed_ = false;  // the check/idle handles run until the queue is handed over
  int64_t firstQueuedNs_ = 0;  // when the first send since the last hand-over was queued
  Handles* handles_ = nullptr;
  std::unique_ptr<DatagramBatch> batch_;
  SipUdpTiming timing_;  // before sender_, which records into it until destroyed
  std::unique_ptr<SipUdpSender> sender_;
  Napi::FunctionReference onMessage_;
  Napi::FunctionReference onSendErrors_;
  std::unique_ptr<Napi::AsyncContext> context_;
};

}  // namespace sy
