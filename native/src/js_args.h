// Argument checking for the JS entry points. Each helper either stores the value and returns
// true, or throws a TypeError (wrong type) / RangeError (bad value) with a message naming
// the argument, and returns false; the caller then returns at once.
#pragma once
#include <napi.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "status.h"

namespace sy {

bool ThrowIfFailed(Napi::Env env, const Status& s);  // true if it threw

void ThrowType(Napi::Env env, const std::string& message);
void ThrowRange(Napi::Env env, const std::string& message);

// A positive 32-bit integer id.
bool ReadId(Napi::Env env, const Napi::Value& v, const std::string& what, uint32_t* out);
bool ReadInt(Napi::Env env, const Napi::Value& v, const std::string& what, int64_t min, int64_t max, int64_t* out);
bool ReadNumber(Napi::Env env, const Napi::Value& v, const std::string& what, double min, double max, double* out);
bool ReadBool(Napi::Env env, const Napi::Value& v, const std::string& what, bool* out);
bool ReadString(Napi::Env env, const Napi::Value& v, const std::string& what, std::string* out);
// One of `choices`; stores its index.
bool ReadChoice(Napi::Env env, const Napi::Value& v, const std::string& what,
                std::initializer_list<const char*> choices, int* out);

// An optional options object: undefined/null mean "all defaults". Unknown keys are an error,
// so a misspelt option does not pass silently.
class Options {
 public:
  Options(Napi::Env env, std::string what) : env_(env), what_(std::move(what)) {}
  bool Load(const Napi::Value& v, std::initializer_list<const char*> known);
  bool Has(const char* key) const;
  Napi::Value Get(const char* key) const;
  std::string Name(const char* key) const { return what_ + "." + key; }
  // An optional integer field: absent leaves *out as it is; present must be in [min, max].
  template <typename T>
  bool ReadInt(const char* key, int64_t min, int64_t max, T* out) const {
    if (!Has(key)) return true;
    int64_t v;
    if (!sy::ReadInt(env_, Get(key), Name(key), min, max, &v)) return false;
    *out = static_cast<T>(v);
    return true;
  }

 private:
  Napi::Env env_;
  std::string what_;
  std::vector<std::pair<std::string, Napi::Value>> values_;  // read once, in Load
};

}  // namespace sy
