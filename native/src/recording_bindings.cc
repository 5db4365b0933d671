// The recording methods of the JS class `Engine` (declared in engine_wrap.h).
#include "engine_wrap.h"
#include "events_js.h"
#include "js_args.h"

namespace sy {

// startRecording(path, { endpoint } | { mixer, layout: 'mix' } | { mixer, layout: 'stereo', left, right }) → id
Napi::Value EngineWrap::StartRecording(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MediaCore* core = Core(info);
  RecordingRequest req;
  if (core == nullptr || !ReadString(env, info[0], "path", &req.path)) return env.Undefined();
  Options o(env, "source");
  if (!o.Load(info[1], {"endpoint", "mixer", "layout", "left", "right"})) return env.Undefined();
  RecordingSource& src = req.source;
  if (o.Has("endpoint") == o.Has("mixer")) {
    ThrowType(env, "source needs exactly one of endpoint or mixer");
    return env.Undefined();
  }
  if (o.Has("endpoint")) {
    if (o.Has("layout") || o.Has("left") || o.Has("right")) {
      ThrowType(env, "an endpoint recording is mono: source takes no layout, left or right");
      return env.Undefined();
    }
    src.kind = RecordingSource::Kind::kEndpoint;
    if (!ReadId(env, o.Get("endpoint"), o.Name("endpoint"), &src.endpoint)) return env.Undefined();
  } else {
    int layout;
    if (!ReadId(env, o.Get("mixer"), o.Name("mixer"), &src.mixer) ||
        !ReadChoice(env, o.Get("layout"), o.Name("layout"), {"mix", "stereo"}, &layout)) {
      return env.Undefined();
    }
    if (layout == 0) {
      if (o.Has("left") || o.Has("right")) {
        ThrowType(env, "source.left and source.right go with layout 'stereo'");
        return env.Undefined();
      }
      src.kind = RecordingSource::Kind::kMix;
    } else {
      src.kind = RecordingSource::Kind::kStereo;
      if (!ReadId(env, o.Get("left"), o.Name("left"), &src.left) ||
          !ReadId(env, o.Get("right"), o.Name("right"), &src.right)) {
        return env.Undefined();
      }
    }
  }
  uint32_t id;
  if (ThrowIfFailed(env, core->StartRecording(req, &id))) return env.Undefined();
  return Napi::Number::New(env, id);
}

Napi::Value EngineWrap::PauseRecording(const Napi::CallbackInfo& info) {
  return IdCommand(info, "recording id", [](MediaCore& core, uint32_t id) { return core.PauseRecording(id, true); });
}

Napi::Value EngineWrap::ResumeRecording(const Napi::CallbackInfo& info) {
  return IdCommand(info, "recording id", [](MediaCore& core, uint32_t id) { return core.PauseRecording(id, false); });
}

Napi::Value EngineWrap::StopRecording(const Napi::CallbackInfo& info) {
  return IdCommand(info, "recording id", &MediaCore::StopRecording);
}

// recordingStats() → the writer's counters (writer_thread.h). Also after close: final figures.
Napi::Value EngineWrap::RecordingStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_) return env.Undefined();
  const RecorderStats s = core_->RecordingStats();
  Napi::Object o = Napi::Object::New(env);
  auto set = [&](const char* k, int64_t v) { o.Set(k, Napi::Number::New(env, static_cast<double>(v))); };
  set("active", s.active);
  set("finished", s.finished);
  set("failed", s.failed);
  set("framesWritten", s.framesWritten);
  set("bytesWritten", s.bytesWritten);
  set("droppedFrames", s.droppedFrames);
  set("writeUs", s.writeUs);
  set("passes", s.passes);
  set("maxPassUs", s.maxPassUs);
  return o;
}

// takeEvents() → the events not delivered yet, at once. After close() these are the last
// ones (every open recording's 'recordingDone'), which the event function may never carry.
Napi::Value EngineWrap::TakeEvents(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_) return Napi::Array::New(env);
  napi_value list;
  if (!EventsToJs(env, core_->TakeEvents(), &list)) {
    Napi::Error::New(env, "cannot convert media events").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Value(env, list);
}

}  // namespace sy
