// The media-plane addon: module entry. Exports the ABI version, the Engine class (media
// threads, endpoints, mixers) and the G.711 codec functions.
#include <napi.h>

#include "codec_bindings.h"
#include "counters.h"
#include "engine_wrap.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("abiVersion", Napi::Number::New(env, 6));
  Napi::Array counters = Napi::Array::New(env, sy::kEndpointCounterCount);
  for (uint32_t i = 0; i < sy::kEndpointCounterCount; ++i) counters.Set(i, sy::kEndpointCounterNames[i]);
  exports.Set("endpointCounters", counters);
  exports.Set("Engine", sy::EngineWrap::Define(env));
  exports.Set("g711", sy::CodecBindings(env));
  return exports;
}

NODE_API_MODULE(switchyard_media, Init)
