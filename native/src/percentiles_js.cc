#include "percentiles_js.h"

namespace sy {

Napi::Object PercentilesObject(Napi::Env env, const Percentiles& p) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("p50", Napi::Number::New(env, static_cast<double>(p.p50)));
  o.Set("p99", Napi::Number::New(env, static_cast<double>(p.p99)));
  o.Set("max", Napi::Number::New(env, static_cast<double>(p.max)));
  o.Set("samples", Napi::Number::New(env, static_cast<double>(p.samples)));
  return o;
}

}  // namespace sy
