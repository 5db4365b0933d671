#include "player.h"

#include <algorithm>
#include <cstring>

namespace sy {
namespace {

const char* ReasonName(Player::Reason r) {
  switch (r) {
    case Player::Reason::kFinished: return "finished";
    case Player::Reason::kStopped: return "stopped";
    case Player::Reason::kDtmf: return "dtmf";
    case Player::Reason::kSpeech: return "speech";
    case Player::Reason::kError: return "error";
  }
  return "error";
}

}  // namespace

void Player::ReportDone(uint32_t endpointId, uint32_t playbackId, Reason reason, uint64_t playedSamples,
                        EventList& events) {
  Event ev;
  ev.type = "playbackDone";
  ev.endpoint = endpointId;
  ev.numbers.emplace_back("playbackId", playbackId);
  ev.numbers.emplace_back("playedMs", static_cast<double>(playedSamples * 1000 / kSampleRate));
  ev.strings.emplace_back("reason", ReasonName(reason));
  events.push_back(std::move(ev));
}

void Player::End(const Item& item, Reason reason, EventList& events) const {
  ReportDone(endpointId_, item.request.id, reason, item.played, events);
}

void Player::Play(PlayRequest request, EventList& events) {
  if (!request.queue) Stop(0, events);
  items_.push_back(Item{std::move(request), 0, 0});
}

void Player::Stop(uint32_t playbackId, EventList& events) {
  for (auto it = items_.begin(); it != items_.end();) {
    if (playbackId == 0 || it->request.id == playbackId) {
      End(*it, Reason::kStopped, events);
      it = items_.erase(it);
    } else {
      ++it;
    }
  }
}

void Player::EndWhere(bool PlayRequest::*flag, Reason reason, EventList& events) {
  for (auto it = items_.begin(); it != items_.end();) {
    if (it->request.*flag) {
      End(*it, reason, events);
      it = items_.erase(it);
    } else {
      ++it;
    }
  }
}

void Player::Render(EventList& events) {
  hasFrame_ = {false, false};
  size_t filled = 0;
  while (filled < kFrameSamples && !items_.empty()) {
    Item& item = items_.front();
    const std::vector<int16_t>& pcm = *item.request.pcm;
    const size_t t = item.request.target == PlayTarget::kRemote ? 0 : 1;
    if (!hasFrame_[t]) {
      frames_[t].fill(0);
      hasFrame_[t] = true;
    }
    const size_t n = std::min(kFrameSamples - filled, pcm.size() - item.position);
    std::memcpy(frames_[t].data() + filled, pcm.data() + item.position, n * sizeof(int16_t));
    filled += n;
    item.position += n;
    item.played += n;
    if (item.position < pcm.size()) continue;
    if (item.request.loop) {
      item.position = 0;
      continue;
    }
    End(item, Reason::kFinished, events);
    items_.pop_front();
  }
}

}  // namespace sy
