// A mixer: members are endpoints of the same media thread, each with a hear set. Each tick
// every member gets the saturating sum of this tick's input of the members it hears, never
// its own. Hear sets change between ticks, so a change is heard from the next tick on.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sy {

class RtpEndpoint;

class Mixer {
 public:
  explicit Mixer(uint32_t id) : id_(id) {}
  ~Mixer();  // detaches the members

  uint32_t id() const { return id_; }
  size_t size() const { return members_.size(); }
  bool Has(uint32_t endpointId) const;

  void AddMember(RtpEndpoint* ep);  // joins hearing nobody, heard by nobody
  void RemoveMember(uint32_t endpointId);  // also leaves every hear set
  // Ids that are not members, and the member itself, are ignored.
  void SetHears(uint32_t member, const std::vector<uint32_t>& hears);

  void Mix();  // writes each member's mixOutput()

  // f(const RtpEndpoint&) for each member (a conference recording sums their input).
  template <typename F>
  void ForEachMember(F&& f) const {
    for (const Member& m : members_) f(*m.ep);
  }

 private:
  struct Member {
    RtpEndpoint* ep;
    std::vector<uint32_t> hears;     // as set (ids)
    std::vector<size_t> hearIndex;   // resolved to members_ indices
  };
  void Reindex();
  void CountOverlap();  // VAD: members talking at once (see RtpEndpoint::CountOverlap)
  int IndexOf(uint32_t endpointId) const;

  uint32_t id_;
  std::vector<Member> members_;
};

}  // namespace sy
