import dns from 'node:dns/promises';
import net from 'node:net';
import { normalizeAddress } from './address.js';
import { openSipUdpSocket, type NativeSendError, type NativeSipUdpSocket, type UdpTiming } from './native-udp-socket.js';
import type { AddressPort, InboundMessage, Logger } from './types.js';

const RECV_BUFFER_BYTES = 4 * 1024 * 1024;
/** How soon awaited sends the sender thread has handled are forgotten. */
const SETTLE_AFTER_MS = 5;

export interface UdpTransportOptions {
  maxMessageBytes: number;
  logger: Logger;
  onMessage(message: InboundMessage): void;
  /** SCHED_RR priority 1-99 for the sender thread; 0: ordinary scheduling. */
  realtimePriority: number;
}

/**
 * One UDP socket: a datagram is one message (RFC 3261 §18.3). The addon's socket receives on
 * the event loop and sends from its own thread, so a send returns before the
 * datagram leaves; a failure comes back later, to the send's `onError` or to the log.
 */
export class UdpTransport {
  private socket: NativeSipUdpSocket | undefined;
  private local: AddressPort = { address: '', port: 0 };
  /** onError of sends not yet handled by the sender thread, by sequence number (ascending). */
  private readonly awaiting = new Map<number, (err: Error) => void>();
  private settleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: UdpTransportOptions) {}

  async bind(host: string, port: number): Promise<void> {
    const address = net.isIP(host) ? host : (await dns.lookup(host)).address;
    const { realtimePriority } = this.opts;
    const socket = openSipUdpSocket(address, port, { recvBufferBytes: RECV_BUFFER_BYTES, realtimePriority }, {
      onMessage: (data, address, port) => this.receive(data, address, port),
      onSendErrors: this.settle,
    });
    if (realtimePriority > 0 && !socket.senderRealtime()) {
      this.opts.logger.warn({ realtimePriority }, 'SIP sender thread runs on the ordinary scheduler: the kernel refused SCHED_RR (needs root or CAP_SYS_NICE)');
    }
    this.local = { address: normalizeAddress(address), port: socket.localPort() };
    this.socket = socket;
  }

  /** Sends from the bound socket so the source port is the listening port. */
  send(address: string, port: number, data: Buffer, onError?: (err: Error) => void): void {
    const socket = this.socket;
    if (!socket) throw new Error('udp transport not bound');
    if (net.isIP(address) === 0) {
      // Closed meanwhile, or a bad port: reported like any failure, never an unhandled rejection.
      dns.lookup(address, { family: net.isIPv6(this.local.address) ? 6 : 4 }).then((found) => this.send(found.address, port, data, onError)).catch((err: Error) => this.report(err, onError));
      return;
    }
    const seq = socket.send(data, address, port);
    if (!onError) return;
    this.awaiting.set(seq, onError);
    this.settleSoon();
  }

  /** Later, not inside a send (settling may call other sends' onError), and soon: an awaited onError holds its transaction. */
  private settleSoon(): void {
    if (this.settleTimer || this.awaiting.size === 0) return;
    this.settleTimer = setTimeout(() => {
      this.settleTimer = undefined;
      this.settle();
      this.settleSoon();
    }, SETTLE_AFTER_MS).unref();
  }

  /** Where datagrams spent their time since the previous call; undefined when not bound. */
  takeTiming(): UdpTiming | undefined {
    return this.socket?.takeTiming();
  }

  close(): Promise<void> {
    clearTimeout(this.settleTimer);
    this.settleTimer = undefined;
    this.socket?.close();
    this.socket = undefined;
    this.awaiting.clear();
    return Promise.resolve();
  }

  /** Hands failures to their sends, then forgets awaited sends that went out. */
  private readonly settle = (): void => {
    if (!this.socket) return;
    const { handledThrough, errors } = this.socket.takeSendResults();
    for (const failure of errors) {
      const onError = this.awaiting.get(failure.seq);
      this.awaiting.delete(failure.seq);
      this.report(sendError(failure), onError);
    }
    for (const seq of this.awaiting.keys()) {
      if (seq > handledThrough) break;
      this.awaiting.delete(seq);
    }
  };

  private report(err: Error, onError: ((err: Error) => void) | undefined): void {
    if (onError) onError(err);
    else this.opts.logger.warn({ err }, 'sip transport send failed');
  }

  private receive(data: Buffer, address: string, port: number): void {
    if (isWhitespace(data)) return; // keep-alive datagram
    const remote = { address: normalizeAddress(address), port };
    if (data.length > this.opts.maxMessageBytes) {
      this.opts.logger.warn({ remote, bytes: data.length }, 'sip udp datagram too large, dropped');
      return;
    }
    this.opts.onMessage({ data, protocol: 'udp', remote, local: this.local });
  }
}

/** Named like Node's own send errors (`send EMSGSIZE 192.0.2.1:5060`). */
function sendError(failure: NativeSendError): Error {
  const address = normalizeAddress(failure.address);
  return Object.assign(new Error(`send ${failure.code} ${address}:${failure.port} (${failure.message})`), {
    code: failure.code,
    address,
    port: failure.port,
  });
}

function isWhitespace(data: Buffer): boolean {
  for (const b of data) if (b !== 0x0d && b !== 0x0a && b !== 0x20 && b !== 0x09) return false;
  return true;
}
