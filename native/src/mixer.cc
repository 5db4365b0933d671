#include "mixer.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "endpoint.h"
#include "pcm.h"

namespace sy {

Mixer::~Mixer() {
  for (Member& m : members_) m.ep->set_mixer(0);
}

int Mixer::IndexOf(uint32_t endpointId) const {
  for (size_t i = 0; i < members_.size(); ++i) {
    if (members_[i].ep->id() == endpointId) return static_cast<int>(i);
  }
  return -1;
}

bool Mixer::Has(uint32_t endpointId) const { return IndexOf(endpointId) >= 0; }

void Mixer::Reindex() {
  for (size_t i = 0; i < members_.size(); ++i) {
    Member& m = members_[i];
    m.hearIndex.clear();
    for (uint32_t id : m.hears) {
      const int j = IndexOf(id);
      if (j >= 0 && static_cast<size_t>(j) != i) m.hearIndex.push_back(static_cast<size_t>(j));
    }
  }
}

void Mixer::AddMember(RtpEndpoint* ep) {
  if (Has(ep->id())) return;
  members_.push_back(Member{ep, {}, {}});
  ep->set_mixer(id_);
}

void Mixer::RemoveMember(uint32_t endpointId) {
  const int i = IndexOf(endpointId);
  if (i < 0) return;
  members_[static_cast<size_t>(i)].ep->set_mixer(0);
  members_.erase(members_.begin() + i);
  for (Member& m : members_) {
    m.hears.erase(std::remove(m.hears.begin(), m.hears.end(), endpointId), m.hears.end());
  }
  Reindex();
}

void Mixer::SetHears(uint32_t member, const std::vector<uint32_t>& hears) {
  const int i = IndexOf(member);
  if (i < 0) return;
  Member& m = members_[static_cast<size_t>(i)];
  m.hears.clear();
  for (uint32_t id : hears) {
    if (id != member && std::find(m.hears.begin(), m.hears.end(), id) == m.hears.end()) m.hears.push_back(id);
  }
  Reindex();
}

void Mixer::CountOverlap() {
  size_t talking = 0;
  size_t alreadyTalking = 0;
  for (const Member& m : members_) {
    if (!m.ep->talking()) continue;
    ++talking;
    if (!m.ep->startedTalking()) ++alreadyTalking;
  }
  for (Member& m : members_) m.ep->CountOverlap(talking, alreadyTalking);
}

void Mixer::Mix() {
  CountOverlap();
  std::array<int32_t, kFrameSamples> sum;
  for (Member& m : members_) {
    int16_t* out = m.ep->mixOutput();
    if (m.hearIndex.empty()) {
      std::memset(out, 0, kFrameSamples * sizeof(int16_t));
      continue;
    }
    if (m.hearIndex.size() == 1) {
      // Hearing one member (each side of a two-party bridge): its frame as it is, since a
      // sum of one never saturates.
      std::memcpy(out, members_[m.hearIndex[0]].ep->input(), kFrameSamples * sizeof(int16_t));
      continue;
    }
    sum.fill(0);
    for (size_t j : m.hearIndex) {
      const int16_t* in = members_[j].ep->input();
      for (size_t k = 0; k < kFrameSamples; ++k) sum[k] += in[k];
    }
    for (size_t k = 0; k < kFrameSamples; ++k) out[k] = Saturate(sum[k]);
  }
}

}  // namespace sy
