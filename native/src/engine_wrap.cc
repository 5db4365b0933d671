#include "engine_wrap.h"

#include <thread>

#include "audio_args.h"
#include "dtmf_tone_bindings.h"
#include "endpoint_args.h"
#include "events_js.h"
#include "js_args.h"
#include "percentiles_js.h"

namespace sy {
namespace {

constexpr unsigned kMaxThreads = 64;
constexpr int kMaxJitterMs = 500;  // JitterBuffer::kMaxDepthLimit
constexpr int64_t kMaxRtcpIntervalMs = 600000;
constexpr int64_t kMaxPortPool = 4096;

// Reads jitterMs, jitterMinMs and jitterMaxMs (the jitter buffer's initial depth and range).
bool ReadJitter(const Options& o, int* initialMs, int* minMs, int* maxMs) {
  const std::pair<const char*, int*> fields[] = {{"jitterMs", initialMs}, {"jitterMinMs", minMs}, {"jitterMaxMs", maxMs}};
  for (const auto& [key, out] : fields) {
    if (!o.ReadInt(key, 0, kMaxJitterMs, out)) return false;
  }
  return true;
}

}  // namespace

Napi::Function EngineWrap::Define(Napi::Env env) {
  return DefineClass(env, "Engine",
                     {
                         InstanceMethod<&EngineWrap::CreateEndpoint>("createEndpoint"),
                         InstanceMethod<&EngineWrap::CloseEndpoint>("closeEndpoint"),
                         InstanceMethod<&EngineWrap::ConfigureEndpoint>("configureEndpoint"),
                         InstanceMethod<&EngineWrap::SetRemote>("setRemote"),
                         InstanceMethod<&EngineWrap::SetCodec>("setCodec"),
                         InstanceMethod<&EngineWrap::SetPayloadTypes>("setPayloadTypes"),
                         InstanceMethod<&EngineWrap::SetEcho>("setEcho"),
                         InstanceMethod<&EngineWrap::SetSending>("setSending"),
                         InstanceMethod<&EngineWrap::SetRtpTimeout>("setRtpTimeout"),
                         InstanceMethod<&EngineWrap::PlayTone>("playTone"),
                         InstanceMethod<&EngineWrap::StopTone>("stopTone"),
                         InstanceMethod<&EngineWrap::SendDtmf>("sendDtmf"),
                         InstanceMethod<&EngineWrap::SetDtmfDetect>("setDtmfDetect"),
                         InstanceMethod<&EngineWrap::SetRtcp>("setRtcp"),
                         InstanceMethod<&EngineWrap::EndpointStats>("endpointStats"),
                         InstanceMethod<&EngineWrap::SetVad>("setVad"),
                         InstanceMethod<&EngineWrap::Play>("play"),
                         InstanceMethod<&EngineWrap::StopPlayback>("stopPlayback"),
                         InstanceMethod<&EngineWrap::CreateMixer>("createMixer"),
                         InstanceMethod<&EngineWrap::CloseMixer>("closeMixer"),
                         InstanceMethod<&EngineWrap::AddMember>("addMember"),
                         InstanceMethod<&EngineWrap::RemoveMember>("removeMember"),
                         InstanceMethod<&EngineWrap::SetHears>("setHears"),
                         InstanceMethod<&EngineWrap::Stats>("stats"),
                         InstanceMethod<&EngineWrap::Close>("close"),
                         InstanceMethod<&EngineWrap::IsClosed>("isClosed"),
                         InstanceMethod<&EngineWrap::KeepAlive>("keepAlive"),
                         InstanceMethod<&EngineWrap::StartRecording>("startRecording"),
                         InstanceMethod<&EngineWrap::PauseRecording>("pauseRecording"),
                         InstanceMethod<&EngineWrap::ResumeRecording>("resumeRecording"),
                         InstanceMethod<&EngineWrap::StopRecording>("stopRecording"),
                         InstanceMethod<&EngineWrap::RecordingStats>("recordingStats"),
                         InstanceMethod<&EngineWrap::TakeEvents>("takeEvents"),
                     });
}

// new Engine(options, onEvents)
EngineWrap::EngineWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EngineWrap>(info) {
  Napi::Env env = info.Env();
  env_ = env;
  EngineOptions opts;
  const unsigned cores = std::thread::hardware_concurrency();
  opts.threads = cores == 0 ? 1 : std::min(cores, kMaxThreads);

  Options o(env, "options");
  if (!o.Load(info[0], {"threads", "portMin", "portMax", "address", "rtpTimeoutMs", "jitterMs", "jitterMinMs",
                     "jitterMaxMs", "rtcpIntervalMs", "portPool", "realtimePriority"})) return;
  if (!o.ReadInt("threads", 1, kMaxThreads, &opts.threads) || !o.ReadInt("portMin", 1024, 65534, &opts.portMin) ||
      !o.ReadInt("portMax", 1024, 65535, &opts.portMax)) {
    return;
  }
  if (opts.portMin + (opts.portMin & 1) > opts.portMax) {
    ThrowRange(env, "options.portMin..portMax (" + std::to_string(opts.portMin) + ".." +
                        std::to_string(opts.portMax) + ") holds no even port");
    return;
  }
  if (o.Has("address")) {
    if (!ReadString(env, o.Get("address"), o.Name("address"), &opts.address)) return;
    NetAddress probe;
    if (!NetAddress::Parse(opts.address, 0, &probe)) {
      ThrowType(env, "options.address must be an IPv4 or IPv6 literal, got '" + opts.address + "'");
      return;
    }
  }
  if (o.Has("rtpTimeoutMs") && !ReadTimeoutMs(env, o.Get("rtpTimeoutMs"), o.Name("rtpTimeoutMs"), &opts.rtpTimeoutMs)) {
    return;
  }
  if (!ReadJitter(o, &opts.jitterMs, &opts.jitterMinMs, &opts.jitterMaxMs)) return;
  if (opts.jitterMinMs > opts.jitterMaxMs) {
    ThrowRange(env, "options.jitterMinMs exceeds options.jitterMaxMs");
    return;
  }
  if (!o.ReadInt("rtcpIntervalMs", 0, kMaxRtcpIntervalMs, &opts.rtcpIntervalMs) ||
      !o.ReadInt("portPool", 0, kMaxPortPool, &opts.portPool) ||
      !o.ReadInt("realtimePriority", 0, 99, &opts.realtimePriority)) {
    return;
  }
  if (!info[1].IsFunction()) {
    ThrowType(env, "onEvents must be a function");
    return;
  }

  auto core = std::make_shared<MediaCore>(opts, nullptr);
  // The thread-safe function keeps the core alive until its own finalizer, so a batch still
  // queued when the engine closes finds it.
  auto* keep = new std::shared_ptr<MediaCore>(core);
  events_ = EventFn::New(
      env, info[1].As<Napi::Function>(), "switchyard-media-events", 0, 1, core.get(),
      [](Napi::Env, std::shared_ptr<MediaCore>* held, MediaCore*) { delete held; }, keep);
  if (env.IsExceptionPending()) {
    delete keep;
    return;
  }
  eventsLive_ = true;
  events_.Unref(env);  // events alone never keep the process alive
  EventFn fn = events_;
  core->SetNotify([fn]() { fn.NonBlockingCall(); });

  Status s = core->Start();
  if (ThrowIfFailed(env, s)) {
    events_.Release();
    eventsLive_ = false;
    return;
  }
  core_ = core;
  // Registered after the thread-safe function, so it runs before that function's own
  // teardown (hooks run in reverse order): the threads stop before it goes away.
  hook_ = new HookData{core_, false};
  napi_add_env_cleanup_hook(env, &EngineWrap::OnEnvCleanup, hook_);
}

EngineWrap::~EngineWrap() { Shutdown(); }

void EngineWrap::OnEnvCleanup(void* arg) {
  auto* hook = static_cast<HookData*>(arg);
  hook->core->Close();
  hook->ran = true;
}

void EngineWrap::Shutdown() {
  if (core_) core_->Close();
  const bool envGone = hook_ != nullptr && hook_->ran;
  if (hook_ != nullptr) {
    if (!hook_->ran) napi_remove_env_cleanup_hook(env_, &EngineWrap::OnEnvCleanup, hook_);
    delete hook_;
    hook_ = nullptr;
  }
  if (eventsLive_ && !envGone) events_.Release();
  eventsLive_ = false;
}

// Runs on the JS thread, but also while Node tears the environment down (its handles are
// drained after JS can no longer run). So it uses the C API and gives up quietly on any
// failure: node-addon-api would turn a failed call there into a fatal error.
void EngineWrap::CallJs(Napi::Env env, Napi::Function callback, MediaCore* core, void*) {
  if (env == nullptr || core == nullptr || callback.IsEmpty()) return;
  EventList events = core->TakeEvents();
  if (events.empty()) return;
  napi_env e = env;
  napi_value list;
  if (!EventsToJs(e, events, &list)) return;
  napi_value global;
  napi_value result;
  if (napi_get_global(e, &global) != napi_ok) return;
  // If the callback throws, the exception stays pending and Node reports it as uncaught.
  napi_call_function(e, global, callback, 1, &list, &result);
}

// keepAlive(on): while on, pending events keep the process alive (e.g. awaiting a close).
Napi::Value EngineWrap::KeepAlive(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool on;
  if (!ReadBool(env, info[0], "keepAlive", &on)) return env.Undefined();
  if (eventsLive_ && on != refed_) {
    if (on) {
      events_.Ref(env);
    } else {
      events_.Unref(env);
    }
    refed_ = on;
  }
  return env.Undefined();
}

MediaCore* EngineWrap::Core(const Napi::CallbackInfo& info) {
  if (!core_ || core_->closed()) {
    Napi::Error::New(info.Env(), "media engine is closed").ThrowAsJavaScriptException();
    return nullptr;
  }
  return core_.get();
}

// createEndpoint(options?) → { id, address, port, thread }: placement, jitter buffer, VAD, and
// the settings configureEndpoint takes, all in one command.
Napi::Value EngineWrap::CreateEndpoint(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MediaCore* core = Core(info);
  if (core == nullptr) return env.Undefined();
  Options o(env, "options");
  if (!o.Load(info[0], {"address", "thread", "mixer", "join", "symmetric", "jitterMs", "jitterMinMs", "jitterMaxMs",
                        "vad", "rtcpMux", "rtcpIntervalMs", SY_ENDPOINT_SETTING_KEYS})) {
    return env.Undefined();
  }
  EndpointRequest req;
  if (o.Has("address") && !ReadString(env, o.Get("address"), o.Name("address"), &req.address)) return env.Undefined();
  if (!o.ReadInt("thread", 0, kMaxThreads - 1, &req.thread)) return env.Undefined();
  if (o.Has("mixer") && !ReadId(env, o.Get("mixer"), o.Name("mixer"), &req.mixer)) return env.Undefined();
  if (o.Has("join") && !ReadBool(env, o.Get("join"), o.Name("join"), &req.join)) return env.Undefined();
  if (o.Has("symmetric") && !ReadBool(env, o.Get("symmetric"), o.Name("symmetric"), &req.symmetric)) {
    return env.Undefined();
  }
  if (!ReadJitter(o, &req.jitterMs, &req.jitterMinMs, &req.jitterMaxMs)) return env.Undefined();
  if (!o.ReadInt("rtcpIntervalMs", 0, kMaxRtcpIntervalMs, &req.rtcpIntervalMs)) return env.Undefined();
  if (o.Has("vad")) {
    VadOptions vad;
    if (!ReadVadOptions(env, o.Get("vad"), o.Name("vad"), &vad)) return env.Undefined();
    req.vad = vad.ApplyTo(req.vad);
  }
  if (!ReadEndpointSettings(env, o, &req.settings)) return env.Undefined();
  if (o.Has("rtcpMux")) {  // shorthand for rtcp: { mux }
    bool mux;
    if (!ReadBool(env, o.Get("rtcpMux"), o.Name("rtcpMux"), &mux)) return env.Undefined();
    if (req.settings.rtcp) {
      ThrowType(env, "options.rtcpMux and options.rtcp exclude each other (use rtcp.mux)");
      return env.Undefined();
    }
    req.settings.rtcp = RtcpTarget{mux, NetAddress()};
  }

  EndpointInfo out;
  if (ThrowIfFailed(env, core->CreateEndpoint(req, &out))) return env.Undefined();
  Napi::Object r = Napi::Object::New(env);
  r.Set("id", Napi::Number::New(env, out.id));
  r.Set("address", out.address);
  r.Set("port", Napi::Number::New(env, out.port));
  r.Set("thread", Napi::Number::New(env, out.thread));
  return r;
}

Napi::Value EngineWrap::CloseEndpoint(const Napi::CallbackInfo& info) {
  return IdCommand(info, "endpoint id", &MediaCore::CloseEndpoint);
}

// configureEndpoint(id, { codec?, payloadTypes?, remote?: { address, port }, sending?, echo?,
// rtpTimeoutMs?, rtcp?: { mux, address?, port? }, dtmfDetect? }): what the far end's SDP
// decided, in one command; absent fields stay as they are.
Napi::Value EngineWrap::ConfigureEndpoint(const Napi::CallbackInfo& info) {
  return IdCommand(
      info, "endpoint id",
      +[](Napi::Env env, const Napi::Value& v, const std::string& what, EndpointSettings* out) {
        if (!v.IsObject()) {
          ThrowType(env, what + " must be an object");
          return false;
        }
        Options o(env, what);
        return o.Load(v, {SY_ENDPOINT_SETTING_KEYS}) && ReadEndpointSettings(env, o, out);
      },
      "settings", &MediaCore::Configure);
}

// setRemote(id, address, port)
Napi::Value EngineWrap::SetRemote(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MediaCore* core = Core(info);
  uint32_t id;
  EndpointSettings settings;
  NetAddress remote;
  if (core == nullptr || !ReadId(env, info[0], "endpoint id", &id) ||
      !ReadAddressPort(env, info[1], info[2], "", &remote)) {
    return env.Undefined();
  }
  settings.remote = remote;
  ThrowIfFailed(env, core->Configure(id, settings));
  return env.Undefined();
}

Napi::Value EngineWrap::SetCodec(const Napi::CallbackInfo& info) {
  return SettingCommand(info, ReadCodec, "codec", &EndpointSettings::codec);
}

Napi::Value EngineWrap::SetPayloadTypes(const Napi::CallbackInfo& info) {
  return SettingCommand(info, ReadPayloadTypes, "payloadTypes", &EndpointSettings::payloadTypes);
}

Napi::Value EngineWrap::SetEcho(const Napi::CallbackInfo& info) {
  return SettingCommand(info, ReadBool, "echo", &EndpointSettings::echo);
}

Napi::Value EngineWrap::SetSending(const Napi::CallbackInfo& info) {
  return SettingCommand(info, ReadBool, "sending", &EndpointSettings::sending);
}

Napi::Value EngineWrap::SetRtpTimeout(const Napi::CallbackInfo& info) {
  return SettingCommand(info, ReadTimeoutMs, "rtpTimeoutMs", &EndpointSettings::rtpTimeoutMs);
}

Napi::Value EngineWrap::StopTone(const Napi::CallbackInfo& info) {
  return IdCommand(info, "endpoint id", &MediaCore::StopTone);
}

// setRtcp(id, { mux = false, address?, port? }): RFC 5761 multiplexing, and where the peer
// wants RTCP (a=rtcp, RFC 3605); without an address, the RTP peer's port + 1.
Napi::Value EngineWrap::SetRtcp(const Napi::CallbackInfo& info) {
  return SettingCommand(info, ReadRtcpTarget, "rtcp", &EndpointSettings::rtcp);
}

Napi::Value EngineWrap::EndpointStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MediaCore* core = Core(info);
  uint32_t id;
  if (core == nullptr || !ReadId(env, info[0], "endpoint id", &id)) return env.Undefined();
  std::vector<double> values;
  if (ThrowIfFailed(env, core->EndpointStats(id, &values))) return env.Undefined();
  napi_value counters;
  if (!Float64ArrayToJs(env, values, &counters)) {
    if (!env.IsExceptionPending()) Napi::Error::New(env, "cannot convert endpoint counters").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Value(env, counters);
}

// createMixer({ thread? }) → { id, thread }
Napi::Value EngineWrap::CreateMixer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MediaCore* core = Core(info);
  if (core == nullptr) return env.Undefined();
  Options o(env, "options");
  if (!o.Load(info[0], {"thread"})) return env.Undefined();
  int64_t thread = -1;
  if (o.Has("thread") && !ReadInt(env, o.Get("thread"), o.Name("thread"), 0, kMaxThreads - 1, &thread)) {
    return env.Undefined();
  }
  uint32_t id;
  unsigned t;
  if (ThrowIfFailed(env, core->CreateMixer(static_cast<int>(thread), &id, &t))) return env.Undefined();
  Napi::Object r = Napi::Object::New(env);
  r.Set("id", Napi::Number::New(env, id));
  r.Set("thread", Napi::Number::New(env, t));
  return r;
}

Napi::Value EngineWrap::CloseMixer(const Napi::CallbackInfo& info) {
  return IdCommand(info, "mixer id", &MediaCore::CloseMixer);
}

Napi::Value EngineWrap::AddMember(const Napi::CallbackInfo& info) {
  return IdCommand(info, "mixer id", ReadId, "endpoint id", &MediaCore::AddMember);
}

Napi::Value EngineWrap::RemoveMember(const Napi::CallbackInfo& info) {
  return IdCommand(info, "mixer id", ReadId, "endpoint id", &MediaCore::RemoveMember);
}

// setHears(mixerId, [[member, [heard, ...]], ...]) — applied together on one tick boundary.
Napi::Value EngineWrap::SetHears(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MediaCore* core = Core(info);
  uint32_t mixer;
  if (core == nullptr || !ReadId(env, info[0], "mixer id", &mixer)) return env.Undefined();
  if (!info[1].IsArray()) {
    ThrowType(env, "hear sets must be an array of [member, [heard...]] pairs");
    return env.Undefined();
  }
  Napi::Array sets = info[1].As<Napi::Array>();
  const uint32_t n = sets.Length();
  if (n > 10000) {
    ThrowRange(env, "too many hear sets");
    return env.Undefined();
  }
  std::vector<std::pair<uint32_t, std::vector<uint32_t>>> parsed;
  for (uint32_t i = 0; i < n; ++i) {
    Napi::Value pair = sets.Get(i);
    if (pair.IsEmpty()) return env.Undefined();
    if (!pair.IsArray() || pair.As<Napi::Array>().Length() != 2) {
      ThrowType(env, "hear sets[" + std::to_string(i) + "] must be a [member, [heard...]] pair");
      return env.Undefined();
    }
    Napi::Array p = pair.As<Napi::Array>();
    uint32_t member;
    Napi::Value m = p.Get(0u), hears = p.Get(1u);
    if (m.IsEmpty() || hears.IsEmpty()) return env.Undefined();
    if (!ReadId(env, m, "hear sets[" + std::to_string(i) + "] member", &member)) return env.Undefined();
    if (!hears.IsArray()) {
      ThrowType(env, "the hear set of endpoint " + std::to_string(member) + " must be an array of endpoint ids");
      return env.Undefined();
    }
    Napi::Array h = hears.As<Napi::Array>();
    if (h.Length() > 10000) {
      ThrowRange(env, "hear set too large");
      return env.Undefined();
    }
    std::vector<uint32_t> ids;
    for (uint32_t j = 0; j < h.Length(); ++j) {
      Napi::Value x = h.Get(j);
      uint32_t id;
      if (x.IsEmpty()) return env.Undefined();
      if (!ReadId(env, x, "the hear set of endpoint " + std::to_string(member) + "[" + std::to_string(j) + "]", &id)) {
        return env.Undefined();
      }
      ids.push_back(id);
    }
    parsed.emplace_back(member, std::move(ids));
  }
  ThrowIfFailed(env, core->SetHears(mixer, parsed));
  return env.Undefined();
}

Napi::Value EngineWrap::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MediaCore* core = Core(info);
  if (core == nullptr) return env.Undefined();
  const std::vector<ThreadStats> threads = core->Stats();
  Napi::Array list = Napi::Array::New(env, threads.size());
  for (size_t i = 0; i < threads.size(); ++i) {
    const ThreadStats& t = threads[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("index", Napi::Number::New(env, t.index));
    o.Set("ticks", Napi::Number::New(env, static_cast<double>(t.ticks)));
    o.Set("overruns", Napi::Number::New(env, static_cast<double>(t.overruns)));
    o.Set("endpoints", Napi::Number::New(env, static_cast<double>(t.endpoints)));
    o.Set("mixers", Napi::Number::New(env, static_cast<double>(t.mixers)));
    o.Set("realtime", Napi::Boolean::New(env, t.realtime));
    o.Set("latenessUs", PercentilesObject(env, t.latenessUs));
    o.Set("workUs", PercentilesObject(env, t.workUs));
    list.Set(static_cast<uint32_t>(i), o);
  }
  const PortPoolStats pool = core->PortStats();
  Napi::Object ports = Napi::Object::New(env);
  ports.Set("taken", Napi::Number::New(env, static_cast<double>(pool.taken)));
  ports.Set("missed", Napi::Number::New(env, static_cast<double>(pool.missed)));
  ports.Set("ready", Napi::Number::New(env, static_cast<double>(pool.ready)));
  Napi::Object r = Napi::Object::New(env);
  r.Set("threads", list);
  r.Set("portPool", ports);
  return r;
}

Napi::Value EngineWrap::Close(const Napi::CallbackInfo& info) {
  Shutdown();
  return info.Env().Undefined();
}

Napi::Value EngineWrap::IsClosed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), !core_ || core_->closed());
}

}  // namespace sy
