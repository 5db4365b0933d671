#include "endpoint.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "clock.h"
#include "g711.h"
#include "port_pool.h"
#include "rtp.h"

namespace sy {
namespace {

NetAddress WithPort(const NetAddress& a, int port) {
  NetAddress out;
  NetAddress::Parse(a.ip(), port, &out);
  return out;
}

}  // namespace

RtpEndpoint::RtpEndpoint(const EndpointConfig& c, std::shared_ptr<EndpointCounters> counters)
    : id_(c.id), fd_(c.fd), rtcpFd_(c.rtcpFd), port_(c.port), pool_(c.pool), counters_(std::move(counters)),
      symmetric_(c.symmetric), rtpTimeoutMs_(c.rtpTimeoutMs), buffer_(c.jitter),
      rtcp_(c.ssrc, c.cname, int64_t{c.rtcpIntervalMs} * 1000000, MonotonicNs()), ssrc_(c.ssrc), sequenceOut_(c.firstSequence), timestampOut_(c.firstTimestamp), player_(c.id) {
  counters_->rttUs.store(-1, std::memory_order_relaxed);
  vad_.Configure(c.vad);
}

RtpEndpoint::~RtpEndpoint() {
  if (rtcp_.reported()) SendRtcp(MonotonicNs(), true);  // BYE (RFC 3550 §6.6)
  if (fd_ >= 0) close(fd_);
  if (rtcpFd_ >= 0) close(rtcpFd_);
  if (pool_ != nullptr) pool_->Release(port_);
}

void RtpEndpoint::Configure(const EndpointSettings& s, int64_t nowNs) {
  if (s.payloadTypes) SetPayloadTypes(*s.payloadTypes);
  if (s.codec) SetCodec(*s.codec);
  if (s.remote) SetRemote(*s.remote, nowNs);
  if (s.sending) SetSending(*s.sending);
  if (s.echo) SetEcho(*s.echo);
  if (s.rtpTimeoutMs) SetRtpTimeout(*s.rtpTimeoutMs);
  if (s.rtcp) SetRtcp(s.rtcp->mux, s.rtcp->remote);
  if (s.dtmfDetect) SetDtmfDetect(*s.dtmfDetect);
}

void RtpEndpoint::SetRemote(const NetAddress& remote, int64_t nowNs) {
  remote_ = remote;
  latched_ = NetAddress();  // the peer may have moved (re-INVITE): latch again
  latchFromNs_ = nowNs;
  if (lastActivityNs_ == 0) lastActivityNs_ = nowNs;
}

void RtpEndpoint::SetRtcp(bool mux, const NetAddress& remote) {
  rtcpMux_ = mux;
  rtcpRemote_ = remote;
  latchedRtcp_ = NetAddress();
}

void RtpEndpoint::PlayTone(const ToneSpec& tone, ToneTarget target) {
  tone_.Start(tone);
  toneTarget_ = target;
}

void RtpEndpoint::SetDtmfDetect(DtmfDetect mode) {
  dtmfDetect_ = mode;
  dtmfDetector_.Reset();
}

bool RtpEndpoint::InbandDetection() const {
  return dtmfDetect_ == DtmfDetect::kInband || (dtmfDetect_ == DtmfDetect::kAuto && pts_.telephoneEvent < 0);
}

void RtpEndpoint::OnDtmfEdges(const DtmfEdges& edges, EventList& events) {
  for (int i = 0; i < edges.count; ++i) {
    const DtmfEdge& e = edges.items[i];
    if (e.down) {
      OnDtmfKeyDown(e.digit, e.method, events);
      continue;
    }
    Event ev;
    ev.type = "dtmf";
    ev.endpoint = id_;
    ev.strings.emplace_back("digit", std::string(1, e.digit));
    ev.strings.emplace_back("method", DtmfMethodName(e.method));
    ev.numbers.emplace_back("durationMs", e.durationMs);
    events.push_back(std::move(ev));
  }
}

void RtpEndpoint::OnDtmfKeyDown(char, DtmfMethod, EventList& events) {
  Bump(counters_->dtmfDigits);
  player_.OnKeyPress(events);  // playbacks with stopOnDtmf end at once
}

void RtpEndpoint::Restart() {
  sequence_.Reset();
  buffer_.Flush();
  haveTransit_ = false;
}

bool RtpEndpoint::DecodePayload(uint8_t pt, const uint8_t* payload, size_t size, int16_t* out) {
  if (pt == pts_.pcmu) {
    UlawDecodeBlock(payload, out, size);
    return true;
  }
  if (pt == pts_.pcma) {
    AlawDecodeBlock(payload, out, size);
    return true;
  }
  return false;
}

void RtpEndpoint::OnDatagram(const uint8_t* data, size_t size, bool truncated, const NetAddress& from,
                             int64_t nowNs, EventList& events) {
  EndpointCounters& c = *counters_;
  Bump(c.packetsIn);
  Bump(c.bytesIn, static_cast<int64_t>(size));
  if (rtcpMux_ && LooksLikeRtcp(data, size)) {
    OnRtcpDatagram(data, size, truncated, from, nowNs);
    return;
  }

  RtpPacket p;
  if (truncated || ParseRtp(data, size, &p) != RtpParseError::kNone) {
    Bump(c.malformed);
    return;
  }
  if (symmetric_ && latched_.valid() && !SameAddress(from, latched_)) {
    Bump(c.wrongSource);
    return;
  }
  const bool audio = p.payloadType == pts_.pcmu || p.payloadType == pts_.pcma;
  const bool dtmf = pts_.telephoneEvent >= 0 && p.payloadType == pts_.telephoneEvent;
  if (!audio && !dtmf) {
    Bump(c.unknownPayloadType);
    return;
  }
  if (audio && p.payloadSize > JitterBuffer::kMaxPacketSamples) {
    Bump(c.malformed);  // more than 60 ms in one packet: not something we negotiate
    return;
  }
  TelephoneEvent event;
  if (dtmf && !ParseTelephoneEvent(p.payload, p.payloadSize, &event)) {
    Bump(c.malformed);
    return;
  }
  if (symmetric_ && !latched_.valid()) {
    if (nowNs < latchFromNs_) {
      // Received before the remote changed, read only now (RTP is read at the tick): the
      // old peer's last datagrams, which must not latch the new session onto it.
      Bump(c.wrongSource);
      return;
    }
    latched_ = from;
    Event ev;
    ev.type = "latched";
    ev.endpoint = id_;
    ev.strings.emplace_back("address", from.ip());
    ev.numbers.emplace_back("port", from.port());
    events.push_back(std::move(ev));
  }
  if (haveSsrc_ && p.ssrc != remoteSsrc_) {
    Bump(c.ssrcChanges);
    Event ev;
    ev.type = "ssrcChange";
    ev.endpoint = id_;
    ev.numbers.emplace_back("previous", remoteSsrc_);
    ev.numbers.emplace_back("ssrc", p.ssrc);
    events.push_back(std::move(ev));
    Restart();
  }
  haveSsrc_ = true;
  remoteSsrc_ = p.ssrc;

  int64_t ext = 0;
  switch (sequence_.Update(p.sequence, &ext)) {
    case SequenceTracker::Verdict::kDuplicate:
      Bump(c.duplicates);
      return;
    case SequenceTracker::Verdict::kTooOld:
      Bump(c.late);
      return;
    case SequenceTracker::Verdict::kRestart:
      Bump(c.sequenceRestarts);
      buffer_.Flush();
      haveTransit_ = false;
      break;
    case SequenceTracker::Verdict::kNew:
      break;
  }
  c.lost.store(sequence_.Lost(), std::memory_order_relaxed);
  lastActivityNs_ = nowNs;
  timedOut_ = false;

  if (dtmf) {
    // RFC 4733 events are signalling, never audio: they do not enter the receive buffer.
    Bump(c.telephoneEvents);
    if (dtmfDetect_ == DtmfDetect::kAuto || dtmfDetect_ == DtmfDetect::kRfc4733) {
      // Every event of the packet (§2.5.1.5), each as its own report: the receiver's
      // timestamp rules drop the ones already seen when a sender repeats a packed event.
      uint32_t start = p.timestamp;
      for (size_t at = 0; at + kTelephoneEventSize <= p.payloadSize; at += kTelephoneEventSize) {
        ParseTelephoneEvent(p.payload + at, kTelephoneEventSize, &event);
        DtmfEdges edges;
        telephoneEvents_.OnPacket(p.ssrc, start, p.marker && at == 0, event, nowNs, &edges);
        OnDtmfEdges(edges, events);
        start = NextPackedEventStart(start, event);
      }
    }
    return;
  }

  // Interarrival jitter (RFC 3550 A.8), in timestamp units.
  const int64_t arrival = nowNs / (1000000000 / kSampleRate);
  const int64_t transit = arrival - static_cast<int64_t>(p.timestamp);
  if (haveTransit_) {
    int64_t d = transit - lastTransit_;
    // The RTP timestamp wraps at 2^32: take the shortest distance.
    d = static_cast<int32_t>(static_cast<uint32_t>(d));
    jitter_ += (std::fabs(static_cast<double>(d)) - jitter_) / 16.0;
    c.jitterUs.store(static_cast<int64_t>(jitter_ * 1e6 / kSampleRate), std::memory_order_relaxed);
  }
  haveTransit_ = true;
  lastTransit_ = transit;

  std::array<int16_t, JitterBuffer::kMaxPacketSamples> pcm;
  DecodePayload(p.payloadType, p.payload, p.payloadSize, pcm.data());
  const JitterBuffer::Packet packet{ext, p.timestamp, p.marker, pcm.data(), p.payloadSize, nowNs};
  switch (buffer_.Push(packet)) {
    case JitterBuffer::PushResult::kQueued:
      break;
    case JitterBuffer::PushResult::kTimestampJump:
      Bump(c.timestampJumps);
      break;
    case JitterBuffer::PushResult::kOverflow:
      Bump(c.overflows);
      break;
    case JitterBuffer::PushResult::kDuplicate:
      Bump(c.duplicates);
      break;
    case JitterBuffer::PushResult::kLate:
      Bump(c.late);
      break;
    case JitterBuffer::PushResult::kTooLarge:
      Bump(c.malformed);
      break;
  }
}

void RtpEndpoint::OnRtcpDatagram(const uint8_t* data, size_t size, bool truncated, const NetAddress& from,
                                 int64_t nowNs) {
  EndpointCounters& c = *counters_;
  RtcpCompound report;
  if (truncated || !ParseRtcp(data, size, &report)) {
    Bump(c.rtcpMalformed);
    return;
  }
  Bump(c.rtcpReceived);
  if (report.bye) Bump(c.rtcpByes);
  if (symmetric_ && !rtcpMux_ && !latchedRtcp_.valid()) latchedRtcp_ = from;
  rtcp_.OnReport(report, nowNs);
  const RemoteView& r = rtcp_.remote();
  c.remoteLossPermille.store(r.fractionLost * 1000 / 256, std::memory_order_relaxed);
  c.remoteCumulativeLost.store(r.cumulativeLost, std::memory_order_relaxed);
  c.remoteJitterUs.store(int64_t{r.jitter} * 1000000 / kSampleRate, std::memory_order_relaxed);
  c.rttUs.store(r.rttUs, std::memory_order_relaxed);
}

const NetAddress& RtpEndpoint::RtpDestination() const {
  return (symmetric_ && latched_.valid()) ? latched_ : remote_;
}

void RtpEndpoint::SendRtcp(int64_t nowNs, bool bye) {
  // Where: the RTP destination when multiplexed; else the latched RTCP source, the address
  // from signalling, or the RTP destination's port + 1 (RFC 3550 §11).
  const NetAddress& rtp = RtpDestination();
  NetAddress dest;
  if (rtcpMux_) {
    dest = rtp;
  } else if (latchedRtcp_.valid()) {
    dest = latchedRtcp_;
  } else if (rtcpRemote_.valid()) {
    dest = rtcpRemote_;
  } else if (rtp.valid()) {
    dest = WithPort(rtp, rtp.port() + 1);
  }
  if (!dest.valid()) return;
  ReceptionState rx;
  rx.active = haveSsrc_ && sequence_.started();
  rx.ssrc = remoteSsrc_;
  rx.highestSeq = sequence_.highest();
  rx.expected = sequence_.expected();
  rx.received = sequence_.received();
  rx.jitter = static_cast<uint32_t>(jitter_);
  uint8_t packet[kMaxRtcpSize];
  const size_t n = rtcp_.Build(rx, nowNs, bye, packet);
  const int fd = rtcpMux_ ? fd_ : rtcpFd_;
  if (sendto(fd, packet, n, MSG_DONTWAIT, dest.sa(), dest.length) == static_cast<ssize_t>(n)) {
    Bump(counters_->rtcpSent);
  } else {
    Bump(counters_->sendErrors);
  }
}

void RtpEndpoint::PullInput(int64_t nowNs, EventList& events) {
  const JitterBuffer::PullReport pulled = buffer_.Pull(nowNs, input_.data());
  EndpointCounters& c = *counters_;
  if (pulled.underrun) Bump(c.underruns);
  if (pulled.concealed) Bump(c.concealed);
  if (pulled.overflow) Bump(c.overflows);
  c.jitterDepthMs.store(static_cast<int64_t>(buffer_.depthSamples() * 1000 / kSampleRate), std::memory_order_relaxed);
  c.jitterTargetMs.store(static_cast<int64_t>(buffer_.targetSamples() * 1000 / kSampleRate), std::memory_order_relaxed);
  DtmfEdges edges;
  telephoneEvents_.OnTick(nowNs, &edges);
  if (InbandDetection()) dtmfDetector_.Process(input_.data(), kFrameSamples, &edges);
  OnDtmfEdges(edges, events);
  // Audio that arrived (not concealed, not silence the buffer filled in): VAD learns its
  // noise floor only from that.
  const bool received = pulled.playing && !pulled.concealed && !pulled.underrun && !pulled.filled;
  mediaClockRunning_ = mediaClockRunning_ || received;
  if (mediaClockRunning_) DetectSpeech(received, events);
  player_.Render(events);
  if (player_.hasMixerFrame()) MixFrame(player_.mixerFrame(), input_.data());
  if (toneTarget_ == ToneTarget::kMixer && tone_.MixInto(input_.data(), kFrameSamples)) {
    Event ev;
    ev.type = "toneDone";
    ev.endpoint = id_;
    events.push_back(std::move(ev));
  }

  if (rtpTimeoutMs_ > 0 && lastActivityNs_ != 0 && !timedOut_ &&
      nowNs - lastActivityNs_ >= static_cast<int64_t>(rtpTimeoutMs_) * 1000000) {
    timedOut_ = true;
    Bump(c.rtpTimeouts);
    Event ev;
    ev.type = "rtpTimeout";
    ev.endpoint = id_;
    ev.numbers.emplace_back("silentMs", static_cast<double>((nowNs - lastActivityNs_) / 1000000));
    events.push_back(std::move(ev));
  }
  if (rtcp_.Due(nowNs)) SendRtcp(nowNs, false);
}

void RtpEndpoint::SendOutput(EventList& events) {
  const NetAddress& dest = RtpDestination();
  const bool toneOut = tone_.active() && toneTarget_ == ToneTarget::kRemote;
  const bool haveSource = mixer_ != 0 || echo_ || toneOut || dtmfSender_.busy() || player_.hasRemoteFrame();
  if (!dest.valid() || !haveSource || !sending_) {
    // The clock runs on while we are silent; the next packet starts a talkspurt.
    timestampOut_ += kFrameSamples;
    sentLastTick_ = false;
    return;
  }
  // What its mixer wrote this tick (every member's, every tick), else silence.
  std::array<int16_t, kFrameSamples> out;
  if (mixer_ != 0) {
    out = mixed_;
  } else {
    out.fill(0);
  }
  if (echo_) {
    for (size_t i = 0; i < kFrameSamples; ++i) out[i] = Saturate(out[i] + input_[i]);
  }
  if (player_.hasRemoteFrame()) MixFrame(player_.remoteFrame(), out.data());
  if (toneOut && tone_.MixInto(out.data(), kFrameSamples)) {
    Event ev;
    ev.type = "toneDone";
    ev.endpoint = id_;
    events.push_back(std::move(ev));
  }

  const DtmfSender::Tick dtmf = dtmfSender_.Next(pts_.telephoneEvent, timestampOut_, out.data());
  if (dtmf.finished) {
    Event ev;
    ev.type = "dtmfSent";
    ev.endpoint = id_;
    ev.strings.emplace_back("digits", dtmf.finishedDigits);
    ev.strings.emplace_back("method", DtmfMethodName(dtmf.finishedMethod));
    events.push_back(std::move(ev));
  }

  if (dtmf.event && pts_.telephoneEvent >= 0) {
    // The event packet takes this tick's place: voice is suppressed while a key is sent.
    uint8_t packet[kRtpHeaderSize + kTelephoneEventSize];
    WriteRtpHeader(packet, dtmf.marker, static_cast<uint8_t>(pts_.telephoneEvent), sequenceOut_, dtmf.timestamp, ssrc_);
    std::memcpy(packet + kRtpHeaderSize, dtmf.payload, kTelephoneEventSize);
    Send(dest, packet, sizeof(packet));
  } else if (!dtmf.event) {
    uint8_t packet[kRtpHeaderSize + kFrameSamples];
    const uint8_t pt = static_cast<uint8_t>(codec_ == Codec::kPcmu ? pts_.pcmu : pts_.pcma);
    WriteRtpHeader(packet, !sentLastTick_, pt, sequenceOut_, timestampOut_, ssrc_);
    if (codec_ == Codec::kPcmu) {
      UlawEncodeBlock(out.data(), packet + kRtpHeaderSize, kFrameSamples);
    } else {
      AlawEncodeBlock(out.data(), packet + kRtpHeaderSize, kFrameSamples);
    }
    Send(dest, packet, sizeof(packet));
  }
  // A packet that failed to leave is a loss on the wire, not a hole in our numbering. (An
  // event whose payload type was withdrawn meanwhile sends nothing and takes no number.)
  if (!dtmf.event || pts_.telephoneEvent >= 0) ++sequenceOut_;
  timestampOut_ += kFrameSamples;
  sentLastTick_ = true;
}

void RtpEndpoint::Send(const NetAddress& dest, const uint8_t* packet, size_t size) {
  const ssize_t sent = sendto(fd_, packet, size, MSG_DONTWAIT, dest.sa(), dest.length);
  if (sent != static_cast<ssize_t>(size)) {
    Bump(counters_->sendErrors);
    return;
  }
  Bump(counters_->packetsOut);
  Bump(counters_->bytesOut, static_cast<int64_t>(size));
  rtcp_.OnRtpSent(timestampOut_, size - kRtpHeaderSize);
}

void RtpEndpoint::FillStats(Event& ev) const {
  ev.counters.reserve(kEndpointCounterCount);
#define SY_FILL_COUNTER(name) \
  ev.counters.push_back(static_cast<double>(counters_->name.load(std::memory_order_relaxed)));
  SY_ENDPOINT_COUNTERS(SY_FILL_COUNTER)
#undef SY_FILL_COUNTER
}

}  // namespace sy
