#include "events_js.h"

#include <cstring>
#include <string>

namespace sy {

bool Float64ArrayToJs(napi_env env, const std::vector<double>& values, napi_value* out) {
  void* data;
  napi_value buffer;
  if (napi_create_arraybuffer(env, values.size() * sizeof(double), &data, &buffer) != napi_ok) return false;
  if (!values.empty()) std::memcpy(data, values.data(), values.size() * sizeof(double));
  return napi_create_typedarray(env, napi_float64_array, values.size(), buffer, 0, out) == napi_ok;
}

bool EventsToJs(napi_env e, const EventList& events, napi_value* out) {
  napi_value list;
  if (napi_create_array_with_length(e, events.size(), &list) != napi_ok) return false;
  auto setNumber = [e](napi_value o, const char* key, double v) {
    napi_value n;
    return napi_create_double(e, v, &n) == napi_ok && napi_set_named_property(e, o, key, n) == napi_ok;
  };
  auto setString = [e](napi_value o, const char* key, const std::string& v) {
    napi_value s;
    return napi_create_string_utf8(e, v.data(), v.size(), &s) == napi_ok &&
           napi_set_named_property(e, o, key, s) == napi_ok;
  };
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& ev = events[i];
    napi_value o;
    if (napi_create_object(e, &o) != napi_ok) return false;
    bool ok = setString(o, "type", ev.type);
    if (ev.endpoint != 0) ok = ok && setNumber(o, "endpointId", ev.endpoint);
    if (ev.mixer != 0) ok = ok && setNumber(o, "mixerId", ev.mixer);
    for (const auto& [k, v] : ev.numbers) ok = ok && setNumber(o, k, v);
    for (const auto& [k, v] : ev.strings) ok = ok && setString(o, k, v);
    if (!ev.counters.empty()) {
      napi_value counters;
      ok = ok && Float64ArrayToJs(e, ev.counters, &counters) && napi_set_named_property(e, o, "counters", counters) == napi_ok;
    }
    if (!ok || napi_set_element(e, list, static_cast<uint32_t>(i), o) != napi_ok) return false;
  }
  *out = list;
  return true;
}

}  // namespace sy
