// Argument reading for the DTMF and tone entry points of the JS class `Engine` (the
// methods themselves are EngineWrap members, defined in dtmf_tone_bindings.cc).
#pragma once
#include <napi.h>

#include <string>

#include "dtmf.h"

namespace sy {

// 'auto' | 'inband' | 'rfc4733' | 'off'
bool ReadDtmfDetect(Napi::Env env, const Napi::Value& v, const std::string& what, DtmfDetect* out);

}  // namespace sy
