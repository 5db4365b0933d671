import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import { normalizeAddress } from './address.js';
import type { AddressPort, InboundMessage, Logger } from './types.js';

const RECV_BUFFER_BYTES = 4 * 1024 * 1024;

export interface UdpTransportOptions {
  maxMessageBytes: number;
  logger: Logger;
  onMessage(message: InboundMessage): void;
}

/** One UDP socket: a datagram is one message (RFC 3261 §18.3). */
export class UdpTransport {
  private socket: dgram.Socket | undefined;
  private local: AddressPort = { address: '', port: 0 };

  constructor(private readonly opts: UdpTransportOptions) {}

  bind(host: string, port: number): Promise<void> {
    const socket = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4', lookup: literalFirst });
    return new Promise((resolve, reject) => {
      const failed = (err: Error) => {
        socket.close();
        reject(err);
      };
      socket.once('error', failed);
      socket.bind({ address: host, port }, () => {
        socket.off('error', failed);
        socket.on('error', (err) => this.opts.logger.error({ err }, 'sip udp socket error'));
        socket.on('message', (data, rinfo) => this.receive(data, rinfo));
        // Bursts of requests must not overflow the kernel queue; the OS may cap or refuse this.
        try {
          socket.setRecvBufferSize(RECV_BUFFER_BYTES);
        } catch (err) {
          this.opts.logger.info({ err }, 'sip udp receive buffer size not changed');
        }
        const { address, port: boundPort } = socket.address();
        this.local = { address: normalizeAddress(address), port: boundPort };
        this.socket = socket;
        resolve();
      });
    });
  }

  /** Sends from the bound socket so the source port is the listening port. */
  send(address: string, port: number, data: Buffer, done: (err: Error | null) => void): void {
    if (!this.socket) throw new Error('udp transport not bound');
    this.socket.send(data, port, address, done);
  }

  close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    return new Promise((resolve) => (socket ? socket.close(() => resolve()) : resolve()));
  }

  private receive(data: Buffer, rinfo: dgram.RemoteInfo): void {
    if (isWhitespace(data)) return; // keep-alive datagram
    const remote = { address: normalizeAddress(rinfo.address), port: rinfo.port };
    if (data.length > this.opts.maxMessageBytes) {
      this.opts.logger.warn({ remote, bytes: data.length }, 'sip udp datagram too large, dropped');
      return;
    }
    this.opts.onMessage({ data, protocol: 'udp', remote, local: this.local });
  }
}

/**
 * dgram resolves every destination before sending, and Node's dns.lookup answers even an IP
 * literal on the next tick: a deferred callback for each of a call's half-dozen datagrams.
 * SIP targets are nearly always literals (Via, Contact, registrations): those are answered at
 * once; names still go to dns.lookup.
 */
function literalFirst(hostname: string, options: dns.LookupOneOptions | number, callback: (err: Error | null, address: string, family: number) => void): void {
  const family = net.isIP(hostname);
  if (family !== 0) callback(null, hostname, family);
  else dns.lookup(hostname, options as dns.LookupOneOptions, callback as (err: NodeJS.ErrnoException | null, address: string, family: number) => void);
}

function isWhitespace(data: Buffer): boolean {
  for (const b of data) if (b !== 0x0d && b !== 0x0a && b !== 0x20 && b !== 0x09) return false;
  return true;
}
