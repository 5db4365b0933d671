// The native addon: module entry. Exports the ABI version, the Engine class (media
// threads, endpoints, mixers), the G.711 codec functions, the SIP transport's UDP socket and
// the event loop's real-time scheduling.
#include <napi.h>

#include <cstring>

#include "codec_bindings.h"
#include "counters.h"
#include "engine_wrap.h"
#include "js_args.h"
#include "sip_udp_wrap.h"
#include "thread_priority.h"

// setEventLoopRealtime(priority): SCHED_RR for the thread that calls it (Node's main thread);
// returns undefined, or the kernel's refusal as text.
static Napi::Value SetEventLoopRealtime(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t priority;
  if (!sy::ReadInt(env, info[0], "priority", 1, 99, &priority)) return env.Undefined();
  const int code = sy::SetCallingThreadRoundRobin(static_cast<int>(priority));
  if (code == 0) return env.Undefined();
  return Napi::String::New(env, std::strerror(code));
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("abiVersion", Napi::Number::New(env, 8));
  Napi::Array counters = Napi::Array::New(env, sy::kEndpointCounterCount);
  for (uint32_t i = 0; i < sy::kEndpointCounterCount; ++i) counters.Set(i, sy::kEndpointCounterNames[i]);
  exports.Set("endpointCounters", counters);
  exports.Set("Engine", sy::EngineWrap::Define(env));
  exports.Set("g711", sy::CodecBindings(env));
  exports.Set("SipUdpSocket", sy::SipUdpWrap::Define(env));
  exports.Set("setEventLoopRealtime", Napi::Function::New(env, SetEventLoopRealtime, "setEventLoopRealtime"));
  return exports;
}

NODE_API_MODULE(switchyard_media, Init)
