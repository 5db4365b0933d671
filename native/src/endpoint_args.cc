#include "endpoint_args.h"

#include "dtmf_tone_bindings.h"

namespace sy {
namespace {

constexpr int64_t kMaxTimeoutMs = 24LL * 3600 * 1000;

// Reads o[key], if present, with `read` into the optional.
template <typename T>
bool ReadIf(Napi::Env env, const Options& o, const char* key,
            bool (*read)(Napi::Env, const Napi::Value&, const std::string&, T*), std::optional<T>* out) {
  if (!o.Has(key)) return true;
  T value{};
  if (!read(env, o.Get(key), o.Name(key), &value)) return false;
  *out = value;
  return true;
}

// { address, port }
bool ReadRemote(Napi::Env env, const Napi::Value& v, const std::string& what, NetAddress* out) {
  Options o(env, what);
  if (!o.Load(v, {"address", "port"})) return false;
  return ReadAddressPort(env, o.Get("address"), o.Get("port"), what, out);
}

}  // namespace

bool ReadCodec(Napi::Env env, const Napi::Value& v, const std::string& what, Codec* out) {
  int c;
  if (!ReadChoice(env, v, what, {"PCMU", "PCMA"}, &c)) return false;
  *out = c == 0 ? Codec::kPcmu : Codec::kPcma;
  return true;
}

bool ReadPayloadTypes(Napi::Env env, const Napi::Value& v, const std::string& what, PayloadTypes* pts) {
  if (!v.IsObject()) {
    ThrowType(env, what + " must be an object");
    return false;
  }
  Options o(env, what);
  if (!o.Load(v, {"pcmu", "pcma", "telephoneEvent"})) return false;
  if (!o.ReadInt("pcmu", 0, 127, &pts->pcmu) || !o.ReadInt("pcma", 0, 127, &pts->pcma)) return false;
  if (o.Has("telephoneEvent")) {
    const Napi::Value te = o.Get("telephoneEvent");
    if (te.IsNull()) {
      pts->telephoneEvent = -1;
    } else {
      // Dynamic range (RFC 3551 §3).
      int64_t n;
      if (!ReadInt(env, te, o.Name("telephoneEvent"), 96, 127, &n)) return false;
      pts->telephoneEvent = static_cast<int>(n);
    }
  }
  return true;
}

bool ReadTimeoutMs(Napi::Env env, const Napi::Value& v, const std::string& what, int* out) {
  int64_t ms;
  if (!ReadInt(env, v, what, 0, kMaxTimeoutMs, &ms)) return false;
  *out = static_cast<int>(ms);
  return true;
}

bool ReadAddressPort(Napi::Env env, const Napi::Value& address, const Napi::Value& port, const std::string& what,
                     NetAddress* out) {
  std::string ip;
  int64_t p;
  const std::string prefix = what.empty() ? "" : what + ".";
  if (!ReadString(env, address, prefix + "address", &ip) || !ReadInt(env, port, prefix + "port", 1, 65535, &p)) {
    return false;
  }
  if (!NetAddress::Parse(ip, static_cast<int>(p), out)) {
    ThrowType(env, prefix + "address must be an IPv4 or IPv6 literal, got '" + ip + "'");
    return false;
  }
  return true;
}

bool ReadRtcpTarget(Napi::Env env, const Napi::Value& v, const std::string& what, RtcpTarget* out) {
  Options o(env, what);
  if (!o.Load(v, {"mux", "address", "port"})) return false;
  if (o.Has("mux") && !ReadBool(env, o.Get("mux"), o.Name("mux"), &out->mux)) return false;
  if (!o.Has("address") && !o.Has("port")) return true;
  return ReadAddressPort(env, o.Get("address"), o.Get("port"), what, &out->remote);
}

bool ReadEndpointSettings(Napi::Env env, const Options& o, EndpointSettings* out) {
  return ReadIf(env, o, "codec", ReadCodec, &out->codec) &&
         ReadIf(env, o, "payloadTypes", ReadPayloadTypes, &out->payloadTypes) &&
         ReadIf(env, o, "remote", ReadRemote, &out->remote) && ReadIf(env, o, "sending", ReadBool, &out->sending) &&
         ReadIf(env, o, "echo", ReadBool, &out->echo) &&
         ReadIf(env, o, "rtpTimeoutMs", ReadTimeoutMs, &out->rtpTimeoutMs) &&
         ReadIf(env, o, "rtcp", ReadRtcpTarget, &out->rtcp) &&
         ReadIf(env, o, "dtmfDetect", ReadDtmfDetect, &out->dtmfDetect);
}

}  // namespace sy
