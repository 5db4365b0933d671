// The transaction layer (RFC 3261 §17): parses what the transport delivers, matches it to
// client and server transactions, absorbs retransmissions, and hands the rest to the core.
import { formatVia } from '../headers.js';
import { newBranch, MAGIC_COOKIE } from '../ids.js';
import { Params } from '../params.js';
import type { SipRequest, SipResponse } from '../message.js';
import { parseMessage } from '../parser.js';
import { makeResponse } from '../responses.js';
import type { InboundMessage, Logger, MessageSource, SendTarget } from '../transport/types.js';
import type { TransportLayer } from '../transport/index.js';
import { ClientTransaction, type ClientHandlers, type ClientTransactionHost } from './client.js';
import { LingeringClient, LingeringServer, type Lingering, type LingeringHost } from './lingering.js';
import { ServerTransaction, type ServerTransactionHost } from './server.js';
import { TimerQueues, type TimerTarget } from './timer-queue.js';
import type { TimerSettings } from './timers.js';

/** What the transaction user (the UA core) receives. */
export interface TransactionUser {
  /** A new request with its server transaction (not ACK). */
  onRequest(request: SipRequest, tx: ServerTransaction): void;
  /** An ACK that matched no server transaction: the ACK for a 2xx (§17.2.3, §13.3.1.4). */
  onAck(ack: SipRequest, source: MessageSource): void;
  /** A CANCEL matched this INVITE transaction; the layer already answered the CANCEL 200. */
  onCancel(invite: ServerTransaction, cancel: SipRequest): void;
  /** A response that matched no client transaction (e.g. a 2xx retransmission after Timer M). */
  onStrayResponse(response: SipResponse): void;
}

/** RFC 3261 §18.1.1: a request larger than this goes over a congestion-controlled transport. */
const UDP_MTU_LIMIT = 1300;

export class TransactionLayer implements ClientTransactionHost, ServerTransactionHost, LingeringHost {
  /** Live transactions, and the lean records of ended ones waiting out their last timer. */
  private readonly servers = new Map<string, ServerTransaction | LingeringServer>();
  private readonly clients = new Map<string, ClientTransaction | LingeringClient>();
  private readonly timerQueues = new TimerQueues();
  user?: TransactionUser;

  constructor(
    readonly transport: TransportLayer,
    readonly timers: TimerSettings,
    private readonly log: Logger,
  ) {
    transport.on('message', (m) => this.receive(m));
  }

  get counts(): { servers: number; clients: number } {
    return { servers: this.servers.size, clients: this.clients.size };
  }

  // ------------------------------------------------------------------ inbound

  private receive(inbound: InboundMessage): void {
    const parsed = parseMessage(inbound.data);
    if (!parsed.ok) {
      // Without a usable Via there is nowhere to route a response (§18.2.2): drop instead.
      if (parsed.request && parsed.request.method !== 'ACK' && parsed.request.topVia) {
        this.log.info({ remote: inbound.remote, reason: parsed.reason }, 'rejecting malformed request');
        const response = makeResponse(parsed.request, parsed.status, { reason: parsed.reason });
        this.sendWire(this.responseTarget(parsed.request, inbound), response.toBuffer());
      } else {
        this.log.debug({ remote: inbound.remote, reason: parsed.reason }, 'dropping malformed message');
      }
      return;
    }
    const message = parsed.message;
    // Transactions keep where a message came from, not its bytes.
    const source: MessageSource = { protocol: inbound.protocol, remote: inbound.remote, local: inbound.local, connectionId: inbound.connectionId };
    if (message.isRequest) this.receiveRequest(message as SipRequest, source);
    else this.receiveResponse(message as SipResponse);
  }

  private receiveRequest(request: SipRequest, source: MessageSource): void {
    stampVia(request, source);
    const method = request.method;
    if (method === 'ACK') {
      const tx = this.servers.get(serverKey(request, 'INVITE'));
      if (tx) tx.onAck();
      else this.user?.onAck(request, source);
      return;
    }
    if (method === 'CANCEL') {
      this.receiveCancel(request, source);
      return;
    }
    const key = serverKey(request, method);
    const existing = this.servers.get(key);
    if (existing) {
      existing.onRetransmission();
      return;
    }
    const tx = new ServerTransaction(this, key, request, source);
    this.servers.set(key, tx);
    if (method === 'INVITE') tx.scheduleTrying(() => makeResponse(request, 100));
    this.dispatch(() => this.user?.onRequest(request, tx), tx, request);
  }

  private receiveCancel(cancel: SipRequest, source: MessageSource): void {
    const key = serverKey(cancel, 'CANCEL');
    const existing = this.servers.get(key);
    if (existing) {
      existing.onRetransmission();
      return;
    }
    const tx = new ServerTransaction(this, key, cancel, source);
    this.servers.set(key, tx);
    const invite = this.servers.get(serverKey(cancel, 'INVITE'));
    // RFC 3261 §9.2: a CANCEL matching no transaction gets 481; one matching a transaction
    // that already answered gets 200 and changes nothing.
    if (!invite) {
      tx.respond(makeResponse(cancel, 481));
      return;
    }
    tx.respond(makeResponse(cancel, 200));
    if (invite instanceof LingeringServer || invite.finalStatus !== undefined) return;
    this.dispatch(() => this.user?.onCancel(invite, cancel), invite, cancel);
  }

  /** Runs TU code; if it throws, the request still gets an answer and the stack keeps serving. */
  private dispatch(fn: () => void, tx: ServerTransaction, request: SipRequest): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err, callId: request.callId }, 'request handler threw');
      if (tx.finalStatus === undefined) tx.respond(makeResponse(tx.request, 500));
    }
  }

  private receiveResponse(response: SipResponse): void {
    const via = response.topVia;
    const cseq = response.cseq;
    const tx = via && cseq ? this.clients.get(clientKey(via.params.get('branch') ?? '', cseq.method)) : undefined;
    try {
      if (tx) tx.receive(response);
      else this.user?.onStrayResponse(response);
    } catch (err) {
      this.log.error({ err, callId: response.callId }, 'response handler threw');
    }
  }

  // ----------------------------------------------------------------- outbound

  /**
   * Sends a request in a new client transaction. Adds the top Via (our sent-by, a fresh
   * branch) and moves the request to TCP when it is too large for UDP (§18.1.1).
   */
  request(request: SipRequest, target: SendTarget, handlers: ClientHandlers): ClientTransaction {
    const branch = newBranch();
    const { wire, chosen } = this.serializeWithVia(request, target, branch);
    return this.startClient(request, chosen, branch, handlers, wire);
  }

  /** CANCEL travels in its own transaction with the INVITE's Via and branch (RFC 3261 §9.1). */
  cancel(invite: ClientTransaction, cancel: SipRequest, handlers: ClientHandlers): ClientTransaction {
    const via = invite.request.topVia!;
    cancel.set('via', invite.request.lines('via')[0]);
    invite.cancelSent();
    return this.startClient(cancel, invite.target, via.params.get('branch') ?? '', handlers, cancel.toBuffer());
  }

  private startClient(request: SipRequest, target: SendTarget, branch: string, handlers: ClientHandlers, wire: Buffer): ClientTransaction {
    const tx = new ClientTransaction(this, clientKey(branch, request.method), request, target, handlers, wire);
    this.clients.set(tx.key, tx);
    tx.start();
    return tx;
  }

  /** Sends a request outside any transaction: the ACK for a 2xx (§13.2.2.4). */
  sendStateless(request: SipRequest, target: SendTarget): void {
    const { wire, chosen } = this.serializeWithVia(request, target, newBranch());
    this.sendWire(chosen, wire);
  }

  /** Adds our Via and serializes; a UDP request over the MTU limit is redone for TCP. */
  private serializeWithVia(request: SipRequest, target: SendTarget, branch: string): { wire: Buffer; chosen: SendTarget } {
    this.addVia(request, target, branch, false);
    const wire = request.toBuffer();
    if (target.protocol !== 'udp' || wire.length <= UDP_MTU_LIMIT) return { wire, chosen: target };
    const chosen: SendTarget = { protocol: 'tcp', address: target.address, port: target.port };
    this.addVia(request, chosen, branch, true);
    return { wire: request.toBuffer(), chosen };
  }

  private addVia(request: SipRequest, target: SendTarget, branch: string, replaceTop: boolean): void {
    const params = new Params(['branch', branch, 'rport', null]);
    const via = formatVia({ protocol: 'SIP/2.0', transport: target.protocol.toUpperCase(), host: this.transport.host, port: this.transport.localPort, params });
    if (replaceTop) request.set('via', [via, ...request.lines('via').slice(1)]);
    else request.add('via', via, true);
  }

  /** Sends bytes; the transport logs a failure (and tells `onError`). */
  sendWire(target: SendTarget, wire: Buffer, onError?: (err: Error) => void): void {
    this.transport.send(target, wire, onError);
  }

  /**
   * Where responses go, per RFC 3261 §18.2.2 and RFC 3581 §4: back on the connection the
   * request came on, or over UDP to the source address, port from rport when asked for.
   */
  responseTarget(request: SipRequest, source: MessageSource): SendTarget {
    const via = request.topVia;
    let port = source.remote.port;
    // Over TCP the connection id wins while it is open; if it closed, connect to the sent-by port.
    if (via && (source.protocol !== 'udp' || !via.params.has('rport'))) port = via.port ?? 5060;
    return { protocol: source.protocol, address: source.remote.address, port, connectionId: source.connectionId };
  }

  startTimer(ms: number, target: TimerTarget, kind: number): number {
    return this.timerQueues.start(ms, target, kind);
  }

  removeServer(tx: ServerTransaction): void {
    if (this.servers.get(tx.key) === tx) this.servers.delete(tx.key);
  }

  lingerServer(tx: ServerTransaction, ms: number, wire: string, target: SendTarget | undefined, onEnd: (() => void) | undefined): void {
    if (this.servers.get(tx.key) !== tx) return;
    const record = new LingeringServer(this, tx.key, wire, wire ? target : undefined, onEnd);
    this.servers.set(tx.key, record);
    this.timerQueues.start(ms, record, 0);
  }

  onRetransmitted2xx(response: SipResponse): void {
    this.user?.onStrayResponse(response);
  }

  removeClient(tx: ClientTransaction): void {
    if (this.clients.get(tx.key) === tx) this.clients.delete(tx.key);
  }

  lingerClient(tx: ClientTransaction, ms: number, wire: string, accepted: boolean): void {
    if (this.clients.get(tx.key) !== tx) return;
    const record = new LingeringClient(this, tx.key, wire, wire ? tx.target : undefined, accepted);
    this.clients.set(tx.key, record);
    this.timerQueues.start(ms, record, 0);
  }

  forget(record: Lingering): boolean {
    // Nothing else is stored under a lingering record's key while it is there (a request or
    // response with that key is the record's), so deleting the key deletes the record.
    return (record instanceof LingeringServer ? this.servers : this.clients).delete(record.key);
  }

  /** Ends every transaction (shutdown). */
  clear(): void {
    for (const tx of [...this.servers.values()]) tx.terminate();
    for (const tx of [...this.clients.values()]) tx.terminate();
    this.timerQueues.stop();
  }
}

function clientKey(branch: string, method: string): string {
  return branch + '|' + method;
}

/**
 * Server transaction key (§17.2.3): branch + sent-by + method, with ACK matching INVITE.
 * Requests without the magic cookie (RFC 2543 peers) are keyed on the dialog-ish fields.
 */
function serverKey(request: SipRequest, method: string): string {
  const via = request.topVia!;
  const branch = via.params.get('branch') ?? '';
  const sentBy = via.host + ':' + (via.port ?? 5060);
  // join() makes a flat copy: a concatenation would keep views of the request text (the
  // branch is a substring of it) and so the whole text alive as long as the transaction.
  if (branch.startsWith(MAGIC_COOKIE)) return [branch, sentBy, method].join('|');
  return ['2543', request.uri, request.fromTag, request.callId, request.cseq!.seq, sentBy, branch, method].join('|');
}

/** RFC 3261 §18.2.1 `received` and RFC 3581 §4 `rport` on the top Via of what we receive. */
function stampVia(request: SipRequest, source: MessageSource): void {
  const via = request.topVia!;
  const addressDiffers = via.host !== source.remote.address;
  const wantsRport = via.params.has('rport') && via.params.get('rport') === null;
  if (!addressDiffers && !wantsRport) return;
  if (addressDiffers || wantsRport) via.params.set('received', source.remote.address);
  if (wantsRport) via.params.set('rport', String(source.remote.port));
  const lines = [...request.lines('via')];
  const rest = lines[0].indexOf(',') >= 0 ? request.getAll('via').slice(1) : [];
  lines[0] = [formatVia(via), ...rest].join(', ');
  request.set('via', lines);
}
