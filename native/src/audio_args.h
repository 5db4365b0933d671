// Argument checking for the VAD and playback entry points (see js_args.h for the pattern).
#pragma once
#include <napi.h>

#include <string>

#include "audio_file.h"
#include "player.h"
#include "vad.h"

namespace sy {

// `true`/`false` (enabled, other fields unchanged) or { enabled, hangoverMs, minSpeechMs,
// minSilenceMs, marginDb, minLevelDb }.
bool ReadVadOptions(Napi::Env env, const Napi::Value& v, const std::string& what, VadOptions* out);

struct PlayOptions {
  PlayRequest request;  // all but id and pcm
  bool raw = false;
  RawFormat rawFormat;
};

// { raw: { sampleRate, channels }, loop, queue, stopOnDtmf, stopOnSpeech, target: 'remote'|'mixer' }
bool ReadPlayOptions(Napi::Env env, const Napi::Value& v, PlayOptions* out);

}  // namespace sy
