// The floor under any RTP relay on this machine: what one loopback UDP datagram of RTP size
// (172 bytes: 12 header + 160 G.711) costs to send and to receive, with plain sendto/recvfrom
// and with the batched sendmmsg/recvmmsg (32 at a time). Sender and receiver are sockets of
// this one process; each batch is sent, then read back, so no socket buffer overflows.
// Prints one JSON object: microseconds per packet for each call.
//
//   cc -O2 -o udp-floor bench/udp-floor.c && ./udp-floor [packets]
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { kBytes = 172, kBatch = 32 };

static double Now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int Bound(struct sockaddr_in* addr) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) {
    perror("socket");
    exit(1);
  }
  socklen_t len = sizeof(*addr);
  memset(addr, 0, sizeof(*addr));
  addr->sin_family = AF_INET;
  addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr*)addr, sizeof(*addr)) != 0 || getsockname(fd, (struct sockaddr*)addr, &len) != 0) {
    perror("bind");
    exit(1);
  }
  return fd;
}

int main(int argc, char** argv) {
  const long packets = argc > 1 ? atol(argv[1]) : 200000;
  const long batches = packets / kBatch;
  struct sockaddr_in to, from;
  const int rx = Bound(&to);
  const int tx = Bound(&from);
  unsigned char out[kBytes], in[kBatch][kBytes];
  memset(out, 0x55, sizeof(out));
  double sendUs = 0, recvUs = 0, sendmmsgUs = 0, recvmmsgUs = 0;

  for (long b = 0; b < batches; ++b) {
    double t0 = Now();
    for (int i = 0; i < kBatch; ++i) {
      if (sendto(tx, out, kBytes, 0, (struct sockaddr*)&to, sizeof(to)) != kBytes) {
        perror("sendto");
        return 1;
      }
    }
    double t1 = Now();
    for (int i = 0; i < kBatch; ++i) {
      if (recvfrom(rx, in[i], kBytes, 0, NULL, NULL) != kBytes) {
        perror("recvfrom");
        return 1;
      }
    }
    double t2 = Now();
    sendUs += t1 - t0;
    recvUs += t2 - t1;
  }

  struct mmsghdr sendMsgs[kBatch], recvMsgs[kBatch];
  struct iovec sendIov[kBatch], recvIov[kBatch];
  memset(sendMsgs, 0, sizeof(sendMsgs));
  memset(recvMsgs, 0, sizeof(recvMsgs));
  for (int i = 0; i < kBatch; ++i) {
    sendIov[i].iov_base = out;
    sendIov[i].iov_len = kBytes;
    sendMsgs[i].msg_hdr.msg_iov = &sendIov[i];
    sendMsgs[i].msg_hdr.msg_iovlen = 1;
    sendMsgs[i].msg_hdr.msg_name = &to;
    sendMsgs[i].msg_hdr.msg_namelen = sizeof(to);
    recvIov[i].iov_base = in[i];
    recvIov[i].iov_len = kBytes;
    recvMsgs[i].msg_hdr.msg_iov = &recvIov[i];
    recvMsgs[i].msg_hdr.msg_iovlen = 1;
  }
  for (long b = 0; b < batches; ++b) {
    double t0 = Now();
    for (int sent = 0; sent < kBatch;) {
      int n = sendmmsg(tx, sendMsgs + sent, kBatch - sent, 0);
      if (n <= 0) {
        perror("sendmmsg");
        return 1;
      }
      sent += n;
    }
    double t1 = Now();
    for (int got = 0; got < kBatch;) {
      int n = recvmmsg(rx, recvMsgs + got, kBatch - got, 0, NULL);
      if (n <= 0) {
        perror("recvmmsg");
        return 1;
      }
      got += n;
    }
    double t2 = Now();
    sendmmsgUs += t1 - t0;
    recvmmsgUs += t2 - t1;
  }

  const double n = (double)(batches * kBatch);
  printf("{\"packets\":%.0f,\"bytes\":%d,\"sendtoUs\":%.3f,\"recvfromUs\":%.3f,\"sendmmsgUs\":%.3f,\"recvmmsgUs\":%.3f}\n", n,
         kBytes, sendUs / n, recvUs / n, sendmmsgUs / n, recvmmsgUs / n);
  close(rx);
  close(tx);
  return 0;
}
