import type { Socket } from 'node:net';
import { normalizeAddress } from './address.js';
import { StreamFramer } from './stream-framer.js';
import type { AddressPort, Logger } from './types.js';

const PONG = Buffer.from('\r\n');

export interface ConnectionOptions {
  idleTimeoutMs: number;
  maxMessageBytes: number;
  logger: Logger;
  onMessage(conn: TcpConnection, data: Buffer): void;
  onClose(conn: TcpConnection): void;
}

interface PendingWrite {
  data: Buffer;
  onError: (err: Error) => void;
}

let nextId = 1;

/** One TCP connection, inbound or outbound: framing, keep-alive pongs, idle close, write queueing. */
export class TcpConnection {
  readonly id = nextId++;
  private readonly framer: StreamFramer;
  /** Writes issued while connecting; Node's own queue would report them with a generic error. */
  private pending: PendingWrite[] = [];
  private lastError: Error | undefined;

  constructor(
    private readonly socket: Socket,
    readonly remote: AddressPort,
    private readonly opts: ConnectionOptions,
  ) {
    this.framer = new StreamFramer(opts.maxMessageBytes);
    socket.setNoDelay(true);
    socket.setTimeout(opts.idleTimeoutMs, () => {
      opts.logger.debug({ connectionId: this.id, remote }, 'sip tcp connection idle, closing');
      socket.destroy();
    });
    socket.on('connect', () => this.flush());
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (err) => {
      this.lastError = err;
      opts.logger.warn({ err, connectionId: this.id, remote }, 'sip tcp connection error');
    });
    socket.on('close', () => this.onClosed());
  }

  get isOpen(): boolean {
    return !this.socket.destroyed;
  }

  get local(): AddressPort {
    return { address: normalizeAddress(this.socket.localAddress ?? ''), port: this.socket.localPort ?? 0 };
  }

  write(data: Buffer, onError: (err: Error) => void): void {
    if (this.socket.destroyed) {
      process.nextTick(onError, new Error('connection closed'));
    } else if (this.socket.connecting) {
      this.pending.push({ data, onError });
    } else {
      this.socket.write(data, (err) => err && onError(err));
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private flush(): void {
    const queued = this.pending;
    this.pending = [];
    for (const { data, onError } of queued) this.write(data, onError);
  }

  private receive(chunk: Buffer): void {
    for (const frame of this.framer.push(chunk)) {
      if (this.socket.destroyed) return; // e.g. the stack stopped the transport while handling a message
      if (frame.type === 'message') {
        this.opts.onMessage(this, frame.data);
      } else if (frame.type === 'ping') {
        this.socket.write(PONG); // RFC 5626 §4.4.1
      } else {
        this.opts.logger.warn(
          { connectionId: this.id, remote: this.remote, reason: frame.reason },
          'sip tcp framing lost, closing connection',
        );
        this.socket.destroy();
      }
    }
  }

  private onClosed(): void {
    const err = this.lastError ?? new Error('connection closed before it was established');
    const queued = this.pending;
    this.pending = [];
    for (const { onError } of queued) onError(err);
    this.opts.onClose(this);
  }
}
