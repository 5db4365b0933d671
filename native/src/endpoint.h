// One RTP endpoint: a UDP socket, its receive path (parse, symmetric latching, sequence
// tracking, decode, jitter buffer, RTCP) and its send path (one 20 ms packet per tick). Lives on
// exactly one media thread, which calls every method.
#pragma once
#include <array>
#include <cstdint>
#include <memory>

#include "counters.h"
#include "dtmf.h"
#include "dtmf_detector.h"
#include "dtmf_sender.h"
#include "endpoint_settings.h"
#include "events.h"
#include "net_address.h"
#include "pcm.h"
#include "jitter_buffer.h"
#include "player.h"
#include "rtcp_session.h"
#include "sequence.h"
#include "telephone_event.h"
#include "tone.h"
#include "vad.h"

namespace sy {

class PortPool;

struct EndpointConfig {
  uint32_t id = 0;
  int fd = -1;
  int rtcpFd = -1;  // port + 1
  int port = 0;
  PortPool* pool = nullptr;  // the port goes back to it when the socket is closed
  bool symmetric = true;
  int rtpTimeoutMs = 0;  // 0: never (the rest of EndpointSettings starts at its defaults)
  JitterSettings jitter;
  int rtcpIntervalMs = 5000;     // 0: no reports
  uint32_t ssrc = 0;
  std::string cname;             // RTCP SDES CNAME
  uint16_t firstSequence = 0;
  uint32_t firstTimestamp = 0;
  VadConfig vad;
};

enum class ToneTarget { kRemote, kMixer };

class RtpEndpoint {
 public:
  RtpEndpoint(const EndpointConfig& config, std::shared_ptr<EndpointCounters> counters);
  ~RtpEndpoint();  // says BYE if it reported, closes the sockets and frees the ports
  RtpEndpoint(const RtpEndpoint&) = delete;
  RtpEndpoint& operator=(const RtpEndpoint&) = delete;

  uint32_t id() const { return id_; }
  int fd() const { return fd_; }
  int rtcpFd() const { return rtcpFd_; }
  uint32_t mixer() const { return mixer_; }
  void set_mixer(uint32_t mixer) { mixer_ = mixer; }
  const EndpointCounters& counters() const { return *counters_; }
  const PayloadTypes& payloadTypes() const { return pts_; }

  // Commands. Configure applies every field `settings` has, with the setters below.
  void Configure(const EndpointSettings& settings, int64_t nowNs);
  void SetRemote(const NetAddress& remote, int64_t nowNs);
  void SetCodec(Codec codec) { codec_ = codec; }
  void SetPayloadTypes(const PayloadTypes& pts) { pts_ = pts; }
  void SetEcho(bool on) { echo_ = on; }
  // Hold (RFC 3264 §5.1): the far end takes no audio (a=sendonly/inactive), so nothing is sent.
  void SetSending(bool on) { sending_ = on; }
  void SetRtpTimeout(int ms) { rtpTimeoutMs_ = ms; }
  void PlayTone(const ToneSpec& tone, ToneTarget target);
  void StopTone() { tone_.Stop(); }
  void SendDtmf(DtmfRequest request) { dtmfSender_.Enqueue(std::move(request)); }
  void SetDtmfDetect(DtmfDetect mode);
  void SetVad(const VadOptions& options) { vad_.Configure(options.ApplyTo(vad_.config())); }
  void Play(PlayRequest request, EventList& events) { player_.Play(std::move(request), events); }
  void StopPlayback(uint32_t playbackId, EventList& events) { player_.Stop(playbackId, events); }

  // Speech detection (endpoint_audio.cc). talking(): VAD enabled and in a speech segment.
  bool talking() const { return vad_.config().enabled && vad_.speaking(); }
  bool startedTalking() const { return talking() && vad_.startedThisFrame(); }
  // Mixer, each tick: how many members talk, and how many of them were talking before this tick.
  void CountOverlap(size_t talkingMembers, size_t alreadyTalkingMembers);
  // RTCP on the RTP port (mux), and where to send it (invalid: the RTP peer's port + 1).
  void SetRtcp(bool mux, const NetAddress& remote);

  // Receive path: one datagram from `from`.
  void OnDatagram(const uint8_t* data, size_t size, bool truncated, const NetAddress& from,
                  int64_t nowNs, EventList& events);

  // One datagram on the RTCP socket (or an RTCP packet on a multiplexed RTP socket).
  void OnRtcpDatagram(const uint8_t* data, size_t size, bool truncated, const NetAddress& from, int64_t nowNs);

  // Tick, first half: this tick's input frame (what this party says), and the RTP timeout.
  void PullInput(int64_t nowNs, EventList& events);
  const int16_t* input() const { return input_.data(); }
  // Tick, between the halves: its mixer writes what this member hears (silence if nobody).
  int16_t* mixOutput() { return mixed_.data(); }
  // Tick, second half: compose and send one packet (if there is somewhere to send it).
  void SendOutput(EventList& events);

  void FillStats(Event& ev) const;  // all counters, in ev.counters

 private:
  void Restart();  // new source: forget sequence state and buffered audio
  bool DecodePayload(uint8_t pt, const uint8_t* payload, size_t size, int16_t* out);
  bool InbandDetection() const;
  void OnDtmfEdges(const DtmfEdges& edges, EventList& events);
  // The one place where a DTMF key press starts, whichever way it was detected (RFC 4733
  // or in-band): what should react at once to a key (e.g. stopping a prompt) hooks here.
  void OnDtmfKeyDown(char digit, DtmfMethod method, EventList& events);
  void Send(const NetAddress& dest, const uint8_t* packet, size_t size);
  // On this tick's input, once audio has arrived; `received`: it is audio, not a filler.
  void DetectSpeech(bool received, EventList& events);
  const NetAddress& RtpDestination() const;
  void SendRtcp(int64_t nowNs, bool bye);

  uint32_t id_;
  int fd_;
  int rtcpFd_;
  int port_;
  PortPool* pool_;
  std::shared_ptr<EndpointCounters> counters_;
  uint32_t mixer_ = 0;

  Codec codec_ = Codec::kPcmu;
  PayloadTypes pts_;
  bool symmetric_;
  bool echo_ = false;
  bool sending_ = true;
  int rtpTimeoutMs_;

  NetAddress remote_;   // from signalling (setRemote)
  NetAddress latched_;  // source of the first valid packet (symmetric RTP)
  int64_t latchFromNs_ = 0;  // only a datagram received after this may latch (set with the remote)

  // Receive state.
  bool haveSsrc_ = false;
  uint32_t remoteSsrc_ = 0;
  SequenceTracker sequence_;
  JitterBuffer buffer_;
  bool haveTransit_ = false;
  int64_t lastTransit_ = 0;
  double jitter_ = 0;  // in timestamp units (1/8000 s)
  int64_t lastActivityNs_ = 0;  // 0: the RTP timeout is not armed yet
  bool timedOut_ = false;
  DtmfDetect dtmfDetect_ = DtmfDetect::kAuto;
  TelephoneEventReceiver telephoneEvents_;
  DtmfDetector dtmfDetector_;

  // RTCP.
  RtcpSession rtcp_;
  bool rtcpMux_ = false;
  NetAddress rtcpRemote_;   // from signalling (a=rtcp), else the RTP peer's port + 1
  NetAddress latchedRtcp_;  // source of the first valid RTCP packet (symmetric RTCP)

  // Send state.
  uint32_t ssrc_;
  uint16_t sequenceOut_;
  uint32_t timestampOut_;
  bool sentLastTick_ = false;
  ToneGenerator tone_;
  ToneTarget toneTarget_ = ToneTarget::kRemote;
  DtmfSender dtmfSender_;

  VoiceDetector vad_;
  bool mediaClockRunning_ = false;  // from the first frame of received audio on
  Player player_;

  std::array<int16_t, kFrameSamples> input_{};
  std::array<int16_t, kFrameSamples> mixed_{};
};

}  // namespace sy
