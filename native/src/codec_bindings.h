// JS functions over the G.711 codec: whole-buffer encode/decode (for tests, tools, SDP-less
// file work). The media threads call the codec directly.
#pragma once
#include <napi.h>

namespace sy {

Napi::Object CodecBindings(Napi::Env env);

}  // namespace sy
