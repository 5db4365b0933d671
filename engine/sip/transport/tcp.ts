import net from 'node:net';
import { addressKey, normalizeAddress } from './address.js';
import { TcpConnection, type ConnectionOptions } from './tcp-connection.js';
import type { AddressPort, InboundMessage, Logger, SendTarget } from './types.js';

export interface TcpTransportOptions {
  idleTimeoutMs: number;
  maxMessageBytes: number;
  logger: Logger;
  onMessage(message: InboundMessage): void;
}

/**
 * TCP listener plus the connection table. Connections are indexed by id and by
 * remote address:port, inbound ones included, so that responses (RFC 3261 §18.2.2)
 * and requests towards a registered contact reuse an existing connection.
 */
export class TcpTransport {
  private readonly server: net.Server;
  private readonly byId = new Map<number, TcpConnection>();
  private readonly byRemote = new Map<string, Set<TcpConnection>>();
  private readonly connectionOptions: ConnectionOptions;

  constructor(private readonly opts: TcpTransportOptions) {
    this.connectionOptions = {
      idleTimeoutMs: opts.idleTimeoutMs,
      maxMessageBytes: opts.maxMessageBytes,
      logger: opts.logger,
      onMessage: (conn, data) =>
        opts.onMessage({ data, protocol: 'tcp', remote: conn.remote, local: conn.local, connectionId: conn.id }),
      onClose: (conn) => this.forget(conn),
    };
    this.server = net.createServer((socket) => this.accept(socket));
  }

  /** Resolves with the bound port. */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host, port }, () => {
        this.server.off('error', reject);
        this.server.on('error', (err) => this.opts.logger.error({ err }, 'sip tcp server error'));
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  send(target: SendTarget, data: Buffer, onError: (err: Error) => void): void {
    this.connectionFor(target).write(data, onError);
  }

  /** Stops listening and destroys every connection. */
  close(): Promise<void> {
    for (const conn of this.byId.values()) conn.destroy();
    return new Promise((resolve) => {
      if (this.server.listening) this.server.close(() => resolve());
      else resolve();
    });
  }

  private connectionFor(target: SendTarget): TcpConnection {
    const byId = target.connectionId === undefined ? undefined : this.byId.get(target.connectionId);
    if (byId?.isOpen) return byId;
    for (const conn of this.byRemote.get(addressKey(target)) ?? []) if (conn.isOpen) return conn;
    const socket = net.connect({ host: target.address, port: target.port });
    return this.track(socket, { address: normalizeAddress(target.address), port: target.port });
  }

  private accept(socket: net.Socket): void {
    if (socket.remoteAddress === undefined || socket.remotePort === undefined) {
      socket.destroy(); // already gone
      return;
    }
    const conn = this.track(socket, { address: normalizeAddress(socket.remoteAddress), port: socket.remotePort });
    this.opts.logger.debug({ connectionId: conn.id, remote: conn.remote }, 'sip tcp connection accepted');
  }

  private track(socket: net.Socket, remote: AddressPort): TcpConnection {
    const conn = new TcpConnection(socket, remote, this.connectionOptions);
    this.byId.set(conn.id, conn);
    const key = addressKey(remote);
    const peers = this.byRemote.get(key) ?? new Set();
    this.byRemote.set(key, peers.add(conn));
    return conn;
  }

  private forget(conn: TcpConnection): void {
    this.byId.delete(conn.id);
    const key = addressKey(conn.remote);
    const peers = this.byRemote.get(key);
    peers?.delete(conn);
    if (peers?.size === 0) this.byRemote.delete(key);
  }
}
