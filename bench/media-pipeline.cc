// CPU cost of the media tick's own processing per endpoint, without the kernel's UDP work
// (bench/udp-floor.c measures that): N two-party bridges, as the relay comparison of
// media-bench.ts sets them up (two endpoints on a mixer, each hearing the other), fed one
// 20 ms PCMU packet per endpoint per tick on a simulated clock. Each tick runs the stages in
// MediaThread's order: the datagrams handed to OnDatagram (as its read does), then PullInput,
// the mixers, SendOutput. The endpoints send on an invalid descriptor: sendto fails at once
// (its cost, a bare system call, is measured and printed too). Thread CPU time per stage, in
// blocks of 250 ticks: the block with the least total is reported (other processes on the
// machine add cache misses and interruptions, never take any away). Prints JSON
// (microseconds per endpoint and tick).
// Build and run from the repository root:
//   g++ -O2 -std=c++17 -Inative/src bench/media-pipeline.cc native/src/{dtmf,dtmf_detector,dtmf_sender,endpoint,endpoint_audio,g711,jitter_buffer,mixer,net_address,player,plc,port_pool,rtcp,rtcp_session,rtp,sequence,telephone_event,time_stretch,tone,vad}.cc -lpthread -o /tmp/media-pipeline
//   /tmp/media-pipeline [calls=300] [ticks=1500]
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "clock.h"
#include "endpoint.h"
#include "g711.h"
#include "mixer.h"
#include "rtp.h"

namespace {

double CpuNs() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

constexpr int64_t kTickNs = 20000000;
constexpr double kTwoPi = 6.283185307179586476925286766559;

// One far end: a tone (as the bench's far ends play), sent every tick at its own phase.
struct Source {
  uint16_t sequence;
  uint32_t timestamp;
  uint32_t ssrc;
  double hz;
  double phase = 0;
  int64_t offsetNs;  // how long before the tick its packet arrives
};

size_t Packet(Source& s, uint8_t* out) {
  sy::WriteRtpHeader(out, false, 0, s.sequence++, s.timestamp, s.ssrc);
  s.timestamp += sy::kFrameSamples;
  int16_t pcm[sy::kFrameSamples];
  for (size_t i = 0; i < sy::kFrameSamples; ++i) {
    pcm[i] = static_cast<int16_t>(0.3 * 32767 * std::sin(s.phase));
    s.phase += kTwoPi * s.hz / sy::kSampleRate;
  }
  sy::UlawEncodeBlock(pcm, out + sy::kRtpHeaderSize, sy::kFrameSamples);
  return sy::kRtpHeaderSize + sy::kFrameSamples;
}

}  // namespace

int main(int argc, char** argv) {
  const int calls = argc > 1 ? std::atoi(argv[1]) : 300;
  const int ticks = argc > 2 ? std::atoi(argv[2]) : 1500;
  const int warmup = 250;  // 5 s: the jitter buffer's windows fill
  const int block = 250;
  const size_t n = static_cast<size_t>(calls) * 2;

  int64_t now = sy::MonotonicNs();
  sy::NetAddress remote;
  sy::NetAddress::Parse("127.0.0.1", 9, &remote);
  std::vector<std::unique_ptr<sy::RtpEndpoint>> endpoints;
  std::vector<std::unique_ptr<sy::Mixer>> mixers;
  std::vector<Source> sources;
  std::vector<sy::NetAddress> from;
  for (size_t i = 0; i < n; ++i) {
    sy::EndpointConfig c;
    c.id = static_cast<uint32_t>(i + 1);
    c.ssrc = static_cast<uint32_t>(i * 7919);
    c.cname = "bench";
    auto ep = std::make_unique<sy::RtpEndpoint>(c, std::make_shared<sy::EndpointCounters>());
    sy::EndpointSettings s;
    s.remote = remote;
    ep->Configure(s, now);
    endpoints.push_back(std::move(ep));
    sources.push_back(Source{static_cast<uint16_t>(i), static_cast<uint32_t>(i * 1000), static_cast<uint32_t>(i + 100),
                             (i % 2 == 0 ? 500.0 : 1100.0) + static_cast<double>(i / 2 % 50), 0,
                             static_cast<int64_t>(i * 7919 % 19000) * 1000});
    sy::NetAddress::Parse("127.0.0.1", 20000 + static_cast<int>(i), &from.emplace_back());
  }
  for (size_t i = 0; i < n; i += 2) {
    auto m = std::make_unique<sy::Mixer>(static_cast<uint32_t>(100000 + i));
    m->AddMember(endpoints[i].get());
    m->AddMember(endpoints[i + 1].get());
    m->SetHears(endpoints[i]->id(), {endpoints[i + 1]->id()});
    m->SetHears(endpoints[i + 1]->id(), {endpoints[i]->id()});
    mixers.push_back(std::move(m));
  }

  struct Stages {
    double receive = 0, pull = 0, mix = 0, send = 0;
    double total() const { return receive + pull + mix + send; }
  };
  Stages best, current;
  sy::EventList events;
  std::vector<uint8_t> packets(n * 2048);
  std::vector<size_t> sizes(n);
  for (int t = 0; t < warmup + ticks; ++t) {
    now += kTickNs;
    for (size_t i = 0; i < n; ++i) sizes[i] = Packet(sources[i], packets.data() + i * 2048);
    const double t0 = CpuNs();
    for (size_t i = 0; i < n; ++i) {
      const int64_t jitter = static_cast<int64_t>((static_cast<uint64_t>(t) * 2654435761u + i * 40503u) % 1000) * 1000;
      endpoints[i]->OnDatagram(packets.data() + i * 2048, sizes[i], false, from[i], now - sources[i].offsetNs + jitter, events);
    }
    const double t1 = CpuNs();
    for (auto& ep : endpoints) ep->PullInput(now, events);
    const double t2 = CpuNs();
    for (auto& m : mixers) m->Mix();
    const double t3 = CpuNs();
    for (auto& ep : endpoints) ep->SendOutput(events);
    const double t4 = CpuNs();
    events.clear();
    if (t < warmup) continue;
    current.receive += t1 - t0;
    current.pull += t2 - t1;
    current.mix += t3 - t2;
    current.send += t4 - t3;
    if ((t - warmup + 1) % block != 0) continue;
    if (best.total() == 0 || current.total() < best.total()) best = current;
    current = Stages();
  }

  // The failing sendto each SendOutput makes: a bare system call.
  const int kCalls = 200000;
  uint8_t byte = 0;
  const double s0 = CpuNs();
  for (int i = 0; i < kCalls; ++i) {
    if (sendto(-1, &byte, 1, MSG_DONTWAIT, remote.sa(), remote.length) >= 0) return 1;
  }
  const double badSendto = (CpuNs() - s0) / kCalls / 1000;

  const double per = static_cast<double>(block) * static_cast<double>(n) * 1000;  // ns → µs per endpoint-tick
  const auto& c = endpoints[0]->counters();
  std::printf(
      "{\"bench\":\"media-pipeline\",\"calls\":%d,\"endpoints\":%zu,\"ticks\":%d,\"usPerEndpointTick\":{"
      "\"receive\":%.3f,\"pullInput\":%.3f,\"mix\":%.3f,\"sendOutput\":%.3f,\"total\":%.3f},"
      "\"failingSendtoUs\":%.3f,\"endpoint0\":{\"packetsIn\":%lld,\"underruns\":%lld,\"concealed\":%lld,\"jitterDepthMs\":%lld}}\n",
      calls, n, ticks, best.receive / per, best.pull / per, best.mix / per, best.send / per, best.total() / per, badSendto,
      static_cast<long long>(c.packetsIn.load()), static_cast<long long>(c.underruns.load()),
      static_cast<long long>(c.concealed.load()), static_cast<long long>(c.jitterDepthMs.load()));
  return 0;
}
