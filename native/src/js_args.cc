#include "js_args.h"

#include <cmath>

namespace sy {
namespace {

std::string Describe(const Napi::Value& v) {
  switch (v.Type()) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "a boolean";
    case napi_number: {
      const double d = v.As<Napi::Number>().DoubleValue();
      if (std::isnan(d)) return "NaN";
      std::string s = std::to_string(d);
      s.erase(s.find_last_not_of('0') + 1);
      if (!s.empty() && s.back() == '.') s.pop_back();
      return s;
    }
    case napi_string: return "a string";
    case napi_symbol: return "a symbol";
    case napi_object: return v.IsArray() ? "an array" : "an object";
    case napi_function: return "a function";
    case napi_external: return "an external";
    case napi_bigint: return "a bigint";
  }
  return "an unknown value";
}

}  // namespace

void ThrowType(Napi::Env env, const std::string& message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
}

void ThrowRange(Napi::Env env, const std::string& message) {
  Napi::RangeError::New(env, message).ThrowAsJavaScriptException();
}

bool ThrowIfFailed(Napi::Env env, const Status& s) {
  switch (s.kind) {
    case Status::Kind::kOk: return false;
    case Status::Kind::kTypeError: ThrowType(env, s.message); return true;
    case Status::Kind::kRangeError: ThrowRange(env, s.message); return true;
    case Status::Kind::kError: Napi::Error::New(env, s.message).ThrowAsJavaScriptException(); return true;
  }
  return true;
}

bool ReadInt(Napi::Env env, const Napi::Value& v, const std::string& what, int64_t min, int64_t max, int64_t* out) {
  if (!v.IsNumber()) {
    ThrowType(env, what + " must be a number, got " + Describe(v));
    return false;
  }
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::trunc(d) != d || d < static_cast<double>(min) || d > static_cast<double>(max)) {
    ThrowRange(env, what + " must be an integer from " + std::to_string(min) + " to " + std::to_string(max) +
                        ", got " + Describe(v));
    return false;
  }
  *out = static_cast<int64_t>(d);
  return true;
}

bool ReadId(Napi::Env env, const Napi::Value& v, const std::string& what, uint32_t* out) {
  if (!v.IsNumber()) {
    ThrowType(env, what + " must be a numeric id, got " + Describe(v));
    return false;
  }
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::trunc(d) != d || d < 1 || d > 4294967295.0) {
    ThrowRange(env, what + " must be a positive integer id, got " + Describe(v));
    return false;
  }
  *out = static_cast<uint32_t>(d);
  return true;
}

bool ReadNumber(Napi::Env env, const Napi::Value& v, const std::string& what, double min, double max, double* out) {
  if (!v.IsNumber()) {
    ThrowType(env, what + " must be a number, got " + Describe(v));
    return false;
  }
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d < min || d > max) {
    ThrowRange(env, what + " must be from " + Describe(Napi::Number::New(env, min)) + " to " +
                        Describe(Napi::Number::New(env, max)) + ", got " + Describe(v));
    return false;
  }
  *out = d;
  return true;
}

bool ReadBool(Napi::Env env, const Napi::Value& v, const std::string& what, bool* out) {
  if (!v.IsBoolean()) {
    ThrowType(env, what + " must be a boolean, got " + Describe(v));
    return false;
  }
  *out = v.As<Napi::Boolean>().Value();
  return true;
}

bool ReadString(Napi::Env env, const Napi::Value& v, const std::string& what, std::string* out) {
  if (!v.IsString()) {
    ThrowType(env, what + " must be a string, got " + Describe(v));
    return false;
  }
  *out = v.As<Napi::String>().Utf8Value();
  return true;
}

bool ReadChoice(Napi::Env env, const Napi::Value& v, const std::string& what,
                std::initializer_list<const char*> choices, int* out) {
  std::string list;
  for (const char* c : choices) list += (list.empty() ? "'" : ", '") + std::string(c) + "'";
  if (!v.IsString()) {
    ThrowType(env, what + " must be one of " + list + ", got " + Describe(v));
    return false;
  }
  const std::string s = v.As<Napi::String>().Utf8Value();
  int i = 0;
  for (const char* c : choices) {
    if (s == c) {
      *out = i;
      return true;
    }
    ++i;
  }
  ThrowRange(env, what + " must be one of " + list + ", got '" + s + "'");
  return false;
}

bool Options::Load(const Napi::Value& v, std::initializer_list<const char*> known) {
  if (v.IsUndefined() || v.IsNull()) return true;
  if (!v.IsObject() || v.IsArray() || v.IsFunction()) {
    ThrowType(env_, what_ + " must be an object, got " + Describe(v));
    return false;
  }
  Napi::Object object = v.As<Napi::Object>();
  Napi::Array keys = object.GetPropertyNames();
  if (keys.IsEmpty()) return false;  // a throwing proxy: its exception is pending
  for (uint32_t i = 0; i < keys.Length(); ++i) {
    Napi::Value k = keys.Get(i);
    if (k.IsEmpty()) return false;
    Napi::String ks = k.ToString();
    if (ks.IsEmpty()) return false;
    const std::string key = ks.Utf8Value();
    bool ok = false;
    for (const char* name : known) ok = ok || key == name;
    if (!ok) {
      std::string list;
      for (const char* name : known) list += (list.empty() ? "" : ", ") + std::string(name);
      ThrowType(env_, what_ + " has an unknown option '" + key + "' (known: " + list + ")");
      return false;
    }
  }
  for (const char* name : known) {
    Napi::Value value = object.Get(name);
    if (value.IsEmpty()) return false;  // a throwing getter
    if (!value.IsUndefined()) values_.emplace_back(name, value);
  }
  return true;
}

bool Options::Has(const char* key) const {
  for (const auto& [k, v] : values_) {
    if (k == key) return true;
  }
  return false;
}

Napi::Value Options::Get(const char* key) const {
  for (const auto& [k, v] : values_) {
    if (k == key) return v;
  }
  return env_.Undefined();
}

}  // namespace sy
