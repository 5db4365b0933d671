// The JS class `Engine`: argument checking, then the MediaCore. Events reach JS through one
// thread-safe function per engine, one call per batch.
#pragma once
#include <napi.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "js_args.h"
#include "media_core.h"

namespace sy {

// Reads one JS argument into *out, or throws a TypeError/RangeError naming it `what` and
// returns false (the shape of the readers in js_args.h).
template <typename T>
using ArgReader = bool (*)(Napi::Env env, const Napi::Value& v, const std::string& what, T* out);

class EngineWrap : public Napi::ObjectWrap<EngineWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit EngineWrap(const Napi::CallbackInfo& info);
  ~EngineWrap() override;

 private:
  static void CallJs(Napi::Env env, Napi::Function callback, MediaCore* core, void* data);
  using EventFn = Napi::TypedThreadSafeFunction<MediaCore, void, CallJs>;
  struct HookData {
    std::shared_ptr<MediaCore> core;
    bool ran = false;
  };
  static void OnEnvCleanup(void* arg);

  MediaCore* Core(const Napi::CallbackInfo& info);  // throws if closed or never started
  void Shutdown();

  // The shape most methods share, so each is one line: the engine must be open, info[0] is
  // an id (named `idName` in errors), info[1] (if any) is read by `read`, then one MediaCore
  // call, `apply(core, id[, value])`, whose failed Status throws.
  template <typename Apply>
  Napi::Value IdCommand(const Napi::CallbackInfo& info, const char* idName, Apply apply);
  template <typename T, typename Apply>
  Napi::Value IdCommand(const Napi::CallbackInfo& info, const char* idName, ArgReader<T> read, const char* argName,
                        Apply apply);

  // A one-setting command, e.g. setCodec(id, codec): info[1] read by `read` into `field` of
  // an EndpointSettings, then MediaCore::Configure.
  template <typename T>
  Napi::Value SettingCommand(const Napi::CallbackInfo& info, ArgReader<T> read, const char* argName,
                             std::optional<T> EndpointSettings::*field);

  Napi::Value CreateEndpoint(const Napi::CallbackInfo& info);
  Napi::Value CloseEndpoint(const Napi::CallbackInfo& info);
  Napi::Value ConfigureEndpoint(const Napi::CallbackInfo& info);
  Napi::Value SetRemote(const Napi::CallbackInfo& info);
  Napi::Value SetCodec(const Napi::CallbackInfo& info);
  Napi::Value SetPayloadTypes(const Napi::CallbackInfo& info);
  Napi::Value SetEcho(const Napi::CallbackInfo& info);
  Napi::Value SetSending(const Napi::CallbackInfo& info);
  Napi::Value SetRtpTimeout(const Napi::CallbackInfo& info);
  Napi::Value PlayTone(const Napi::CallbackInfo& info);  // dtmf_tone_bindings.cc
  Napi::Value StopTone(const Napi::CallbackInfo& info);
  Napi::Value SendDtmf(const Napi::CallbackInfo& info);       // dtmf_tone_bindings.cc
  Napi::Value SetDtmfDetect(const Napi::CallbackInfo& info);  // dtmf_tone_bindings.cc
  Napi::Value SetRtcp(const Napi::CallbackInfo& info);
  Napi::Value EndpointStats(const Napi::CallbackInfo& info);
  Napi::Value SetVad(const Napi::CallbackInfo& info);        // engine_wrap_audio.cc
  Napi::Value Play(const Napi::CallbackInfo& info);          // engine_wrap_audio.cc
  Napi::Value StopPlayback(const Napi::CallbackInfo& info);  // engine_wrap_audio.cc
  Napi::Value CreateMixer(const Napi::CallbackInfo& info);
  Napi::Value CloseMixer(const Napi::CallbackInfo& info);
  Napi::Value AddMember(const Napi::CallbackInfo& info);
  Napi::Value RemoveMember(const Napi::CallbackInfo& info);
  Napi::Value SetHears(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value IsClosed(const Napi::CallbackInfo& info);
  Napi::Value KeepAlive(const Napi::CallbackInfo& info);
  // Recording (recording_bindings.cc).
  Napi::Value StartRecording(const Napi::CallbackInfo& info);
  Napi::Value PauseRecording(const Napi::CallbackInfo& info);
  Napi::Value ResumeRecording(const Napi::CallbackInfo& info);
  Napi::Value StopRecording(const Napi::CallbackInfo& info);
  Napi::Value RecordingStats(const Napi::CallbackInfo& info);
  Napi::Value TakeEvents(const Napi::CallbackInfo& info);

  std::shared_ptr<MediaCore> core_;
  EventFn events_;
  bool eventsLive_ = false;
  bool refed_ = false;
  HookData* hook_ = nullptr;
  napi_env env_ = nullptr;
};

template <typename Apply>
Napi::Value EngineWrap::IdCommand(const Napi::CallbackInfo& info, const char* idName, Apply apply) {
  Napi::Env env = info.Env();
  MediaCore* core = Core(info);
  uint32_t id;
  if (core == nullptr || !ReadId(env, info[0], idName, &id)) return env.Undefined();
  ThrowIfFailed(env, std::invoke(apply, *core, id));
  return env.Undefined();
}

template <typename T, typename Apply>
Napi::Value EngineWrap::IdCommand(const Napi::CallbackInfo& info, const char* idName, ArgReader<T> read,
                                  const char* argName, Apply apply) {
  Napi::Env env = info.Env();
  MediaCore* core = Core(info);
  uint32_t id;
  T value{};
  if (core == nullptr || !ReadId(env, info[0], idName, &id) || !read(env, info[1], argName, &value)) {
    return env.Undefined();
  }
  ThrowIfFailed(env, std::invoke(apply, *core, id, value));
  return env.Undefined();
}

template <typename T>
Napi::Value EngineWrap::SettingCommand(const Napi::CallbackInfo& info, ArgReader<T> read, const char* argName,
                                       std::optional<T> EndpointSettings::*field) {
  return IdCommand(info, "endpoint id", read, argName, [field](MediaCore& core, uint32_t id, const T& value) {
    EndpointSettings settings;
    settings.*field = value;
    return core.Configure(id, settings);
  });
}

}  // namespace sy
