// MediaCore's recording commands: arguments checked against the registry on the JS thread,
// then the capture is posted to the source's media thread and the file to the writer.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "media_core.h"

namespace sy {
namespace {

// The file itself is opened by the writer thread; here only what can be told at once: the
// path is usable and its directory exists and is writable.
Status CheckRecordingPath(const std::string& path) {
  if (path.empty()) return Status::Range("recording path is empty");
  if (path.find('\0') != std::string::npos) return Status::Range("recording path contains a NUL character");
  if (path.back() == '/') return Status::Range("recording path '" + path + "' names a directory, not a file");
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  struct stat st;
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::Range("cannot record to '" + path + "': directory '" + dir + "' does not exist");
  }
  if (access(dir.c_str(), W_OK) != 0) {
    return Status::Range("cannot record to '" + path + "': directory '" + dir + "' is not writable (" +
                         std::strerror(errno) + ")");
  }
  return Status::Ok();
}

std::string RecordingName(uint32_t id) { return "recording " + std::to_string(id); }

}  // namespace

Status MediaCore::StartRecording(const RecordingRequest& req, uint32_t* id) {
  if (closed_) return Status::Error("media engine is closed");
  Status s = CheckRecordingPath(req.path);
  if (!s.ok()) return s;
  const RecordingSource& src = req.source;

  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = recordings_.begin(); it != recordings_.end();) {
    if (it->second.state->finished.load(std::memory_order_acquire)) {
      it = recordings_.erase(it);
    } else if (it->second.state->path == req.path) {
      return Status::Range("'" + req.path + "' is already being recorded by " + RecordingName(it->first));
    } else {
      ++it;
    }
  }
  unsigned thread;
  if (src.kind == RecordingSource::Kind::kEndpoint) {
    EndpointRecord* e;
    if (!(s = FindEndpoint(src.endpoint, &e)).ok()) return s;
    thread = e->thread;
  } else {
    MixerRecord* m;
    if (!(s = FindMixer(src.mixer, &m)).ok()) return s;
    thread = m->thread;
    if (src.kind == RecordingSource::Kind::kStereo) {
      if (src.left == src.right) return Status::Range("left and right must be different endpoints");
      for (uint32_t party : {src.left, src.right}) {
        EndpointRecord* e;
        if (!(s = FindEndpoint(party, &e)).ok()) return s;
        if (e->thread != thread) {
          return Status::Range("endpoint " + std::to_string(party) + " is on media thread " +
                               std::to_string(e->thread) + " but mixer " + std::to_string(src.mixer) +
                               " is on thread " + std::to_string(thread) +
                               ": a stereo recording takes its channels from the mixer's thread");
        }
      }
    }
  }

  const uint32_t recordingId = nextId_++;
  auto state = std::make_shared<RecordingState>(recordingId, req.path, src.channels());
  recordings_[recordingId] = RecordingRecord{thread, state};
  writer_.Add(state);
  threads_[thread]->Post([state, src](MediaThread& t) { t.recorder().Add(state, src); });
  *id = recordingId;
  return Status::Ok();
}

Status MediaCore::PostToRecording(uint32_t id, std::function<void(Recorder&)> fn) {
  if (closed_) return Status::Error("media engine is closed");
  std::lock_guard<std::mutex> lock(mu_);
  auto it = recordings_.find(id);
  if (it == recordings_.end()) return Status::Range("unknown " + RecordingName(id));
  // A recording that already ended (its source closed) takes no more commands: nothing to do.
  if (it->second.state->ended.load(std::memory_order_acquire)) return Status::Ok();
  threads_[it->second.thread]->Post([fn = std::move(fn)](MediaThread& t) { fn(t.recorder()); });
  return Status::Ok();
}

Status MediaCore::PauseRecording(uint32_t id, bool paused) {
  return PostToRecording(id, [id, paused](Recorder& r) { r.SetPaused(id, paused); });
}

Status MediaCore::StopRecording(uint32_t id) {
  return PostToRecording(id, [id](Recorder& r) { r.Stop(id); });
}

}  // namespace sy
