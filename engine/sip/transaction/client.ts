// Client transactions (RFC 3261 §17.1, with the Accepted state of RFC 6026 §7.2).
import { SipRequest, type SipResponse } from '../message.js';
import type { SendTarget } from '../transport/types.js';
import type { TimerTarget } from './timer-queue.js';
import type { TimerSettings } from './timers.js';

// Timer kinds (TimerTarget.onTimer).
const RETRANSMIT = 0; // Timers A, E
const TIMEOUT = 1; // Timers B, F, and the 64*T1 after a CANCEL
const END = 2; // Timers D, K, M

const EMPTY = Buffer.alloc(0);

export type ClientState = 'calling' | 'trying' | 'proceeding' | 'completed' | 'accepted' | 'terminated';

export interface ClientTransactionHost {
  readonly timers: TimerSettings;
  sendWire(target: SendTarget, wire: Buffer, onError?: (err: Error) => void): void;
  removeClient(tx: ClientTransaction): void;
  /** A 2xx retransmission in the Accepted state: the UA core ACKs it again (§13.2.2.4). */
  onRetransmitted2xx(response: SipResponse): void;
  /** Calls target.onTimer(kind, due) after `ms`; returns `due`. */
  startTimer(ms: number, target: TimerTarget, kind: number): number;
}

/** What the transaction user hears from a client transaction. */
export interface ClientHandlers {
  /** Every response that passes the transaction: provisionals, the final, and 2xx retransmissions. */
  onResponse(response: SipResponse): void;
  /** Timer B/F fired, or the transport failed: the TU treats it as a 408/503 (§8.1.3.1). */
  onFailure(status: 408 | 503, reason: string): void;
}

export class ClientTransaction implements TimerTarget {
  state: ClientState;
  readonly isInvite: boolean;
  /** Timer A/E's current interval. */
  private retransmitInterval = 0;
  /** Due time of the timeout that applies (0: none); an earlier one that fires is ignored. */
  private timeoutDue = 0;
  /**
   * The ACK for a non-2xx final, resent for every retransmitted final: its bytes as a latin1
   * string, since a small Buffer would keep a whole shared pool slab alive through Timer D
   * (32 s; see ServerTransaction.lastWire).
   */
  private ackWire = '';

  constructor(
    private readonly host: ClientTransactionHost,
    readonly key: string,
    request: SipRequest,
    readonly target: SendTarget,
    private handlers: ClientHandlers | undefined,
    /** The request as bytes, serialized once and reused for retransmissions. */
    private wire: Buffer = request.toBuffer(),
  ) {
    this.req = request;
    this.isInvite = request.method === 'INVITE';
    this.state = this.isInvite ? 'calling' : 'trying';
  }

  private req?: SipRequest;

  /** The request, until the final response (released then: the transaction lingers 32 s). */
  get request(): SipRequest {
    if (!this.req) throw new Error('client transaction request released after the final response');
    return this.req;
  }

  get reliable(): boolean {
    return this.target.protocol !== 'udp';
  }

  start(): void {
    const { t1 } = this.host.timers;
    this.transmit();
    if (!this.reliable) this.scheduleRetransmit(t1);
    // Timer B / Timer F.
    this.timeoutDue = this.host.startTimer(64 * t1, this, TIMEOUT);
  }

  onTimer(kind: number, due: number): void {
    if (kind === RETRANSMIT) this.retransmit();
    else if (kind === TIMEOUT) {
      if (due === this.timeoutDue) this.fail(408, 'Request Timeout');
    } else this.terminate();
  }

  private transmit(): void {
    this.host.sendWire(this.target, this.wire, (err) => this.fail(503, `Transport Error: ${err.message}`));
  }

  private scheduleRetransmit(interval: number): void {
    this.retransmitInterval = interval;
    this.host.startTimer(interval, this, RETRANSMIT);
  }

  private retransmit(): void {
    if (this.state !== 'calling' && this.state !== 'trying' && this.state !== 'proceeding') return;
    // INVITE retransmissions stop at the first provisional (§17.1.1.2).
    if (this.isInvite && this.state === 'proceeding') return;
    this.transmit();
    const { t2 } = this.host.timers;
    // Timer A doubles without cap; Timer E caps at T2, and after a provisional is T2 (§17.1.2.2).
    const doubled = this.retransmitInterval * 2;
    this.scheduleRetransmit(this.isInvite ? doubled : this.state === 'proceeding' ? t2 : Math.min(doubled, t2));
  }

  private fail(status: 408 | 503, reason: string): void {
    if (this.state === 'terminated' || this.state === 'completed' || this.state === 'accepted') return;
    const handlers = this.handlers;
    this.terminate();
    handlers?.onFailure(status, reason);
  }

  receive(response: SipResponse): void {
    const status = response.status;
    switch (this.state) {
      case 'calling':
      case 'trying':
      case 'proceeding':
        if (status < 200) {
          // Timer B guards only the Calling state (§17.1.1.2); a ringing INVITE waits for its
          // final response as long as the TU wants (Timer F keeps running for non-INVITE).
          if (this.isInvite) this.timeoutDue = 0;
          this.state = 'proceeding';
          this.handlers?.onResponse(response);
          return;
        }
        this.timeoutDue = 0;
        if (this.isInvite && status < 300) {
          // Timer M = 64*T1: keep matching retransmitted 2xx and hand them to the TU (RFC 6026 §7.2).
          this.state = 'accepted';
          this.endAfter(64 * this.host.timers.t1);
        } else if (this.isInvite) {
          // ACK for a non-2xx final, sent by the transaction itself (§17.1.1.3); Timer D.
          this.state = 'completed';
          const ack = buildNon2xxAck(this.request, response).toBuffer();
          this.ackWire = ack.toString('latin1');
          this.host.sendWire(this.target, ack);
          this.endAfter(this.reliable ? 0 : 32000);
        } else {
          // Timer K absorbs response retransmissions (§17.1.2.2).
          this.state = 'completed';
          this.endAfter(this.reliable ? 0 : this.host.timers.t4);
        }
        this.req = undefined;
        this.wire = EMPTY;
        this.handlers?.onResponse(response);
        // The TU has its final answer; what lingers (Timers D/K/M) needs no callbacks, and
        // dropping them frees the whole call they close over 32 s sooner.
        this.handlers = undefined;
        return;
      case 'accepted':
        if (status >= 200 && status < 300) this.host.onRetransmitted2xx(response);
        return;
      case 'completed':
        // A retransmitted non-2xx final: ACK it again, don't bother the TU.
        if (this.ackWire && status >= 300) this.host.sendWire(this.target, Buffer.from(this.ackWire, 'latin1'));
        return;
      default:
        return;
    }
  }

  /**
   * The TU sent a CANCEL for this INVITE: if no final response arrives within 64*T1 the
   * transaction is considered cancelled and destroyed (§9.1).
   */
  cancelSent(): void {
    if (this.state !== 'calling' && this.state !== 'proceeding') return;
    this.timeoutDue = this.host.startTimer(64 * this.host.timers.t1, this, TIMEOUT);
  }

  private endAfter(ms: number): void {
    if (ms === 0) this.terminate();
    else this.host.startTimer(ms, this, END);
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.timeoutDue = 0;
    this.host.removeClient(this);
  }
}

/** ACK for a non-2xx final response (RFC 3261 §17.1.1.3): same branch and Request-URI. */
export function buildNon2xxAck(invite: SipRequest, response: SipResponse): SipRequest {
  const ack = new SipRequest('ACK', invite.uri);
  ack.set('via', invite.lines('via')[0]);
  for (const name of ['route', 'from', 'call-id', 'max-forwards']) {
    const lines = invite.lines(name);
    if (lines.length) ack.set(name, [...lines]);
  }
  ack.set('to', response.get('to') ?? invite.get('to') ?? '');
  ack.set('cseq', `${invite.cseq?.seq ?? 1} ACK`);
  return ack;
}
