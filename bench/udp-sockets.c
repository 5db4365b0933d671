// What the kernel charges a media thread per RTP packet when it serves many sockets, each
// sending one 172-byte datagram per 20 ms round to its own loopback peer (as the engine's
// endpoints do), and how much of it a different way of calling the kernel saves:
//   sendto      unconnected socket, destination on every call (the engine today)
//   send        the socket connect()ed to its peer once: the kernel keeps the route
//   uringSendmsg / uringSend  the same two, the round's sends submitted by one io_uring_enter
// and on the receiving side (each peer socket holds the one datagram of the round, with a
// kernel arrival stamp as the engine asks for):
//   recvmmsg    one call per socket (the engine today)
//   uringRecvmsg  one io_uring_enter submitting a recvmsg per socket (reads one datagram:
//                 a UDP completion does not tell whether more are queued)
//   uringRecvmsg2 the same with two recvmsg per socket, the second finding the queue empty,
//                 as recvmmsg does within its call: what draining a socket costs this way
// Rounds are paced 20 ms apart so the sockets' kernel state goes cold between them, as it
// does in the engine. The methods take turns round by round (so drift in machine load touches
// them alike); the sockets are connected only for the rounds of the connected methods.
// Raw io_uring system calls (<linux/io_uring.h>, no liburing). Prints one JSON object per
// socket count: wall microseconds per packet of each send and receive method, and CPU
// microseconds per packet of the whole round (its sends plus its receives).
//
//   cc -O2 -o udp-sockets bench/udp-sockets.c && ./udp-sockets [--sockets 600,2000] [--rounds 200]
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum { kBytes = 172, kRecvBatch = 16, kRoundNs = 20000000 };

enum SendMethod { kSendto, kSend, kUringSendmsg, kUringSend, kSendMethods };
static const char* const kSendNames[kSendMethods] = {"sendto", "send", "uringSendmsg", "uringSend"};
enum RecvMethod { kRecvmmsg, kUringRecvmsg, kUringRecvmsg2, kRecvMethods };
static const char* const kRecvNames[kRecvMethods] = {"recvmmsg", "uringRecvmsg", "uringRecvmsg2"};

static void Fail(const char* what) {
  perror(what);
  exit(1);
}

static int64_t ClockNs(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int Bound(struct sockaddr_in* addr) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  if (fd < 0) Fail("socket");
  socklen_t len = sizeof(*addr);
  memset(addr, 0, sizeof(*addr));
  addr->sin_family = AF_INET;
  addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr*)addr, sizeof(*addr)) != 0 || getsockname(fd, (struct sockaddr*)addr, &len) != 0) Fail("bind");
  return fd;
}

// One io_uring: its mapped submission and completion rings.
struct Ring {
  int fd;
  unsigned entries;
  _Atomic unsigned *sqHead, *sqTail, *cqHead, *cqTail;
  unsigned sqMask, cqMask;
  struct io_uring_sqe* sqes;
  struct io_uring_cqe* cqes;
};

static int RingSetup(struct Ring* r, unsigned entries) {
  struct io_uring_params p;
  memset(&p, 0, sizeof(p));
  p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
  r->fd = (int)syscall(__NR_io_uring_setup, entries, &p);
  if (r->fd < 0) {
    memset(&p, 0, sizeof(p));  // an older kernel: no flags
    r->fd = (int)syscall(__NR_io_uring_setup, entries, &p);
  }
  if (r->fd < 0) return -1;
  const size_t sqSize = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  const size_t cqSize = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
  const int single = (p.features & IORING_FEAT_SINGLE_MMAP) != 0;
  uint8_t* sq = mmap(NULL, single && cqSize > sqSize ? cqSize : sqSize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
  uint8_t* cq = single ? sq : mmap(NULL, cqSize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_CQ_RING);
  r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
  if (sq == MAP_FAILED || cq == MAP_FAILED || r->sqes == MAP_FAILED) Fail("mmap io_uring");
  r->entries = p.sq_entries;
  r->sqHead = (_Atomic unsigned*)(sq + p.sq_off.head);
  r->sqTail = (_Atomic unsigned*)(sq + p.sq_off.tail);
  r->sqMask = *(unsigned*)(sq + p.sq_off.ring_mask);
  unsigned* array = (unsigned*)(sq + p.sq_off.array);
  for (unsigned i = 0; i < p.sq_entries; ++i) array[i] = i;  // slot i holds SQE i, always
  r->cqHead = (_Atomic unsigned*)(cq + p.cq_off.head);
  r->cqTail = (_Atomic unsigned*)(cq + p.cq_off.tail);
  r->cqMask = *(unsigned*)(cq + p.cq_off.ring_mask);
  r->cqes = (struct io_uring_cqe*)(cq + p.cq_off.cqes);
  return 0;
}

// Submits `count` prepared SQEs (from the current tail on), waits for all their completions
// (UDP sends and MSG_DONTWAIT receives complete during the submission), and returns how many
// completed with `expect` bytes.
static int RingRun(struct Ring* r, unsigned count, int expect) {
  unsigned tail = atomic_load_explicit(r->sqTail, memory_order_relaxed);
  atomic_store_explicit(r->sqTail, tail + count, memory_order_release);
  unsigned submitted = 0;
  while (submitted < count) {
    const long n = syscall(__NR_io_uring_enter, r->fd, count - submitted, count - submitted, IORING_ENTER_GETEVENTS, NULL, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      Fail("io_uring_enter");
    }
    submitted += (unsigned)n;
  }
  int ok = 0;
  unsigned head = atomic_load_explicit(r->cqHead, memory_order_relaxed);
  for (unsigned reaped = 0; reaped < count;) {
    const unsigned cqTail = atomic_load_explicit(r->cqTail, memory_order_acquire);
    if (head == cqTail) {
      if (syscall(__NR_io_uring_enter, r->fd, 0, count - reaped, IORING_ENTER_GETEVENTS, NULL, 0) < 0 && errno != EINTR) Fail("io_uring_enter wait");
      continue;
    }
    for (; head != cqTail; ++head, ++reaped) ok += r->cqes[head & r->cqMask].res == expect;
    atomic_store_explicit(r->cqHead, head, memory_order_release);
  }
  return ok;
}

static struct io_uring_sqe* NextSqe(struct Ring* r, unsigned i) {
  const unsigned tail = atomic_load_explicit(r->sqTail, memory_order_relaxed);
  struct io_uring_sqe* sqe = &r->sqes[(tail + i) & r->sqMask];
  memset(sqe, 0, sizeof(*sqe));
  return sqe;
}

struct Bench {
  int n;
  int *tx, *rx;
  struct sockaddr_in* rxAddr;
  struct Ring ring;
  uint8_t out[kBytes];
  uint8_t* in;  // n * kBytes
  struct msghdr* sendMsgs;
  struct iovec sendIov;
  struct msghdr* recvMsgs;
  struct iovec* recvIov;
  struct sockaddr_in* from;
  uint8_t (*control)[CMSG_SPACE(sizeof(struct timespec))];
  long sendErrors, recvMissing;
};

static void SetConnected(struct Bench* b, int connected) {
  for (int i = 0; i < b->n; ++i) {
    struct sockaddr unspec = {.sa_family = AF_UNSPEC};
    const int r = connected ? connect(b->tx[i], (struct sockaddr*)&b->rxAddr[i], sizeof(b->rxAddr[i])) : connect(b->tx[i], &unspec, sizeof(unspec));
    if (r != 0) Fail("connect");
  }
}

static void SendRound(struct Bench* b, enum SendMethod m) {
  const int n = b->n;
  if (m == kSendto || m == kSend) {
    for (int i = 0; i < n; ++i) {
      const ssize_t r = m == kSendto ? sendto(b->tx[i], b->out, kBytes, 0, (struct sockaddr*)&b->rxAddr[i], sizeof(b->rxAddr[i]))
                                     : send(b->tx[i], b->out, kBytes, 0);
      b->sendErrors += r != kBytes;
    }
    return;
  }
  for (int at = 0; at < n;) {
    const unsigned count = (unsigned)(n - at) < b->ring.entries ? (unsigned)(n - at) : b->ring.entries;
    for (unsigned k = 0; k < count; ++k) {
      struct io_uring_sqe* sqe = NextSqe(&b->ring, k);
      const int i = at + (int)k;
      sqe->fd = b->tx[i];
      if (m == kUringSend) {
        sqe->opcode = IORING_OP_SEND;
        sqe->addr = (uintptr_t)b->out;
        sqe->len = kBytes;
      } else {
        sqe->opcode = IORING_OP_SENDMSG;
        sqe->addr = (uintptr_t)&b->sendMsgs[i];
        sqe->len = 1;
      }
    }
    b->sendErrors += count - RingRun(&b->ring, count, kBytes);
    at += (int)count;
  }
}

static void ResetRecvMsg(struct Bench* b, int i) {
  b->recvMsgs[i].msg_namelen = sizeof(b->from[i]);
  b->recvMsgs[i].msg_controllen = sizeof(b->control[i]);
  b->recvMsgs[i].msg_flags = 0;
}

static void RecvRound(struct Bench* b, enum RecvMethod m) {
  const int n = b->n;
  if (m == kRecvmmsg) {
    struct mmsghdr msgs[kRecvBatch];
    for (int i = 0; i < n; ++i) {
      int got = 0;
      for (;;) {  // as the engine reads: until a short batch
        for (int k = 0; k < kRecvBatch; ++k) {
          ResetRecvMsg(b, i);
          msgs[k].msg_hdr = b->recvMsgs[i];
        }
        const int r = recvmmsg(b->rx[i], msgs, kRecvBatch, MSG_DONTWAIT, NULL);
        if (r > 0) got += r;
        if (r < kRecvBatch) break;
      }
      b->recvMissing += got != 1;
    }
    return;
  }
  const unsigned per = m == kUringRecvmsg2 ? 2 : 1;  // SQEs per socket
  const unsigned sockets = b->ring.entries / per;
  for (int at = 0; at < n;) {
    const unsigned count = (unsigned)(n - at) < sockets ? (unsigned)(n - at) : sockets;
    for (unsigned k = 0; k < count * per; ++k) {
      struct io_uring_sqe* sqe = NextSqe(&b->ring, k);
      const int i = at + (int)(k / per);
      ResetRecvMsg(b, i);
      sqe->opcode = IORING_OP_RECVMSG;
      sqe->fd = b->rx[i];
      sqe->addr = (uintptr_t)&b->recvMsgs[i];
      sqe->len = 1;
      sqe->msg_flags = MSG_DONTWAIT;  // nothing there: -EAGAIN, not a request left armed
    }
    b->recvMissing += count - RingRun(&b->ring, count * per, kBytes);
    at += (int)count;
  }
}

static void Run(int n, int rounds) {
  struct Bench b;
  memset(&b, 0, sizeof(b));
  b.n = n;
  b.tx = calloc(n, sizeof(int));
  b.rx = calloc(n, sizeof(int));
  b.rxAddr = calloc(n, sizeof(*b.rxAddr));
  b.in = calloc(n, kBytes);
  b.sendMsgs = calloc(n, sizeof(*b.sendMsgs));
  b.recvMsgs = calloc(n, sizeof(*b.recvMsgs));
  b.recvIov = calloc(n, sizeof(*b.recvIov));
  b.from = calloc(n, sizeof(*b.from));
  b.control = calloc(n, sizeof(*b.control));
  memset(b.out, 0x55, sizeof(b.out));
  b.sendIov.iov_base = b.out;
  b.sendIov.iov_len = kBytes;
  const int one = 1;
  for (int i = 0; i < n; ++i) {
    struct sockaddr_in self;
    b.rx[i] = Bound(&b.rxAddr[i]);
    b.tx[i] = Bound(&self);
    setsockopt(b.rx[i], SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
    b.sendMsgs[i].msg_name = &b.rxAddr[i];
    b.sendMsgs[i].msg_namelen = sizeof(b.rxAddr[i]);
    b.sendMsgs[i].msg_iov = &b.sendIov;
    b.sendMsgs[i].msg_iovlen = 1;
    b.recvIov[i].iov_base = b.in + (size_t)i * kBytes;
    b.recvIov[i].iov_len = kBytes;
    b.recvMsgs[i].msg_name = &b.from[i];
    b.recvMsgs[i].msg_iov = &b.recvIov[i];
    b.recvMsgs[i].msg_iovlen = 1;
    b.recvMsgs[i].msg_control = b.control[i];
  }
  const int uring = RingSetup(&b.ring, 4096) == 0;
  const char* uringError = uring ? NULL : strerror(errno);

  // Each round pairs one send method with one receive method, turn by turn.
  double sendUs[kSendMethods] = {0}, roundCpuUs[kSendMethods] = {0}, recvUs[kRecvMethods] = {0};
  long sendRounds[kSendMethods] = {0}, recvRounds[kRecvMethods] = {0};
  int64_t next = ClockNs(CLOCK_MONOTONIC);
  int connected = 0;
  const int methods = uring ? kSendMethods : kUringSendmsg;
  for (int round = 0; round < rounds * methods; ++round) {
    const enum SendMethod sm = (enum SendMethod)(round % methods);
    const enum RecvMethod rm = uring ? (enum RecvMethod)((round / methods) % kRecvMethods) : kRecvmmsg;
    const int wantConnected = sm == kSend || sm == kUringSend;
    if (wantConnected != connected) SetConnected(&b, connected = wantConnected);
    next += kRoundNs;
    struct timespec at = {.tv_sec = next / 1000000000, .tv_nsec = next % 1000000000};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR) {
    }
    const int64_t cpu0 = ClockNs(CLOCK_THREAD_CPUTIME_ID);
    const int64_t t0 = ClockNs(CLOCK_MONOTONIC);
    SendRound(&b, sm);
    const int64_t t1 = ClockNs(CLOCK_MONOTONIC);
    RecvRound(&b, rm);
    const int64_t t2 = ClockNs(CLOCK_MONOTONIC);
    const int64_t cpu1 = ClockNs(CLOCK_THREAD_CPUTIME_ID);
    if (round < methods * kRecvMethods) continue;  // warm-up: the first turn of each pairing
    sendUs[sm] += (t1 - t0) / 1e3;
    roundCpuUs[sm] += (cpu1 - cpu0) / 1e3;
    sendRounds[sm]++;
    recvUs[rm] += (t2 - t1) / 1e3;
    recvRounds[rm]++;
  }

  printf("{\"sockets\":%d,\"bytes\":%d,\"rounds\":%d,\"uring\":%s", n, kBytes, rounds, uring ? "true" : "false");
  if (!uring) printf(",\"uringError\":\"%s\"", uringError);
  printf(",\"sendUs\":{");
  for (int m = 0; m < methods; ++m) printf("%s\"%s\":%.3f", m ? "," : "", kSendNames[m], sendUs[m] / ((double)sendRounds[m] * n));
  printf("},\"recvUs\":{");
  for (int m = 0; m < (uring ? kRecvMethods : 1); ++m) printf("%s\"%s\":%.3f", m ? "," : "", kRecvNames[m], recvUs[m] / ((double)recvRounds[m] * n));
  printf("},\"roundCpuUsBySend\":{");
  for (int m = 0; m < methods; ++m) printf("%s\"%s\":%.3f", m ? "," : "", kSendNames[m], roundCpuUs[m] / ((double)sendRounds[m] * n));
  printf("},\"sendErrors\":%ld,\"recvMissing\":%ld}\n", b.sendErrors, b.recvMissing);
  fflush(stdout);
  for (int i = 0; i < n; ++i) {
    close(b.tx[i]);
    close(b.rx[i]);
  }
  if (uring) close(b.ring.fd);
}

int main(int argc, char** argv) {
  const char* counts = "600,2000";
  int rounds = 200;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--sockets") == 0) counts = argv[i + 1];
    else if (strcmp(argv[i], "--rounds") == 0) rounds = atoi(argv[i + 1]);
  }
  for (const char* p = counts; *p;) {
    char* end;
    const long n = strtol(p, &end, 10);
    if (n <= 0 || end == p) {
      fprintf(stderr, "bad --sockets\n");
      return 2;
    }
    Run((int)n, rounds);
    p = *end == ',' ? end + 1 : end;
  }
  return 0;
}
