// Server transactions (RFC 3261 §17.2, with the Accepted state of RFC 6026 §7.1).
import type { SipRequest, SipResponse } from '../message.js';
import type { InboundMessage } from '../transport/types.js';
import type { TimerSettings } from './timers.js';

export type ServerState = 'trying' | 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated';

/** What a server transaction needs from the layer that owns it. */
export interface ServerTransactionHost {
  readonly timers: TimerSettings;
  sendResponse(response: SipResponse, source: InboundMessage): void;
  removeServer(tx: ServerTransaction): void;
}

export class ServerTransaction {
  state: ServerState;
  readonly isInvite: boolean;
  private lastResponse?: SipResponse;
  private retransmitTimer?: NodeJS.Timeout;
  private endTimer?: NodeJS.Timeout;
  /** Set when a CANCEL for this INVITE arrived (RFC 3261 §9.2). */
  cancelled = false;
  /** Called once when the transaction ends, so the TU can drop what it keyed on it. */
  onTerminated?: () => void;

  constructor(
    private readonly host: ServerTransactionHost,
    readonly key: string,
    readonly request: SipRequest,
    readonly source: InboundMessage,
  ) {
    this.isInvite = request.method === 'INVITE';
    this.state = this.isInvite ? 'proceeding' : 'trying';
  }

  get reliable(): boolean {
    return this.source.protocol !== 'udp';
  }

  /** The final status sent, if any. */
  get finalStatus(): number | undefined {
    const s = this.lastResponse?.status;
    return s !== undefined && s >= 200 ? s : undefined;
  }

  /** Sends a response from the TU; ignored once a final response went out. */
  respond(response: SipResponse): boolean {
    if (this.state !== 'trying' && this.state !== 'proceeding') return false;
    this.lastResponse = response;
    this.host.sendResponse(response, this.source);
    const { t1, t2 } = this.host.timers;
    if (response.status < 200) {
      this.state = 'proceeding';
      return true;
    }
    if (!this.isInvite) {
      // Timer J: absorb retransmissions for 64*T1 on unreliable transports (§17.2.2).
      this.state = 'completed';
      this.finishAfter(this.reliable ? 0 : 64 * t1);
    } else if (response.status < 300) {
      // RFC 6026: Accepted state absorbs INVITE retransmissions for Timer L = 64*T1;
      // 2xx retransmission is the UAS core's job (RFC 3261 §13.3.1.4).
      this.state = 'accepted';
      this.finishAfter(64 * t1);
    } else {
      this.state = 'completed';
      // Timer G retransmits the final response until ACK, Timer H gives up (§17.2.1).
      if (!this.reliable) this.scheduleRetransmit(t1, t2);
      this.endTimer = setTimeout(() => this.terminate(), 64 * t1);
    }
    return true;
  }

  private scheduleRetransmit(interval: number, cap: number): void {
    this.retransmitTimer = setTimeout(() => {
      if (this.state !== 'completed' || !this.lastResponse) return;
      this.host.sendResponse(this.lastResponse, this.source);
      this.scheduleRetransmit(Math.min(interval * 2, cap), cap);
    }, interval);
  }

  /** A retransmitted request: repeat the last response (§17.2.1, §17.2.2). */
  onRetransmission(): void {
    if (this.lastResponse && (this.state === 'proceeding' || this.state === 'completed')) {
      this.host.sendResponse(this.lastResponse, this.source);
    }
  }

  /** Resends the 2xx while the UAS core waits for its ACK (RFC 3261 §13.3.1.4). */
  resendAccepted(): void {
    if (this.state === 'accepted' && this.lastResponse) this.host.sendResponse(this.lastResponse, this.source);
  }

  /** ACK for a non-2xx final response: stop retransmitting, wait Timer I (§17.2.1). */
  onAck(): void {
    if (this.state !== 'completed' || !this.isInvite) return;
    this.state = 'confirmed';
    clearTimeout(this.retransmitTimer);
    clearTimeout(this.endTimer);
    this.finishAfter(this.reliable ? 0 : this.host.timers.t4);
  }

  private finishAfter(ms: number): void {
    clearTimeout(this.endTimer);
    if (ms === 0) this.terminate();
    else this.endTimer = setTimeout(() => this.terminate(), ms);
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    clearTimeout(this.retransmitTimer);
    clearTimeout(this.endTimer);
    this.host.removeServer(this);
    this.onTerminated?.();
  }
}
