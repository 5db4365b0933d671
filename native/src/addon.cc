// The native addon: module entry. Exports the ABI version, the Engine class (media
// threads, endpoints, mixers), the G.711 codec functions and the SIP transport's UDP socket.
#include <napi.h>

#include "codec_bindings.h"
#include "counters.h"
#include "engine_wrap.h"
#include "sip_udp_wrap.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("abiVersion", Napi::Number::New(env, 7));
  Napi::Array counters = Napi::Array::New(env, sy::kEndpointCounterCount);
  for (uint32_t i = 0; i < sy::kEndpointCounterCount; ++i) counters.Set(i, sy::kEndpointCounterNames[i]);
  exports.Set("endpointCounters", counters);
  exports.Set("Engine", sy::EngineWrap::Define(env));
  exports.Set("g711", sy::CodecBindings(env));
  exports.Set("SipUdpSocket", sy::SipUdpWrap::Define(env));
  return exports;
}

NODE_API_MODULE(switchyard_media, Init)
