import { EventEmitter } from 'node:events';
import { TcpTransport } from './tcp.js';
import type { InboundMessage, Logger, SendTarget, TransportLayerOptions } from './types.js';
import { UdpTransport } from './udp.js';
import type { UdpTiming } from './native-udp-socket.js';

export type * from './types.js';

const EPHEMERAL_BIND_ATTEMPTS = 5;
const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

interface TransportEvents {
  message: [InboundMessage];
}

interface Bound {
  port: number;
  udp: UdpTransport;
  tcp: TcpTransport;
}

/**
 * SIP transport layer (RFC 3261 §18): UDP and TCP on one host:port, moving whole
 * messages as raw bytes. It never parses beyond the stream framing.
 */
export class TransportLayer extends EventEmitter<TransportEvents> {
  private readonly idleTimeoutMs: number;
  private readonly maxMessageBytes: number;
  private readonly log: Logger;
  private bound: Bound | undefined;

  constructor(private readonly opts: TransportLayerOptions) {
    super();
    this.idleTimeoutMs = opts.tcpIdleTimeoutMs ?? 60_000;
    this.maxMessageBytes = opts.maxMessageBytes ?? 65_535;
    this.log = opts.logger ?? silentLogger;
  }

  get host(): string {
    return this.opts.host;
  }

  get localPort(): number {
    if (!this.bound) throw new Error('sip transport not started');
    return this.bound.port;
  }

  /** Where UDP datagrams spent their time in the engine since the previous call. */
  takeUdpTiming(): UdpTiming {
    const timing = this.bound?.udp.takeTiming();
    if (!timing) throw new Error('sip transport not started');
    return timing;
  }

  async start(): Promise<void> {
    if (this.bound) throw new Error('sip transport already started');
    const attempts = this.opts.port === 0 ? EPHEMERAL_BIND_ATTEMPTS : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        this.bound = await this.bind();
        this.log.info({ host: this.host, port: this.bound.port }, 'sip transport listening on udp and tcp');
        return;
      } catch (err) {
        // An ephemeral TCP port may already be taken on the UDP side; pick another.
        const retry = attempt < attempts && (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
        if (!retry) throw err;
      }
    }
  }

  /**
   * Sends one message. A failure is logged and handed to `onError`; without one, a UDP send
   * needs no callback of its own (the UDP transport logs), which matters at thousands of sends a second.
   */
  send(target: SendTarget, data: Buffer, onError?: (err: Error) => void): void {
    try {
      if (!this.bound) throw new Error('sip transport not started');
      if (target.protocol === 'udp') {
        this.bound.udp.send(target.address, target.port, data, onError && ((err) => this.failed(err, target, onError)));
      } else {
        this.bound.tcp.send(target, data, (err) => this.failed(err, target, onError));
      }
    } catch (err) {
      // Bad arguments throw synchronously; report them like any other send failure.
      process.nextTick(() => this.failed(err as Error, target, onError));
    }
  }

  private failed(err: Error, target: SendTarget, onError?: (err: Error) => void): void {
    this.log.warn({ err, target }, 'sip transport send failed');
    try {
      onError?.(err);
    } catch (cbErr) {
      this.log.error({ err: cbErr }, 'sip transport send error callback threw');
    }
  }

  async stop(): Promise<void> {
    const bound = this.bound;
    this.bound = undefined;
    if (bound) await Promise.all([bound.udp.close(), bound.tcp.close()]);
  }

  /** TCP first: its port 0 picks the number, then UDP binds the same one. */
  private async bind(): Promise<Bound> {
    const onMessage = (m: InboundMessage) => this.deliver(m);
    const common = { maxMessageBytes: this.maxMessageBytes, logger: this.log, onMessage };
    const tcp = new TcpTransport({ ...common, idleTimeoutMs: this.idleTimeoutMs });
    const port = await tcp.listen(this.host, this.opts.port);
    const udp = new UdpTransport({ ...common, realtimePriority: this.opts.realtimePriority ?? 0 });
    try {
      await udp.bind(this.host, port);
    } catch (err) {
      await tcp.close();
      throw err;
    }
    return { port, udp, tcp };
  }

  /** A throwing listener must not escape into socket callbacks. */
  private deliver(message: InboundMessage): void {
    try {
      this.emit('message', message);
    } catch (err) {
      this.log.error({ err }, 'sip transport message listener threw');
    }
  }
}
