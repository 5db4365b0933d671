// The addon's SIP UDP socket (native/src/sip_udp_wrap.h): receives on the event loop
// (recvmmsg batches), sends from its own thread. Typed here; UdpTransport is its only user.
import { loadAddon } from '../../../media/native.js';

export interface NativeSendError {
  /** The sequence number send() returned. */
  seq: number;
  /** errno name, e.g. EMSGSIZE. */
  code: string;
  message: string;
  address: string;
  port: number;
}

export interface NativeSendResults {
  /** Every datagram up to this sequence number was sent or is in `errors`. */
  handledThrough: number;
  errors: NativeSendError[];
}

/** One part of a datagram's time in the engine, since the previous takeTiming(), in µs. */
export interface TimingPart {
  samples: number;
  p50: number;
  p99: number;
  max: number;
}

/** Where received and sent datagrams spent their time (native/src/sip_udp_timing.h). */
export interface UdpTiming {
  /** Kernel arrival to recvmmsg: the event loop was busy elsewhere. */
  socketWait: TimingPart;
  /** recvmmsg to this datagram's JS call: earlier datagrams of the same read ran first. */
  batchWait: TimingPart;
  /** The datagram's JS call, microtasks included. */
  handling: TimingPart;
  /** send() to the hand-over to the sender thread, at the end of the loop iteration. */
  untilHandOver: TimingPart;
  /** The hand-over to sendmmsg returning. */
  senderThread: TimingPart;
}

export interface NativeSipUdpSocket {
  localPort(): number;
  /** Queues a copy of `data`; returns its sequence number (1, 2, ...). */
  send(data: Uint8Array, address: string, port: number): number;
  takeSendResults(): NativeSendResults;
  takeTiming(): UdpTiming;
  /** Whether the sender thread runs under SCHED_RR (asked for with `realtimePriority`, and granted). */
  senderRealtime(): boolean;
  /** Frees the port; what was queued still goes out. Safe to call twice. */
  close(): void;
}

export interface NativeSipUdpHandlers {
  /** One call per datagram (a microtask checkpoint after each, as with dgram). */
  onMessage(data: Buffer, address: string, port: number): void;
  /** Failed sends are waiting in takeSendResults(). */
  onSendErrors(): void;
}

interface SocketOptions {
  /** SO_RCVBUF; the kernel caps it at net.core.rmem_max. */
  recvBufferBytes?: number;
  /** Datagrams per recvmmsg, 1-256 (default 32). */
  batch?: number;
  /** SCHED_RR priority 1-99 for the sender thread; 0 (default): ordinary scheduling. */
  realtimePriority?: number;
}

type SocketClass = new (
  address: string,
  port: number,
  options: SocketOptions | undefined,
  onMessage: NativeSipUdpHandlers['onMessage'],
  onSendErrors: NativeSipUdpHandlers['onSendErrors'],
) => NativeSipUdpSocket;

/** Binds `address:port` (an IP literal; port 0 picks one). Throws with `code` (EADDRINUSE...) if it cannot. */
export function openSipUdpSocket(address: string, port: number, options: SocketOptions, handlers: NativeSipUdpHandlers): NativeSipUdpSocket {
  const { SipUdpSocket } = loadAddon() as unknown as { SipUdpSocket: SocketClass };
  return new SipUdpSocket(address, port, options, handlers.onMessage, handlers.onSendErrors);
}
