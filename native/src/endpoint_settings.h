// What signalling decides about an endpoint (mostly from the far end's SDP): given at creation
// and changed later, all in one command, so one crossing of the seam sets up a call's media.
// An absent field leaves the endpoint as it is.
#pragma once
#include <optional>

#include "dtmf.h"
#include "net_address.h"

namespace sy {

enum class Codec { kPcmu, kPcma };

struct PayloadTypes {
  int pcmu = 0;
  int pcma = 8;
  int telephoneEvent = 101;  // -1: none
};

struct RtcpTarget {
  bool mux = false;    // RFC 5761: RTCP on the RTP port too
  NetAddress remote;   // where the peer wants RTCP (a=rtcp, RFC 3605); unset: the RTP peer's port + 1
};

struct EndpointSettings {
  std::optional<Codec> codec;  // what we send
  std::optional<PayloadTypes> payloadTypes;
  std::optional<NetAddress> remote;  // where RTP goes (symmetric RTP: until a source latches)
  std::optional<bool> sending;       // false while the far end takes no audio (hold)
  std::optional<bool> echo;
  std::optional<int> rtpTimeoutMs;   // 0: off
  std::optional<RtcpTarget> rtcp;
  std::optional<DtmfDetect> dtmfDetect;
};

}  // namespace sy
