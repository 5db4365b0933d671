// The media-plane addon. Until the media core lands it only reports its ABI
// version, so the build, load path and packaging are exercised from day one.
#include <napi.h>

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("abiVersion", Napi::Number::New(env, 1));
  return exports;
}

NODE_API_MODULE(switchyard_media, Init)
