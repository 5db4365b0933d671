// The far ends of the media benchmark: many G.711 RTP streams played at engine endpoints from
// one process, as the phones of bridged calls would, and the streams the engine sends back
// checked for loss, duplicates, reordering, jitter and the tone they should carry. It stands in
// for thousands of phones on loopback without costing the engine under test anything but its
// own sockets (see bench/README.md, "Media benchmark").
//
//   cc -O2 -pthread -o rtp-farend bench/rtp-farend.c
//   ./rtp-farend [--sockets 8] [--threads 1] [--seconds 10] [--slots 20] [--rcvbuf 4194304]
//
// Protocol (stdout carries exactly two JSON lines):
// 1. It binds --sockets RTP sockets on 127.0.0.1 (each an even port P with its RTCP socket on
//    P + 1, RFC 3550 §11) and prints {"ready":true,"ports":[P0,P1,...]}.
// 2. It reads the streams from stdin, one per line, until end of input:
//      socket enginePort payloadType ssrc toneHz expectHz
//    `socket`: index into ports; payloadType 0 (PCMU) or 8 (PCMA); toneHz: the integer frequency
//    it plays; expectHz: the tone that should come back (the other party's, through the
//    bridge), 0 for no check. Each stream sends to 127.0.0.1:enginePort and receives what
//    comes from that port (streams are told apart by the engine port, which is unique).
// 3. It sends one packet per stream per 20 ms (160 samples), paced by an absolute clock; the
//    streams are spread over --slots phases of the 20 ms so that they arrive as unsynchronised
//    phones' would. It stops after --seconds or on SIGTERM/SIGINT. SIGUSR1 starts the measured
//    window (counters reset): without it the window is the whole run.
// 4. It prints one JSON line with the window's figures.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum {
  kSampleRate = 8000,
  kFrameSamples = 160,                          // 20 ms at 8 kHz
  kPeriodNs = 20000000,
  kHeaderBytes = 12,
  kToneFrames = kSampleRate / kFrameSamples,    // one second: an integer-Hz tone loops seamlessly
  kMaxHz = kSampleRate / 2,
  kBatch = 64,                                  // datagrams per sendmmsg/recvmmsg
  kMaxDatagram = 1500,
  kToneCheckEvery = 25,                         // check the tone of every 25th packet (2 per second)
  kLatenessBuckets = 100000,                    // 10 µs each: 0–1 s
  kMaxSockets = 1024,
  kMaxThreads = 16,
};

static void Fail(const char* what) {
  fprintf(stderr, "rtp-farend: %s: %s\n", what, strerror(errno));
  exit(1);
}

static void Usage(const char* why) {
  fprintf(stderr, "rtp-farend: %s\n", why);
  exit(2);
}

static int64_t NowNs(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

// ---- G.711 (ITU-T G.711: µ-law with bias 132, A-law with even bits inverted) ----

static uint8_t LinearToUlaw(int pcm) {
  const int sign = pcm < 0 ? 0x80 : 0;
  int mag = pcm < 0 ? -pcm : pcm;
  if (mag > 32635) mag = 32635;
  mag += 0x84;
  int exponent = 7;
  for (int mask = 0x4000; (mag & mask) == 0 && exponent > 0; mask >>= 1) exponent--;
  return (uint8_t)~(sign | (exponent << 4) | ((mag >> (exponent + 3)) & 0x0F));
}

static int UlawToLinear(uint8_t u) {
  u = (uint8_t)~u;
  const int exponent = (u >> 4) & 7;
  const int mag = ((((u & 0x0F) << 3) + 0x84) << exponent) - 0x84;
  return (u & 0x80) ? -mag : mag;
}

static uint8_t LinearToAlaw(int pcm) {
  int mask = 0xD5;
  int v = pcm >> 3;  // A-law works on 13 bits
  if (v < 0) {
    mask = 0x55;
    v = -v - 1;
  }
  int segment = 0;
  while (segment < 8 && v > (0x1F << segment)) segment++;
  if (segment >= 8) return (uint8_t)(0x7F ^ mask);
  const int mantissa = segment < 2 ? (v >> 1) & 0x0F : (v >> segment) & 0x0F;
  return (uint8_t)(((segment << 4) | mantissa) ^ mask);
}

static int AlawToLinear(uint8_t a) {
  a ^= 0x55;
  const int segment = (a & 0x70) >> 4;
  int mag = ((a & 0x0F) << 4) + 8;
  if (segment >= 1) mag = (mag + 0x100) << (segment - 1);
  return (a & 0x80) ? mag : -mag;
}

// One second of a tone (amplitude 0.3 of full scale, as the engine's bench tones), encoded.
static const uint8_t* ToneLoop(int payloadType, int hz) {
  static uint8_t* cache[2][kMaxHz];
  uint8_t** slot = &cache[payloadType == 8][hz];
  if (*slot) return *slot;
  uint8_t* loop = malloc(kSampleRate);
  if (!loop) Fail("malloc");
  for (int i = 0; i < kSampleRate; ++i) {
    const int pcm = (int)lround(0.3 * 32767 * sin(2 * M_PI * hz * i / kSampleRate));
    loop[i] = payloadType == 8 ? LinearToAlaw(pcm) : LinearToUlaw(pcm);
  }
  return *slot = loop;
}

// Whether a 20 ms frame is mostly the tone at `hz`: its power at that frequency (Goertzel) over
// the frame's energy is near 1 for a pure tone, near 0 for silence, noise or another tone.
static int CarriesTone(const uint8_t* payload, int payloadType, double hz) {
  const double coeff = 2 * cos(2 * M_PI * hz / kSampleRate);
  double s1 = 0, s2 = 0, energy = 0;
  for (int i = 0; i < kFrameSamples; ++i) {
    const double x = payloadType == 8 ? AlawToLinear(payload[i]) : UlawToLinear(payload[i]);
    energy += x * x;
    const double s0 = x + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  const double floor = kFrameSamples * 300.0 * 300.0;  // about -40 dBFS: below that, silence
  return energy > floor && power / (energy * kFrameSamples / 2) > 0.5;
}

// ---- streams ----

// Counters of the measured window (reset by SIGUSR1).
typedef struct {
  int64_t sent, received, lost, duplicates, reordered, tooOld, ssrcChanges, toneChecked, toneHeard;
} Counters;

typedef struct {
  int socket;
  int payloadType;
  uint32_t ssrc;
  double expectHz;
  const uint8_t* tone;
  struct sockaddr_in engine;
  // sending
  uint16_t seq;
  uint32_t timestamp;
  uint32_t frame;
  // receiving (RFC 3550 A.1 in spirit: highest sequence and a 64-packet window behind it)
  int started;
  uint32_t remoteSsrc;
  uint16_t highest;
  uint64_t seen;  // bit i: highest - i was received
  double transit, jitter;  // RFC 3550 §6.4.1, in timestamp units
  Counters c;
} Stream;

typedef struct {
  int index;
  int64_t unknownSource, malformed, rtcp, sendErrors, wakes;
  uint32_t lateness[kLatenessBuckets + 1];  // the last bucket: 1 s or more
  int windowSeen;
  // streams of this thread per slot, grouped by socket
  int* slotStreams[64];
  int slotCount[64];
  int sockets[kMaxSockets];
  int socketCount;
} Worker;

static Stream* streams;
static int streamCount;
static int32_t streamOfPort[65536];  // engine port -> stream index, -1: none
static int rtpFd[kMaxSockets], rtcpFd[kMaxSockets];
static int socketCount = 8, threadCount = 1, slots = 20, rcvbuf = 4 << 20;
static double seconds = 10;
static atomic_int stopping, windowGeneration;
static int64_t runStartNs;

static void BindPair(int i, int* port) {
  for (int attempt = 0; attempt < 1000; ++attempt) {
    int rtp = socket(AF_INET, SOCK_DGRAM, 0), rtcp = socket(AF_INET, SOCK_DGRAM, 0);
    if (rtp < 0 || rtcp < 0) Fail("socket");
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    if (bind(rtp, (struct sockaddr*)&a, sizeof(a)) != 0 || getsockname(rtp, (struct sockaddr*)&a, &len) != 0) Fail("bind");
    const int p = ntohs(a.sin_port);
    a.sin_port = htons((uint16_t)(p + 1));
    if (p % 2 == 0 && p < 65535 && bind(rtcp, (struct sockaddr*)&a, sizeof(a)) == 0) {
      // A large receive buffer: the engine's media threads send a tick's packets in one burst.
      // SO_RCVBUFFORCE passes net.core.rmem_max when run as root.
      if (setsockopt(rtp, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) != 0)
        setsockopt(rtp, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
      const int on = 1;
      if (setsockopt(rtp, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) != 0) Fail("SO_TIMESTAMPNS");
      rtpFd[i] = rtp;
      rtcpFd[i] = rtcp;
      *port = p;
      return;
    }
    close(rtp);
    close(rtcp);
  }
  fprintf(stderr, "rtp-farend: no even/odd port pair found\n");
  exit(1);
}

static void ReadStreams(void) {
  int capacity = 1024;
  streams = calloc(capacity, sizeof(Stream));
  if (!streams) Fail("calloc");
  int socketIndex, port, payloadType, toneHz;
  unsigned ssrc;
  double expectHz;
  int fields;
  while ((fields = scanf("%d %d %d %u %d %lf", &socketIndex, &port, &payloadType, &ssrc, &toneHz, &expectHz)) == 6) {
    if (socketIndex < 0 || socketIndex >= socketCount) Usage("stream: socket index out of range");
    if (port <= 0 || port > 65535 || streamOfPort[port] >= 0) Usage("stream: engine port out of range or used twice");
    if (payloadType != 0 && payloadType != 8) Usage("stream: payload type must be 0 (PCMU) or 8 (PCMA)");
    if (toneHz <= 0 || toneHz >= kMaxHz || expectHz < 0 || expectHz >= kMaxHz) Usage("stream: tone out of 1..3999 Hz");
    if (streamCount == capacity) {
      streams = realloc(streams, (capacity *= 2) * sizeof(Stream));
      if (!streams) Fail("realloc");
    }
    Stream* s = &streams[streamCount];
    memset(s, 0, sizeof(*s));
    s->socket = socketIndex;
    s->payloadType = payloadType;
    s->ssrc = ssrc;
    s->expectHz = expectHz;
    s->tone = ToneLoop(payloadType, toneHz);
    s->engine = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    s->seq = (uint16_t)rand();
    s->timestamp = (uint32_t)rand();
    streamOfPort[port] = streamCount++;
  }
  if (fields != EOF) Usage("stream lines are: socket enginePort payloadType ssrc toneHz expectHz");
  if (streamCount == 0) Usage("no streams on stdin");
}

// ---- sending ----

static void SendSlot(Worker* w, int slot) {
  static __thread struct mmsghdr msgs[kBatch];
  static __thread struct iovec iov[kBatch][2];
  static __thread uint8_t headers[kBatch][kHeaderBytes];
  const int* list = w->slotStreams[slot];
  const int n = w->slotCount[slot];
  for (int i = 0; i < n;) {
    const int socketIndex = streams[list[i]].socket;
    int batch = 0;
    for (; i < n && batch < kBatch && streams[list[i]].socket == socketIndex; ++i, ++batch) {
      Stream* s = &streams[list[i]];
      uint8_t* h = headers[batch];
      h[0] = 0x80;  // version 2
      h[1] = (uint8_t)s->payloadType;
      h[2] = s->seq >> 8, h[3] = s->seq & 0xFF;
      h[4] = s->timestamp >> 24, h[5] = s->timestamp >> 16, h[6] = s->timestamp >> 8, h[7] = s->timestamp & 0xFF;
      h[8] = s->ssrc >> 24, h[9] = s->ssrc >> 16, h[10] = s->ssrc >> 8, h[11] = s->ssrc & 0xFF;
      iov[batch][0] = (struct iovec){h, kHeaderBytes};
      iov[batch][1] = (struct iovec){(void*)(s->tone + (s->frame % kToneFrames) * kFrameSamples), kFrameSamples};
      msgs[batch].msg_hdr = (struct msghdr){.msg_name = &s->engine, .msg_namelen = sizeof(s->engine), .msg_iov = iov[batch], .msg_iovlen = 2};
      s->seq++;
      s->timestamp += kFrameSamples;
      s->frame++;
      s->c.sent++;
    }
    const int sent = sendmmsg(rtpFd[socketIndex], msgs, batch, MSG_DONTWAIT);
    // Datagrams sendmmsg did not take (a full send buffer or an error) are counted, not retried:
    // a phone would not resend them either.
    const int taken = sent < 0 ? 0 : sent;
    w->sendErrors += batch - taken;
    for (int k = taken; k < batch; ++k) streams[list[i - batch + k]].c.sent--;
  }
}

// ---- receiving ----

static void OnRtp(Worker* w, int socketIndex, const uint8_t* p, int len, int fromPort, int64_t arrivalNs) {
  if (len < kHeaderBytes || (p[0] >> 6) != 2) {
    w->malformed++;
    return;
  }
  if (p[1] >= 200 && p[1] <= 204) {  // RTCP on the RTP port (RFC 5761 §4)
    w->rtcp++;
    return;
  }
  const int index = streamOfPort[fromPort];
  Stream* s = index >= 0 ? &streams[index] : NULL;
  if (!s || s->socket != socketIndex) {  // not a stream of this socket (so not of this thread)
    w->unknownSource++;
    return;
  }
  int header = kHeaderBytes + 4 * (p[0] & 0x0F);
  if (len >= header + 4 && (p[0] & 0x10)) header += 4 + 4 * ((p[header + 2] << 8) | p[header + 3]);
  if (len < header) {
    w->malformed++;
    return;
  }
  const uint16_t seq = (uint16_t)((p[2] << 8) | p[3]);
  const uint32_t ts = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
  const uint32_t ssrc = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 | (uint32_t)p[10] << 8 | p[11];
  if (s->started && ssrc != s->remoteSsrc) {
    s->c.ssrcChanges++;
    s->started = 0;
  }
  const double arrival = (double)arrivalNs * kSampleRate / 1e9;
  s->c.received++;
  if (!s->started) {
    s->started = 1;
    s->remoteSsrc = ssrc;
    s->highest = seq;
    s->seen = 1;
    s->transit = arrival - ts;
    s->jitter = 0;
  } else {
    const int16_t ahead = (int16_t)(seq - s->highest);  // modulo 2^16: wraparound is a step of 1
    if (ahead > 0) {
      s->c.lost += ahead - 1;
      s->seen = ahead >= 64 ? 1 : (s->seen << ahead) | 1;
      s->highest = seq;
    } else if (-ahead < 64) {
      const uint64_t bit = 1ull << -ahead;
      if (s->seen & bit) {
        s->c.duplicates++;
        s->c.received--;
        return;
      }
      s->seen |= bit;
      s->c.reordered++;
      s->c.lost--;  // it had been counted as a gap
    } else {
      s->c.tooOld++;
    }
    // RFC 3550 §6.4.1: J += (|D| - J) / 16, D the change in transit time.
    const double transit = arrival - ts;
    s->jitter += (fabs(transit - s->transit) - s->jitter) / 16;
    s->transit = transit;
  }
  if (s->expectHz > 0 && seq % kToneCheckEvery == 0 && len - header >= kFrameSamples &&
      (p[1] & 0x7F) == s->payloadType) {
    s->c.toneChecked++;
    s->c.toneHeard += CarriesTone(p + header, s->payloadType, s->expectHz);
  }
}

static void Drain(Worker* w, int socketIndex, int isRtcp) {
  const int fd = isRtcp ? rtcpFd[socketIndex] : rtpFd[socketIndex];
  static __thread struct mmsghdr msgs[kBatch];
  static __thread struct iovec iov[kBatch];
  static __thread uint8_t buffers[kBatch][kMaxDatagram];
  static __thread struct sockaddr_in from[kBatch];
  static __thread uint8_t control[kBatch][CMSG_SPACE(sizeof(struct timespec))];
  for (;;) {
    for (int i = 0; i < kBatch; ++i) {
      iov[i] = (struct iovec){buffers[i], kMaxDatagram};
      msgs[i].msg_hdr = (struct msghdr){.msg_name = &from[i], .msg_namelen = sizeof(from[i]), .msg_iov = &iov[i], .msg_iovlen = 1,
                                        .msg_control = control[i], .msg_controllen = sizeof(control[i])};
    }
    const int n = recvmmsg(fd, msgs, kBatch, MSG_DONTWAIT, NULL);
    if (n <= 0) {
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) Fail("recvmmsg");
      return;
    }
    if (isRtcp) {
      w->rtcp += n;
    } else {
      const int64_t fallback = NowNs(CLOCK_REALTIME);
      for (int i = 0; i < n; ++i) {
        int64_t at = fallback;  // SO_TIMESTAMPNS: the kernel's receive time, on CLOCK_REALTIME
        struct cmsghdr* c = CMSG_FIRSTHDR(&msgs[i].msg_hdr);
        if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
          struct timespec t;
          memcpy(&t, CMSG_DATA(c), sizeof(t));
          at = (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
        }
        OnRtp(w, socketIndex, buffers[i], (int)msgs[i].msg_len, ntohs(from[i].sin_port), at);
      }
    }
    if (n < kBatch) return;
  }
}

// ---- the clock ----

static void ResetWindow(Worker* w) {
  for (int k = 0; k < w->socketCount; ++k) {
    for (int i = 0; i < streamCount; ++i) {
      if (streams[i].socket == w->sockets[k]) memset(&streams[i].c, 0, sizeof(Counters));
    }
  }
  w->unknownSource = w->malformed = w->rtcp = w->sendErrors = w->wakes = 0;
  memset(w->lateness, 0, sizeof(w->lateness));
}

static void* Run(void* arg) {
  Worker* w = arg;
  const int64_t slotNs = kPeriodNs / slots;
  for (int64_t tick = 0; !atomic_load(&stopping); ++tick) {
    const int64_t due = runStartNs + tick * slotNs;
    const struct timespec at = {due / 1000000000, due % 1000000000};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR) {
    }
    const int generation = atomic_load(&windowGeneration);
    if (generation != w->windowSeen) {
      w->windowSeen = generation;
      ResetWindow(w);
    }
    const int64_t late = (NowNs(CLOCK_MONOTONIC) - due) / 10000;
    w->lateness[late < kLatenessBuckets ? late : kLatenessBuckets]++;
    w->wakes++;
    SendSlot(w, (int)(tick % slots));
    const int rtcpToo = tick % slots == 0;  // RTCP comes once per 5 s per stream: once per 20 ms is enough
    for (int k = 0; k < w->socketCount; ++k) {
      Drain(w, w->sockets[k], 0);
      if (rtcpToo) Drain(w, w->sockets[k], 1);
    }
  }
  return NULL;
}

static void PlanWorker(Worker* w) {
  for (int k = w->index; k < socketCount; k += threadCount) w->sockets[w->socketCount++] = k;
  for (int slot = 0; slot < slots; ++slot) {
    w->slotStreams[slot] = malloc(sizeof(int) * (size_t)streamCount);
    if (!w->slotStreams[slot]) Fail("malloc");
    for (int k = 0; k < w->socketCount; ++k) {
      for (int i = slot; i < streamCount; i += slots) {
        if (streams[i].socket == w->sockets[k]) w->slotStreams[slot][w->slotCount[slot]++] = i;
      }
    }
  }
}

// ---- the result ----

static double LatenessPercentile(const uint32_t* histogram, int64_t total, double p) {
  if (total == 0) return 0;
  const int64_t rank = (int64_t)ceil(p / 100 * (double)total);
  int64_t seen = 0;
  for (int b = 0; b <= kLatenessBuckets; ++b) {
    if ((seen += histogram[b]) >= rank) return b * 10.0;
  }
  return kLatenessBuckets * 10.0;
}

static void PrintResult(Worker* workers, double windowSeconds, double cpuSeconds) {
  Counters t = {0};
  int64_t unknownSource = 0, malformed = 0, rtcp = 0, sendErrors = 0, wakes = 0;
  static uint32_t lateness[kLatenessBuckets + 1];
  double maxLateUs = 0;
  for (int k = 0; k < threadCount; ++k) {
    Worker* w = &workers[k];
    unknownSource += w->unknownSource, malformed += w->malformed, rtcp += w->rtcp, sendErrors += w->sendErrors, wakes += w->wakes;
    for (int b = 0; b <= kLatenessBuckets; ++b) {
      lateness[b] += w->lateness[b];
      if (w->lateness[b] && b * 10.0 > maxLateUs) maxLateUs = b * 10.0;
    }
  }
  int silent = 0, checked = 0, hearing = 0, heard = 0;
  double jitterSum = 0, jitterMax = 0;
  for (int i = 0; i < streamCount; ++i) {
    const Stream* s = &streams[i];
    t.sent += s->c.sent, t.received += s->c.received, t.lost += s->c.lost, t.duplicates += s->c.duplicates;
    t.reordered += s->c.reordered, t.tooOld += s->c.tooOld, t.ssrcChanges += s->c.ssrcChanges;
    t.toneChecked += s->c.toneChecked, t.toneHeard += s->c.toneHeard;
    if (s->c.received == 0) {
      silent++;
      continue;
    }
    heard++;
    const double jitterUs = s->jitter * 1e6 / kSampleRate;
    jitterSum += jitterUs;
    if (jitterUs > jitterMax) jitterMax = jitterUs;
    if (s->c.toneChecked > 0) {
      checked++;
      if (s->c.toneHeard * 10 >= s->c.toneChecked * 9) hearing++;  // 90 % of its checked frames
    }
  }
  const int64_t packets = t.sent + t.received;
  printf("{\"streams\":%d,\"sockets\":%d,\"threads\":%d,\"slots\":%d,\"seconds\":%.2f,"
         "\"sent\":%lld,\"received\":%lld,\"lost\":%lld,\"lossPercent\":%.4f,\"duplicates\":%lld,\"reordered\":%lld,"
         "\"tooOld\":%lld,\"ssrcChanges\":%lld,\"silentStreams\":%d,\"rtcpReceived\":%lld,\"unknownSource\":%lld,"
         "\"malformed\":%lld,\"sendErrors\":%lld,\"jitterUs\":{\"mean\":%.0f,\"max\":%.0f},"
         "\"tone\":{\"streamsChecked\":%d,\"streamsHearingPeer\":%d,\"framesChecked\":%lld,\"framesWithTone\":%lld},"
         "\"wakes\":%lld,\"wakeLatenessUs\":{\"p50\":%.0f,\"p99\":%.0f,\"max\":%.0f},"
         "\"cpuPercent\":%.1f,\"cpuUsPerPacket\":%.2f}\n",
         streamCount, socketCount, threadCount, slots, windowSeconds, (long long)t.sent, (long long)t.received,
         (long long)t.lost, t.received + t.lost > 0 ? 100.0 * (double)t.lost / (double)(t.received + t.lost) : 0.0,
         (long long)t.duplicates, (long long)t.reordered, (long long)t.tooOld, (long long)t.ssrcChanges, silent,
         (long long)rtcp, (long long)unknownSource, (long long)malformed, (long long)sendErrors,
         heard ? jitterSum / heard : 0.0, jitterMax, checked, hearing, (long long)t.toneChecked,
         (long long)t.toneHeard, (long long)wakes, LatenessPercentile(lateness, wakes, 50),
         LatenessPercentile(lateness, wakes, 99), maxLateUs, 100 * cpuSeconds / windowSeconds,
         packets ? cpuSeconds * 1e6 / (double)packets : 0.0);
  fflush(stdout);
}

static void ParseArgs(int argc, char** argv) {
  for (int i = 1; i < argc; i += 2) {
    if (i + 1 >= argc) Usage("every option takes a value");
    const double v = atof(argv[i + 1]);
    if (strcmp(argv[i], "--sockets") == 0) socketCount = (int)v;
    else if (strcmp(argv[i], "--threads") == 0) threadCount = (int)v;
    else if (strcmp(argv[i], "--seconds") == 0) seconds = v;
    else if (strcmp(argv[i], "--slots") == 0) slots = (int)v;
    else if (strcmp(argv[i], "--rcvbuf") == 0) rcvbuf = (int)v;
    else Usage("options: --sockets N --threads N --seconds S --slots N --rcvbuf BYTES");
  }
  if (socketCount < 1 || socketCount > kMaxSockets) Usage("--sockets: 1..1024");
  if (threadCount < 1 || threadCount > kMaxThreads || threadCount > socketCount) Usage("--threads: 1..16, at most --sockets");
  if (slots < 1 || slots > 64) Usage("--slots: 1..64");
  if (!(seconds > 0)) Usage("--seconds must be positive");
}

int main(int argc, char** argv) {
  ParseArgs(argc, argv);
  memset(streamOfPort, 0xFF, sizeof(streamOfPort));
  srand((unsigned)NowNs(CLOCK_REALTIME) ^ (unsigned)getpid());
  // The workers never see the control signals: this thread waits for them.
  sigset_t control;
  sigemptyset(&control);
  sigaddset(&control, SIGUSR1);
  sigaddset(&control, SIGTERM);
  sigaddset(&control, SIGINT);
  pthread_sigmask(SIG_BLOCK, &control, NULL);

  printf("{\"ready\":true,\"ports\":[");
  for (int i = 0; i < socketCount; ++i) {
    int port;
    BindPair(i, &port);
    printf("%s%d", i ? "," : "", port);
  }
  printf("]}\n");
  fflush(stdout);
  ReadStreams();

  Worker* workers = calloc((size_t)threadCount, sizeof(Worker));
  if (!workers) Fail("calloc");
  pthread_t ids[kMaxThreads];
  runStartNs = NowNs(CLOCK_MONOTONIC);
  int64_t windowStartNs = runStartNs;
  double cpuStart = NowNs(CLOCK_PROCESS_CPUTIME_ID) / 1e9;
  for (int k = 0; k < threadCount; ++k) {
    workers[k].index = k;
    PlanWorker(&workers[k]);
    if (pthread_create(&ids[k], NULL, Run, &workers[k]) != 0) Fail("pthread_create");
  }
  const int64_t endNs = runStartNs + (int64_t)(seconds * 1e9);
  for (;;) {
    const int64_t left = endNs - NowNs(CLOCK_MONOTONIC);
    if (left <= 0) break;
    const struct timespec wait = {left / 1000000000, left % 1000000000};
    const int sig = sigtimedwait(&control, NULL, &wait);
    if (sig == SIGUSR1) {
      windowStartNs = NowNs(CLOCK_MONOTONIC);
      cpuStart = NowNs(CLOCK_PROCESS_CPUTIME_ID) / 1e9;
      atomic_fetch_add(&windowGeneration, 1);
    } else if (sig == SIGTERM || sig == SIGINT) {
      break;
    }
  }
  atomic_store(&stopping, 1);
  const double windowSeconds = (NowNs(CLOCK_MONOTONIC) - windowStartNs) / 1e9;
  for (int k = 0; k < threadCount; ++k) pthread_join(ids[k], NULL);
  PrintResult(workers, windowSeconds, NowNs(CLOCK_PROCESS_CPUTIME_ID) / 1e9 - cpuStart);
  return 0;
}
