#include "audio_args.h"

#include "js_args.h"

namespace sy {
namespace {

constexpr int64_t kMaxVadMs = 10000;

bool ReadMs(Napi::Env env, const Options& o, const char* key, std::optional<int>* out) {
  if (!o.Has(key)) return true;
  int64_t v;
  if (!ReadInt(env, o.Get(key), o.Name(key), 0, kMaxVadMs, &v)) return false;
  *out = static_cast<int>(v);
  return true;
}

bool ReadDb(Napi::Env env, const Options& o, const char* key, double min, double max, std::optional<double>* out) {
  if (!o.Has(key)) return true;
  double v;
  if (!ReadNumber(env, o.Get(key), o.Name(key), min, max, &v)) return false;
  *out = v;
  return true;
}

bool ReadFlag(Napi::Env env, const Options& o, const char* key, bool* out) {
  return !o.Has(key) || ReadBool(env, o.Get(key), o.Name(key), out);
}

}  // namespace

bool ReadVadOptions(Napi::Env env, const Napi::Value& v, const std::string& what, VadOptions* out) {
  if (v.IsBoolean()) {
    out->enabled = v.As<Napi::Boolean>().Value();
    return true;
  }
  Options o(env, what);
  if (!o.Load(v, {"enabled", "hangoverMs", "minSpeechMs", "minSilenceMs", "marginDb", "minLevelDb"})) return false;
  if (o.Has("enabled")) {
    bool on;
    if (!ReadBool(env, o.Get("enabled"), o.Name("enabled"), &on)) return false;
    out->enabled = on;
  }
  return ReadMs(env, o, "hangoverMs", &out->hangoverMs) && ReadMs(env, o, "minSpeechMs", &out->minSpeechMs) &&
         ReadMs(env, o, "minSilenceMs", &out->minSilenceMs) && ReadDb(env, o, "marginDb", 0, 60, &out->marginDb) &&
         ReadDb(env, o, "minLevelDb", -100, 0, &out->minLevelDb);
}

bool ReadPlayOptions(Napi::Env env, const Napi::Value& v, PlayOptions* out) {
  Options o(env, "options");
  if (!o.Load(v, {"raw", "loop", "queue", "stopOnDtmf", "stopOnSpeech", "target"})) return false;
  PlayRequest& r = out->request;
  if (!ReadFlag(env, o, "loop", &r.loop) || !ReadFlag(env, o, "queue", &r.queue) ||
      !ReadFlag(env, o, "stopOnDtmf", &r.stopOnDtmf) || !ReadFlag(env, o, "stopOnSpeech", &r.stopOnSpeech)) {
    return false;
  }
  if (o.Has("target")) {
    int t;
    if (!ReadChoice(env, o.Get("target"), o.Name("target"), {"remote", "mixer"}, &t)) return false;
    r.target = t == 0 ? PlayTarget::kRemote : PlayTarget::kMixer;
  }
  if (o.Has("raw")) {
    Options raw(env, "options.raw");
    if (!o.Get("raw").IsObject()) {
      ThrowType(env, "options.raw must be an object { sampleRate, channels }");
      return false;
    }
    if (!raw.Load(o.Get("raw"), {"sampleRate", "channels"})) return false;
    int64_t n;
    if (!raw.Has("sampleRate")) {
      ThrowType(env, "options.raw.sampleRate is required (Hz, 8000 to 48000)");
      return false;
    }
    if (!ReadInt(env, raw.Get("sampleRate"), raw.Name("sampleRate"), kSampleRate, kMaxFileRate, &n)) return false;
    out->rawFormat.sampleRate = static_cast<int>(n);
    if (raw.Has("channels")) {
      if (!ReadInt(env, raw.Get("channels"), raw.Name("channels"), 1, kMaxFileChannels, &n)) return false;
      out->rawFormat.channels = static_cast<int>(n);
    }
    out->raw = true;
  }
  return true;
}

}  // namespace sy
