#include "dtmf_tone_bindings.h"

#include "engine_wrap.h"
#include "js_args.h"

namespace sy {
namespace {

constexpr int64_t kMaxToneMs = 24LL * 3600 * 1000;
constexpr int64_t kMaxCadenceStepMs = 60000;
constexpr size_t kMaxDigits = 64;
// A minute. Past 8 s (the 16-bit duration field, RFC 4733 §2.3.5) an event goes as segments.
constexpr int64_t kMaxDigitMs = 60000;
// 40 ms: the shortest key and pause a receiver must accept (ITU-T Q.24); a pause also has
// to hold the two repeats of an event's end packet (20 ms apart).
constexpr int64_t kMinDigitMs = 40;

bool ReadFrequencies(Napi::Env env, const Napi::Value& v, ToneSpec* spec) {
  const std::string what = "frequency (Hz)";
  double hz;
  if (!v.IsArray()) {
    if (!ReadNumber(env, v, what, 1, 3999, &hz)) return false;
    spec->frequenciesHz[0] = hz;
    spec->frequencies = 1;
    return true;
  }
  Napi::Array list = v.As<Napi::Array>();
  if (list.Length() < 1 || list.Length() > ToneSpec::kMaxFrequencies) {
    ThrowRange(env, "frequencies must list 1 to " + std::to_string(ToneSpec::kMaxFrequencies) + " frequencies, got " +
                        std::to_string(list.Length()));
    return false;
  }
  for (uint32_t i = 0; i < list.Length(); ++i) {
    Napi::Value f = list.Get(i);
    if (f.IsEmpty() || !ReadNumber(env, f, "frequencies[" + std::to_string(i) + "] (Hz)", 1, 3999, &hz)) return false;
    spec->frequenciesHz[i] = hz;
  }
  spec->frequencies = static_cast<int>(list.Length());
  return true;
}

bool ReadCadence(Napi::Env env, const Napi::Value& v, const std::string& what, ToneSpec* spec) {
  if (!v.IsArray()) {
    ThrowType(env, what + " must be an array of alternating on and off times (ms)");
    return false;
  }
  Napi::Array list = v.As<Napi::Array>();
  const uint32_t n = list.Length();
  if (n < 2 || n > ToneSpec::kMaxCadenceSteps || n % 2 != 0) {
    ThrowRange(env, what + " must hold 2, 4, 6 or 8 times (on, off, ...), got " + std::to_string(n));
    return false;
  }
  for (uint32_t i = 0; i < n; ++i) {
    Napi::Value step = list.Get(i);
    int64_t ms;
    if (step.IsEmpty() || !ReadInt(env, step, what + "[" + std::to_string(i) + "]", 1, kMaxCadenceStepMs, &ms)) {
      return false;
    }
    spec->cadenceMs[i] = static_cast<uint32_t>(ms);
  }
  spec->cadenceSteps = static_cast<int>(n);
  return true;
}

bool ReadDigits(Napi::Env env, const Napi::Value& v, std::string* out) {
  if (!ReadString(env, v, "digits", out)) return false;
  if (out->empty() || out->size() > kMaxDigits) {
    ThrowRange(env, "digits must hold 1 to " + std::to_string(kMaxDigits) + " keys, got " + std::to_string(out->size()));
    return false;
  }
  for (size_t i = 0; i < out->size(); ++i) {
    const char c = (*out)[i];
    if (DtmfEventCode(c) < 0) {
      ThrowRange(env, "digits[" + std::to_string(i) + "] is not a DTMF key (0-9 * # A-D): '" + std::string(1, c) + "'");
      return false;
    }
    if (c >= 'a' && c <= 'd') (*out)[i] = static_cast<char>(c - 'a' + 'A');
  }
  return true;
}

}  // namespace

bool ReadDtmfDetect(Napi::Env env, const Napi::Value& v, const std::string& what, DtmfDetect* out) {
  int c;
  if (!ReadChoice(env, v, what, {"auto", "inband", "rfc4733", "off"}, &c)) return false;
  static constexpr DtmfDetect kModes[] = {DtmfDetect::kAuto, DtmfDetect::kInband, DtmfDetect::kRfc4733,
                                          DtmfDetect::kOff};
  *out = kModes[c];
  return true;
}

// playTone(id, frequencyHz | [hz, ...], { amplitude = 0.25, durationMs = 0 (until stopped),
//          cadence = [onMs, offMs, ...], target = 'remote' })
Napi::Value EngineWrap::PlayTone(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MediaCore* core = Core(info);
  uint32_t id;
  ToneSpec spec;
  if (core == nullptr || !ReadId(env, info[0], "endpoint id", &id) || !ReadFrequencies(env, info[1], &spec)) {
    return env.Undefined();
  }
  Options o(env, "options");
  if (!o.Load(info[2], {"amplitude", "durationMs", "cadence", "target"})) return env.Undefined();
  int64_t duration = 0;
  int target = 0;
  if (o.Has("amplitude") && !ReadNumber(env, o.Get("amplitude"), o.Name("amplitude"), 0, 1, &spec.amplitude)) {
    return env.Undefined();
  }
  if (o.Has("durationMs") && !ReadInt(env, o.Get("durationMs"), o.Name("durationMs"), 0, kMaxToneMs, &duration)) {
    return env.Undefined();
  }
  spec.durationMs = static_cast<uint32_t>(duration);
  if (o.Has("cadence") && !ReadCadence(env, o.Get("cadence"), o.Name("cadence"), &spec)) return env.Undefined();
  if (o.Has("target") && !ReadChoice(env, o.Get("target"), o.Name("target"), {"remote", "mixer"}, &target)) {
    return env.Undefined();
  }
  ThrowIfFailed(env, core->PlayTone(id, spec, target == 0 ? ToneTarget::kRemote : ToneTarget::kMixer));
  return env.Undefined();
}

// sendDtmf(id, digits, { durationMs = 100, gapMs = 100, volume = 10, method = 'auto' })
Napi::Value EngineWrap::SendDtmf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MediaCore* core = Core(info);
  uint32_t id;
  DtmfRequest req;
  if (core == nullptr || !ReadId(env, info[0], "endpoint id", &id) || !ReadDigits(env, info[1], &req.digits)) {
    return env.Undefined();
  }
  Options o(env, "options");
  if (!o.Load(info[2], {"durationMs", "gapMs", "volume", "method"})) return env.Undefined();
  if (!o.ReadInt("durationMs", kMinDigitMs, kMaxDigitMs, &req.durationMs) ||
      !o.ReadInt("gapMs", kMinDigitMs, kMaxDigitMs, &req.gapMs)) {
    return env.Undefined();
  }
  int64_t v;
  if (o.Has("volume")) {
    if (!ReadInt(env, o.Get("volume"), o.Name("volume") + " (-dBm0)", 0, 63, &v)) return env.Undefined();
    req.volume = static_cast<uint8_t>(v);
  }
  if (o.Has("method")) {
    int m;
    if (!ReadChoice(env, o.Get("method"), o.Name("method"), {"rfc4733", "inband", "auto"}, &m)) return env.Undefined();
    static constexpr DtmfSendMethod kMethods[] = {DtmfSendMethod::kRfc4733, DtmfSendMethod::kInband,
                                                  DtmfSendMethod::kAuto};
    req.method = kMethods[m];
  }
  ThrowIfFailed(env, core->SendDtmf(id, std::move(req)));
  return env.Undefined();
}

// setDtmfDetect(id, 'auto' | 'inband' | 'rfc4733' | 'off')
Napi::Value EngineWrap::SetDtmfDetect(const Napi::CallbackInfo& info) {
  return SettingCommand(info, ReadDtmfDetect, "dtmfDetect", &EndpointSettings::dtmfDetect);
}

}  // namespace sy
