// Server transactions (RFC 3261 §17.2, with the Accepted state of RFC 6026 §7.1).
import type { SipRequest, SipResponse } from '../message.js';
import type { MessageSource, SendTarget } from '../transport/types.js';
import { TimerRelay, type TimerTarget } from './timer-queue.js';
import type { TimerSettings } from './timers.js';

// Timer kinds (TimerTarget.onTimer).
const TRYING = 0;
const RETRANSMIT = 1; // Timer G
const END = 2; // Timers H, I (J and L run on the lean record, lingering.ts)

export type ServerState = 'trying' | 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated';

/** What a server transaction needs from the layer that owns it. */
export interface ServerTransactionHost {
  readonly timers: TimerSettings;
  /** Where responses to this request go (RFC 3261 §18.2.2, RFC 3581 §4). */
  responseTarget(request: SipRequest, source: MessageSource): SendTarget;
  sendWire(target: SendTarget, wire: Buffer): void;
  removeServer(tx: ServerTransaction): void;
  /**
   * The transaction only waits out its last timer (`ms`): the layer puts a lean record in its
   * place that answers a retransmitted request with `wire` ('' for none) and calls `onEnd`
   * when the timer ran out.
   */
  lingerServer(tx: ServerTransaction, ms: number, wire: string, target: SendTarget | undefined, onEnd: (() => void) | undefined): void;
  /** Calls target.onTimer(kind, due) after `ms`; returns `due`. */
  startTimer(ms: number, target: TimerTarget, kind: number): number;
}

export class ServerTransaction implements TimerTarget {
  state: ServerState;
  readonly isInvite: boolean;
  private lastStatus = 0;
  /**
   * The last response as sent, for retransmissions: its bytes as a latin1 string (which
   * maps every byte to one character and back). Small Buffers are views of shared 8 KiB
   * pool slabs, so one kept for the 64 × T1 a transaction lingers would keep its whole slab,
   * and with it everything else allocated there, alive; a string holds just its bytes.
   */
  private lastWire = '';
  private target?: SendTarget;
  /** Timer G's current interval. */
  private retransmitInterval = 0;
  private tryingMaker?: () => SipResponse;
  /** What the queue holds for the 100's 200 ms: let go at the first response, so an answered transaction is not kept that long. */
  private trying?: TimerRelay;
  /** Due time of the end timer that applies (0: none); an earlier one that fires is ignored. */
  private endDue = 0;
  /** The request, until the final response: afterwards only its bytes-level echo is needed. */
  private req?: SipRequest;
  /** Called once the final response went out (CANCEL can no longer affect the request). */
  onFinalResponse?: () => void;
  /** Called once when the transaction ends, so the TU can drop what it keyed on it. */
  onTerminated?: () => void;

  constructor(
    private readonly host: ServerTransactionHost,
    readonly key: string,
    request: SipRequest,
    readonly source: MessageSource,
  ) {
    this.req = request;
    this.isInvite = request.method === 'INVITE';
    this.state = this.isInvite ? 'proceeding' : 'trying';
  }

  /**
   * The request this transaction serves. Released after the final response, since a
   * transaction lingers 32 s after it (Timers J/L) and holding every parsed request that long
   * is most of the engine's memory under load.
   */
  get request(): SipRequest {
    if (!this.req) throw new Error('server transaction request released after the final response');
    return this.req;
  }

  get reliable(): boolean {
    return this.source.protocol !== 'udp';
  }

  /** The final status sent, if any. */
  get finalStatus(): number | undefined {
    return this.lastStatus >= 200 ? this.lastStatus : undefined;
  }

  /**
   * RFC 3261 §17.2.1: a 100 is due only if the TU has not answered within 200 ms; most
   * calls get their 180/200 sooner, which saves a datagram per call.
   */
  scheduleTrying(makeTrying: () => SipResponse): void {
    this.trying = new TimerRelay(this);
    this.host.startTimer(200, this.trying, TRYING);
    this.tryingMaker = makeTrying;
  }

  onTimer(kind: number, due: number): void {
    if (this.state === 'terminated') return;
    if (kind === TRYING) {
      if (this.lastStatus === 0 && this.tryingMaker) this.respond(this.tryingMaker());
    } else if (kind === RETRANSMIT) {
      if (this.state !== 'completed') return;
      this.transmit();
      this.scheduleRetransmit(Math.min(this.retransmitInterval * 2, this.host.timers.t2));
    } else if (due === this.endDue) {
      this.terminate();
    }
  }

  /** Resends the last response. */
  private transmit(): void {
    this.send(Buffer.from(this.lastWire, 'latin1'));
  }

  private send(wire: Buffer): void {
    this.target ??= this.host.responseTarget(this.request, this.source);
    this.host.sendWire(this.target, wire);
  }

  /** Sends a response from the TU; ignored once a final response went out. */
  respond(response: SipResponse): boolean {
    if (this.state !== 'trying' && this.state !== 'proceeding') return false;
    this.lastStatus = response.status;
    this.stopTrying();
    const wire = response.toBuffer();
    this.lastWire = wire.toString('latin1');
    this.send(wire);
    const { t1 } = this.host.timers;
    if (response.status < 200) {
      this.state = 'proceeding';
      return true;
    }
    this.req = undefined;
    this.tryingMaker = undefined;
    const onFinal = this.onFinalResponse;
    this.onFinalResponse = undefined;
    onFinal?.();
    if (!this.isInvite) {
      // Timer J: absorb retransmissions for 64*T1 on unreliable transports (§17.2.2).
      this.state = 'completed';
      if (this.reliable) this.terminate();
      else this.linger(64 * t1, this.lastWire);
    } else if (response.status < 300) {
      // RFC 6026: Accepted state absorbs INVITE retransmissions for Timer L = 64*T1;
      // 2xx retransmission is the UAS core's job (RFC 3261 §13.3.1.4), through this object
      // (resendAccepted) for as long as it holds it.
      this.state = 'accepted';
      this.linger(64 * t1, '');
    } else {
      this.state = 'completed';
      // Timer G retransmits the final response until ACK, Timer H gives up (§17.2.1).
      if (!this.reliable) this.scheduleRetransmit(t1);
      this.finishAfter(64 * t1);
    }
    return true;
  }

  /**
   * Hands the wait for the last timer to a lean record (lingering.ts); nothing of the layer
   * refers to this object any more, so it goes as soon as the TU lets go of it.
   */
  private linger(ms: number, wire: string): void {
    const onEnd = this.onTerminated;
    this.onTerminated = undefined;
    this.host.lingerServer(this, ms, wire, this.target, onEnd);
  }

  private scheduleRetransmit(interval: number): void {
    this.retransmitInterval = interval;
    this.host.startTimer(interval, this, RETRANSMIT);
  }

  /** A retransmitted request: repeat the last response (§17.2.1, §17.2.2). */
  onRetransmission(): void {
    if (this.lastStatus === 0) {
      // The caller is retransmitting before our deferred 100: send it now.
      if (this.tryingMaker) this.respond(this.tryingMaker());
      return;
    }
    if (this.state === 'proceeding' || this.state === 'completed') this.transmit();
  }

  /** Resends the 2xx while the UAS core waits for its ACK (RFC 3261 §13.3.1.4). */
  resendAccepted(): void {
    if (this.state === 'accepted' && this.lastWire) this.transmit();
  }

  /**
   * The UAS core no longer retransmits the 2xx (its ACK came, or it gave up). Until Timer L
   * the transaction only absorbs retransmitted INVITEs, without answering them (RFC 6026
   * §7.1), so the 2xx's bytes (the largest thing a lingering call keeps) are dropped now.
   */
  releaseAccepted(): void {
    if (this.state === 'accepted') this.lastWire = '';
  }

  /** ACK for a non-2xx final response: stop retransmitting, wait Timer I (§17.2.1). */
  onAck(): void {
    if (this.state !== 'completed' || !this.isInvite) return;
    this.state = 'confirmed';
    this.finishAfter(this.reliable ? 0 : this.host.timers.t4);
  }

  private finishAfter(ms: number): void {
    if (ms === 0) this.terminate();
    else this.endDue = this.host.startTimer(ms, this, END);
  }

  private stopTrying(): void {
    if (this.trying) this.trying.target = undefined;
    this.trying = undefined;
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.tryingMaker = undefined;
    this.stopTrying();
    this.host.removeServer(this);
    this.onTerminated?.();
  }
}
