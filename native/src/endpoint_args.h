// Argument readers for what an endpoint is told (EndpointSettings), shared by createEndpoint,
// configureEndpoint and the one-setting commands. Each throws a TypeError/RangeError naming
// the argument and returns false on bad input (the shape of js_args.h).
#pragma once
#include <napi.h>

#include <string>

#include "endpoint_settings.h"
#include "js_args.h"

namespace sy {

bool ReadCodec(Napi::Env env, const Napi::Value& v, const std::string& what, Codec* out);
// { pcmu?, pcma?, telephoneEvent? (null: none) } over the defaults.
bool ReadPayloadTypes(Napi::Env env, const Napi::Value& v, const std::string& what, PayloadTypes* out);
// An RTP timeout in ms; 0 turns it off.
bool ReadTimeoutMs(Napi::Env env, const Napi::Value& v, const std::string& what, int* out);
// { mux = false, address?, port? }
bool ReadRtcpTarget(Napi::Env env, const Napi::Value& v, const std::string& what, RtcpTarget* out);
// An IP literal and a port (1–65535) into *out.
bool ReadAddressPort(Napi::Env env, const Napi::Value& address, const Napi::Value& port, const std::string& what,
                     NetAddress* out);

// The keys configureEndpoint takes; createEndpoint takes them too.
#define SY_ENDPOINT_SETTING_KEYS "codec", "payloadTypes", "remote", "sending", "echo", "rtpTimeoutMs", "rtcp", "dtmfDetect"
// Reads every settings key `o` has.
bool ReadEndpointSettings(Napi::Env env, const Options& o, EndpointSettings* out);

}  // namespace sy
