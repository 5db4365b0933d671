// Client transactions (RFC 3261 §17.1, with the Accepted state of RFC 6026 §7.2).
import { SipRequest, type SipResponse } from '../message.js';
import type { SendTarget } from '../transport/types.js';
import { TimerRelay, type TimerTarget } from './timer-queue.js';
import type { TimerSettings } from './timers.js';

// Timer kinds (TimerTarget.onTimer).
const RETRANSMIT = 0; // Timers A, E
const TIMEOUT = 1; // Timers B, F, and the 64*T1 after a CANCEL (Timers D, K, M run on the lean record, lingering.ts)

const EMPTY = Buffer.alloc(0);

export type ClientState = 'calling' | 'trying' | 'proceeding' | 'completed' | 'accepted' | 'terminated';

export interface ClientTransactionHost {
  readonly timers: TimerSettings;
  sendWire(target: SendTarget, wire: Buffer, onError?: (err: Error) => void): void;
  removeClient(tx: ClientTransaction): void;
  /**
   * The transaction has its final response and only waits out its last timer (`ms`): the
   * layer puts a lean record in its place that resends `wire` ('' for none) to the target for
   * a retransmitted non-2xx final, or hands retransmitted 2xx to the UA core if `accepted`.
   */
  lingerClient(tx: ClientTransaction, ms: number, wire: string, accepted: boolean): void;
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
   * Timers B and F run 64 × T1 from the request, long after most transactions ended: the
   * queue holds this relay, which lets go of the transaction when it ends.
   */
  private readonly timeouts = new TimerRelay(this);

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
    this.timeoutDue = this.host.startTimer(64 * t1, this.timeouts, TIMEOUT);
  }

  onTimer(kind: number, due: number): void {
    if (kind === RETRANSMIT) this.retransmit();
    else if (due === this.timeoutDue) this.fail(408, 'Request Timeout');
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
          this.linger(64 * this.host.timers.t1, '', true);
        } else if (this.isInvite) {
          // ACK for a non-2xx final, sent by the transaction itself (§17.1.1.3); Timer D
          // resends it for every retransmitted final. Kept as a latin1 string: a small Buffer
          // would keep a whole shared pool slab alive for 32 s (see ServerTransaction.lastWire).
          this.state = 'completed';
          const ack = buildNon2xxAck(this.request, response).toBuffer();
          this.host.sendWire(this.target, ack);
          if (this.reliable) this.terminate();
          else this.linger(32000, ack.toString('latin1'), false);
        } else {
          // Timer K absorbs response retransmissions (§17.1.2.2).
          this.state = 'completed';
          if (this.reliable) this.terminate();
          else this.linger(this.host.timers.t4, '', false);
        }
        this.req = undefined;
        this.wire = EMPTY;
        this.handlers?.onResponse(response);
        // The TU has its final answer; it may keep this object, which then needs no callbacks:
        // dropping them frees the whole call they close over.
        this.handlers = undefined;
        return;
      default:
        // Ended: the layer no longer routes responses here.
        return;
    }
  }

  /** Hands the wait for the last timer (D, K or M) to a lean record (lingering.ts). */
  private linger(ms: number, wire: string, accepted: boolean): void {
    this.timeouts.target = undefined;
    this.host.lingerClient(this, ms, wire, accepted);
  }

  /**
   * The TU sent a CANCEL for this INVITE: if no final response arrives within 64*T1 the
   * transaction is considered cancelled and destroyed (§9.1).
   */
  cancelSent(): void {
    if (this.state !== 'calling' && this.state !== 'proceeding') return;
    this.timeoutDue = this.host.startTimer(64 * this.host.timers.t1, this.timeouts, TIMEOUT);
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.timeoutDue = 0;
    this.timeouts.target = undefined;
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
