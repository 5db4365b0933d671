// Engine methods for speech detection and playback. A file is read, decoded and resampled
// by a worker of the libuv pool (never the JS thread, never a media thread); only the
// finished 8 kHz buffer goes down to the endpoint's thread, by a command.
#include "audio_args.h"
#include "engine_wrap.h"
#include "js_args.h"

namespace sy {
namespace {

class PlaybackLoader : public Napi::AsyncWorker {
 public:
  PlaybackLoader(Napi::Env env, std::shared_ptr<MediaCore> core, uint32_t endpoint, std::string path,
                 PlayOptions options)
      : Napi::AsyncWorker(env, "switchyard-playback-load"), deferred_(Napi::Promise::Deferred::New(env)),
        core_(std::move(core)), endpoint_(endpoint), path_(std::move(path)), options_(std::move(options)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

  void Execute() override {
    std::string error;
    if (!LoadAudioFile(path_, options_.raw ? &options_.rawFormat : nullptr, &pcm_, &error)) SetError(error);
  }

  void OnOK() override {
    PlayRequest request = options_.request;
    request.pcm = std::make_shared<const std::vector<int16_t>>(std::move(pcm_));
    const Status s = core_->StartPlayback(endpoint_, std::move(request));
    if (s.ok()) {
      deferred_.Resolve(Napi::Number::New(Env(), options_.request.id));
    } else {
      deferred_.Reject(Napi::Error::New(Env(), s.message).Value());
    }
  }

  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<MediaCore> core_;
  uint32_t endpoint_;
  std::string path_;
  PlayOptions options_;
  std::vector<int16_t> pcm_;
};

// `true`/`false` or an options object (audio_args.h).
bool ReadVadArgument(Napi::Env env, const Napi::Value& v, const std::string& what, VadOptions* out) {
  if (!v.IsBoolean() && !v.IsObject()) {
    ThrowType(env, what + " must be a boolean or an options object");
    return false;
  }
  return ReadVadOptions(env, v, what, out);
}

// A playback id, or undefined for 0 (all of the endpoint's playbacks).
bool ReadPlaybackId(Napi::Env env, const Napi::Value& v, const std::string& what, uint32_t* out) {
  *out = 0;
  return v.IsUndefined() || ReadId(env, v, what, out);
}

}  // namespace

// setVad(id, true | false | { enabled, hangoverMs, minSpeechMs, minSilenceMs, marginDb, minLevelDb })
Napi::Value EngineWrap::SetVad(const Napi::CallbackInfo& info) {
  return IdCommand(info, "endpoint id", ReadVadArgument, "vad", &MediaCore::SetVad);
}

// play(id, path, options) → Promise<playbackId>: resolves once the file is loaded and handed
// to the media thread; rejects if it cannot be read or decoded. Bad arguments throw.
Napi::Value EngineWrap::Play(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MediaCore* core = Core(info);
  uint32_t endpoint;
  std::string path;
  PlayOptions options;
  if (core == nullptr || !ReadId(env, info[0], "endpoint id", &endpoint) ||
      !ReadString(env, info[1], "path", &path) || !ReadPlayOptions(env, info[2], &options)) {
    return env.Undefined();
  }
  if (path.empty() || path.find('\0') != std::string::npos) {
    ThrowType(env, "path must be a non-empty file name");
    return env.Undefined();
  }
  if (ThrowIfFailed(env, core->ReservePlaybackId(endpoint, &options.request.id))) return env.Undefined();
  auto* loader = new PlaybackLoader(env, core_, endpoint, std::move(path), std::move(options));
  Napi::Promise promise = loader->Promise();
  loader->Queue();  // deletes itself when done
  return promise;
}

// stopPlayback(id, playbackId = 0): 0 stops everything playing or queued on the endpoint.
Napi::Value EngineWrap::StopPlayback(const Napi::CallbackInfo& info) {
  return IdCommand(info, "endpoint id", ReadPlaybackId, "playback id", &MediaCore::StopPlayback);
}

}  // namespace sy
