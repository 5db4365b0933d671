#include "codec_bindings.h"

#include "g711.h"
#include "js_args.h"

namespace sy {
namespace {

using EncodeBlock = void (*)(const int16_t*, uint8_t*, size_t);
using DecodeBlock = void (*)(const uint8_t*, int16_t*, size_t);

template <EncodeBlock encode>
Napi::Value Encode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int16_array) {
    ThrowType(env, "samples must be an Int16Array");
    return env.Undefined();
  }
  Napi::Int16Array in = info[0].As<Napi::Int16Array>();
  Napi::Uint8Array out = Napi::Uint8Array::New(env, in.ElementLength());
  encode(in.Data(), out.Data(), in.ElementLength());
  return out;
}

template <DecodeBlock decode>
Napi::Value Decode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    ThrowType(env, "code words must be a Uint8Array or Buffer");
    return env.Undefined();
  }
  Napi::Uint8Array in = info[0].As<Napi::Uint8Array>();
  Napi::Int16Array out = Napi::Int16Array::New(env, in.ElementLength());
  decode(in.Data(), out.Data(), in.ElementLength());
  return out;
}

}  // namespace

Napi::Object CodecBindings(Napi::Env env) {
  Napi::Object g711 = Napi::Object::New(env);
  g711.Set("ulawEncode", Napi::Function::New<Encode<UlawEncodeBlock>>(env, "ulawEncode"));
  g711.Set("ulawDecode", Napi::Function::New<Decode<UlawDecodeBlock>>(env, "ulawDecode"));
  g711.Set("alawEncode", Napi::Function::New<Encode<AlawEncodeBlock>>(env, "alawEncode"));
  g711.Set("alawDecode", Napi::Function::New<Decode<AlawDecodeBlock>>(env, "alawDecode"));
  return g711;
}

}  // namespace sy
