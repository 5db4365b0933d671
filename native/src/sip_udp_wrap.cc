#include "sip_udp_wrap.h"

#include <unistd.h>

#include <cstring>
#include <string>

#include "clock.h"
#include "js_args.h"
#include "percentiles_js.h"

namespace sy {
namespace {

constexpr int kDefaultRecvBufferBytes = 4 * 1024 * 1024;
constexpr int64_t kMaxBatch = 256;
constexpr int kBatchesPerReadable = 4;  // then let the loop serve others; poll fires again
// A send queued while handling a read waits at most this long for the hand-over: handing over
// only at the end of the loop iteration made a reply wait for every datagram read after the
// one it answers (up to kBatchesPerReadable × batch of them, tens of ms at high rates).
constexpr int64_t kMaxHandOverDelayNs = 1000000;

std::string ErrnoName(int code) {
  const char* name = strerrorname_np(code);
  return name ? name : "E" + std::to_string(code);
}

Napi::Error ErrnoError(Napi::Env env, int code, const std::string& what) {
  Napi::Error e = Napi::Error::New(env, what + " " + ErrnoName(code) + ": " + std::strerror(code));
  e.Set("code", ErrnoName(code));
  return e;
}

// An IPv6 socket reaches IPv4 peers through their mapped address (::ffff:a.b.c.d).
NetAddress MapToV6(const NetAddress& v4) {
  NetAddress out;
  NetAddress::Parse("::ffff:" + v4.ip(), v4.port(), &out);
  return out;
}

bool ReadAddress(Napi::Env env, const Napi::Value& v, const std::string& what, int port, NetAddress* out) {
  std::string ip;
  if (!ReadString(env, v, what, &ip)) return false;
  if (!NetAddress::Parse(ip, port, out)) {
    ThrowRange(env, what + " must be an IPv4 or IPv6 literal, got '" + ip + "'");
    return false;
  }
  return true;
}

}  // namespace

struct SipUdpWrap::Handles {
  uv_poll_t poll;
  uv_check_t check;
  uv_idle_t idle;
  uv_async_t async;
  int open = 0;
  SipUdpWrap* owner;

  static void Closed(uv_handle_t* h) {
    auto* self = static_cast<Handles*>(h->data);
    if (--self->open == 0) delete self;
  }
  void CloseAll() {
    for (uv_handle_t* h : {reinterpret_cast<uv_handle_t*>(&poll), reinterpret_cast<uv_handle_t*>(&check),
                           reinterpret_cast<uv_handle_t*>(&idle), reinterpret_cast<uv_handle_t*>(&async)}) {
      uv_close(h, Closed);
    }
  }
};

Napi::Function SipUdpWrap::Define(Napi::Env env) {
  return DefineClass(env, "SipUdpSocket",
                     {
                         InstanceMethod<&SipUdpWrap::LocalPort>("localPort"),
                         InstanceMethod<&SipUdpWrap::Send>("send"),
                         InstanceMethod<&SipUdpWrap::TakeSendResults>("takeSendResults"),
                         InstanceMethod<&SipUdpWrap::TakeTiming>("takeTiming"),
                         InstanceMethod<&SipUdpWrap::SenderRealtime>("senderRealtime"),
                         InstanceMethod<&SipUdpWrap::Close>("close"),
                     });
}

SipUdpWrap::SipUdpWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<SipUdpWrap>(info) {
  Napi::Env env = info.Env();
  int64_t port;
  NetAddress local;
  if (!ReadInt(env, info[1], "port", 0, 65535, &port)) return;
  if (!ReadAddress(env, info[0], "address", static_cast<int>(port), &local)) return;
  Options options(env, "options");
  int recvBufferBytes = kDefaultRecvBufferBytes;
  int realtimePriority = 0;
  if (!options.Load(info[2], {"recvBufferBytes", "batch", "realtimePriority"})) return;
  if (!options.ReadInt("recvBufferBytes", 0, 1 << 30, &recvBufferBytes)) return;
  if (!options.ReadInt("batch", 1, kMaxBatch, &batchSize_)) return;
  if (!options.ReadInt("realtimePriority", 0, 99, &realtimePriority)) return;
  if (!info[3].IsFunction() || !info[4].IsFunction()) {
    ThrowType(env, "onMessage and onSendErrors must be functions");
    return;
  }
  if (!Open(env, local, recvBufferBytes)) return;
  // A refusal leaves the thread on the default scheduler; JS asks senderRealtime() and logs it.
  if (realtimePriority > 0) senderRealtime_ = sender_->SetRealtime(realtimePriority) == 0;
  onMessage_ = Napi::Persistent(info[3].As<Napi::Function>());
  onSendErrors_ = Napi::Persistent(info[4].As<Napi::Function>());
  context_ = std::make_unique<Napi::AsyncContext>(env, "SipUdpSocket");
}

bool SipUdpWrap::Open(Napi::Env env, const NetAddress& local, int recvBufferBytes) {
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
    Napi::Error::New(env, "no event loop").ThrowAsJavaScriptException();
    return false;
  }
  const int code = OpenUdpSocket(local, recvBufferBytes, &fd_, &local_);
  if (code != 0) {
    ErrnoError(env, code, "bind " + local.ip() + ":" + std::to_string(local.port())).ThrowAsJavaScriptException();
    return false;
  }
  batch_ = std::make_unique<DatagramBatch>(batchSize_);
  handles_ = new Handles();
  handles_->owner = this;
  uv_poll_init(loop, &handles_->poll, fd_);
  uv_check_init(loop, &handles_->check);
  uv_idle_init(loop, &handles_->idle);
  uv_async_init(loop, &handles_->async, [](uv_async_t* h) {
    auto* hs = static_cast<Handles*>(h->data);
    if (hs->owner) hs->owner->NotifySendErrors();
  });
  for (uv_handle_t* h : {reinterpret_cast<uv_handle_t*>(&handles_->poll), reinterpret_cast<uv_handle_t*>(&handles_->check),
                         reinterpret_cast<uv_handle_t*>(&handles_->idle), reinterpret_cast<uv_handle_t*>(&handles_->async)}) {
    h->data = handles_;
    ++handles_->open;
  }
  // Only the poll handle keeps the process alive, as a bound dgram socket does.
  uv_unref(reinterpret_cast<uv_handle_t*>(&handles_->async));
  uv_unref(reinterpret_cast<uv_handle_t*>(&handles_->check));
  uv_unref(reinterpret_cast<uv_handle_t*>(&handles_->idle));
  uv_poll_start(&handles_->poll, UV_READABLE, [](uv_poll_t* h, int status, int) {
    auto* hs = static_cast<Handles*>(h->data);
    if (hs->owner && status == 0) hs->owner->OnReadable();
  });
  uv_async_t* async = &handles_->async;
  sender_ = std::make_unique<SipUdpSender>(fd_, timing_, [async] { uv_async_send(async); });
  napi_add_env_cleanup_hook(env, OnEnvCleanup, this);
  return true;
}

SipUdpWrap::~SipUdpWrap() {
  if (handles_) napi_remove_env_cleanup_hook(Env(), OnEnvCleanup, this);
  Shutdown();
}

void SipUdpWrap::OnEnvCleanup(void* self) { static_cast<SipUdpWrap*>(self)->Shutdown(); }

// Stops the sender (what was queued still goes out), then frees the port.
void SipUdpWrap::Shutdown() {
  if (!handles_) return;
  uv_poll_stop(&handles_->poll);
  sender_->Stop();
  sender_.reset();
  handles_->owner = nullptr;
  handles_->CloseAll();
  handles_ = nullptr;
  close(fd_);
  fd_ = -1;
  batch_.reset();
}

Napi::Value SipUdpWrap::Close(const Napi::CallbackInfo& info) {
  if (handles_) napi_remove_env_cleanup_hook(info.Env(), OnEnvCleanup, this);
  Shutdown();
  return info.Env().Undefined();
}

Napi::Value SipUdpWrap::LocalPort(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), local_.port());
}

// send(data, address, port): queues a copy; returns its sequence number.
Napi::Value SipUdpWrap::Send(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    ThrowType(env, "data must be a Buffer or Uint8Array");
    return env.Undefined();
  }
  int64_t port;
  NetAddress to;
  if (!ReadInt(env, info[2], "port", 1, 65535, &port)) return env.Undefined();
  if (!ReadAddress(env, info[1], "address", static_cast<int>(port), &to)) return env.Undefined();
  if (!handles_) {
    Napi::Error::New(env, "socket is closed").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (local_.family() == AF_INET6 && to.family() == AF_INET) to = MapToV6(to);
  Napi::Uint8Array data = info[0].As<Napi::Uint8Array>();
  const uint64_t seq = sender_->Enqueue(data.Data(), data.ByteLength(), to);
  if (!armed_) {
    firstQueuedNs_ = MonotonicNs();
    // The check handle hands the queue over after this iteration's poll phase; the idle one
    // keeps the loop from blocking in poll when the send came later in the iteration.
    armed_ = true;
    auto flush = [](auto* h) {
      auto* hs = static_cast<Handles*>(h->data);
      if (hs->owner) hs->owner->FlushSends();
    };
    uv_check_start(&handles_->check, flush);
    uv_idle_start(&handles_->idle, flush);
  }
  return Napi::Number::New(env, static_cast<double>(seq));
}

void SipUdpWrap::FlushSends() {
  armed_ = false;
  uv_check_stop(&handles_->check);
  uv_idle_stop(&handles_->idle);
  sender_->Flush();
}

Napi::Value SipUdpWrap::TakeSendResults(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  const SendResults results = sender_ ? sender_->TakeResults() : SendResults{};
  out.Set("handledThrough", Napi::Number::New(env, static_cast<double>(results.handledThrough)));
  Napi::Array errors = Napi::Array::New(env, results.errors.size());
  for (size_t i = 0; i < results.errors.size(); ++i) {
    const SendError& e = results.errors[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("seq", Napi::Number::New(env, static_cast<double>(e.seq)));
    o.Set("code", ErrnoName(e.code));
    o.Set("message", std::string(std::strerror(e.code)));
    o.Set("address", e.to.ip());
    o.Set("port", Napi::Number::New(env, e.to.port()));
    errors.Set(static_cast<uint32_t>(i), o);
  }
  out.Set("errors", errors);
  return out;
}

Napi::Value SipUdpWrap::TakeTiming(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const SipUdpTimingReport r = timing_.Take();
  Napi::Object out = Napi::Object::New(env);
  out.Set("socketWait", PercentilesObject(env, r.socketWait));
  out.Set("batchWait", PercentilesObject(env, r.batchWait));
  out.Set("handling", PercentilesObject(env, r.handling));
  out.Set("untilHandOver", PercentilesObject(env, r.untilHandOver));
  out.Set("senderThread", PercentilesObject(env, r.senderThread));
  return out;
}

Napi::Value SipUdpWrap::SenderRealtime(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), senderRealtime_); }

void SipUdpWrap::NotifySendErrors() {
  Napi::HandleScope scope(Env());
  CallJs(onSendErrors_, {});
}

void SipUdpWrap::OnReadable() {
  for (int i = 0; i < kBatchesPerReadable && handles_; ++i) {
    const int n = batch_->Receive(fd_);
    if (n <= 0) return;  // nothing more (an error such as ECONNREFUSED is a stale ICMP report)
    DeliverBatch(n, RealtimeNs(), MonotonicNs());
    if (static_cast<size_t>(n) < batchSize_) return;
  }
}

// One JS call per datagram, as Node's dgram makes: each call ends with a microtask checkpoint,
// so what one message resolved (a dialog's promise, say) is settled before the next arrives.
void SipUdpWrap::DeliverBatch(int count, int64_t readRealtimeNs, int64_t readNs) {
  Napi::Env env = Env();
  for (int i = 0; i < count && handles_; ++i) {  // JS may close the socket from a callback
    Napi::HandleScope scope(env);
    const int64_t startNs = MonotonicNs();
    const NetAddress from = batch_->from(i);
    const int64_t socketWaitNs = readRealtimeNs - batch_->arrivalNs(i, readRealtimeNs);
    Napi::Buffer<uint8_t> data = Napi::Buffer<uint8_t>::Copy(env, batch_->data(i), batch_->length(i));
    CallJs(onMessage_, {data, Napi::String::New(env, from.ip()), Napi::Number::New(env, from.port())});
    const int64_t doneNs = MonotonicNs();
    timing_.RecordReceived(socketWaitNs, startNs - readNs, doneNs - startNs);
    if (armed_ && handles_ && doneNs - firstQueuedNs_ >= kMaxHandOverDelayNs) FlushSends();
  }
}

// Calls into JS from a libuv callback; a throw becomes an uncaught exception, as from an
// event listener.
void SipUdpWrap::CallJs(const Napi::FunctionReference& fn, const std::initializer_list<napi_value>& args) {
  Napi::Env env = Env();
  fn.MakeCallback(Value(), args, *context_);
  if (env.IsExceptionPending()) {
    Napi::Error err = env.GetAndClearPendingException();
    napi_fatal_exception(env, err.Value());
  }
}

}  // namespace sy
