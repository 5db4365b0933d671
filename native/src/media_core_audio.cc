// MediaCore commands for speech detection and playback.
#include "media_core.h"

namespace sy {

Status MediaCore::SetVad(uint32_t id, const VadOptions& options) {
  return PostToEndpoint(id, [options](RtpEndpoint& ep) { ep.SetVad(options); });
}

Status MediaCore::ReservePlaybackId(uint32_t endpoint, uint32_t* playbackId) {
  if (closed_) return Status::Error("media engine is closed");
  std::lock_guard<std::mutex> lock(mu_);
  EndpointRecord* r;
  Status s = FindEndpoint(endpoint, &r);
  if (!s.ok()) return s;
  *playbackId = nextId_++;
  return Status::Ok();
}

Status MediaCore::PostToEndpointWithEvents(uint32_t id, std::function<void(RtpEndpoint*, EventList&)> fn) {
  if (closed_) return Status::Error("media engine is closed");
  std::lock_guard<std::mutex> lock(mu_);
  EndpointRecord* r;
  Status s = FindEndpoint(id, &r);
  if (!s.ok()) return s;
  threads_[r->thread]->Post([id, fn = std::move(fn)](MediaThread& t) { fn(t.FindEndpoint(id), t.events()); });
  return Status::Ok();
}

Status MediaCore::StartPlayback(uint32_t endpoint, PlayRequest request) {
  return PostToEndpointWithEvents(endpoint, [endpoint, request = std::move(request)](RtpEndpoint* ep, EventList& events) {
    if (ep != nullptr) {
      ep->Play(request, events);
    } else {  // closed after the file was loaded: the playback never starts
      Player::ReportDone(endpoint, request.id, Player::Reason::kError, 0, events);
    }
  });
}

Status MediaCore::StopPlayback(uint32_t endpoint, uint32_t playbackId) {
  return PostToEndpointWithEvents(endpoint, [playbackId](RtpEndpoint* ep, EventList& events) {
    if (ep != nullptr) ep->StopPlayback(playbackId, events);
  });
}

}  // namespace sy
