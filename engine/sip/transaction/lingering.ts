// What stays of a transaction once its user has its final answer and only its last timer
// remains (RFC 3261 Timers D, J, K; RFC 6026 Timers L, M). Under load tens of thousands of
// transactions wait out 64 × T1 = 32 s after their call; each keeps just its key and, where
// a retransmission must be answered, the bytes of the answer and where they go, instead of
// the whole transaction with its request's source, targets, timers and callbacks.
import type { SipResponse } from '../message.js';
import type { SendTarget } from '../transport/types.js';
import type { TimerTarget } from './timer-queue.js';

/** What a lingering transaction needs from the layer that owns it. */
export interface LingeringHost {
  sendWire(target: SendTarget, wire: Buffer): void;
  /** Forgets the record (its timer ran out, or shutdown); false if it was already forgotten. */
  forget(record: Lingering): boolean;
  /** A 2xx retransmission matched an Accepted client INVITE: the UA core ACKs it again (§13.2.2.4). */
  onRetransmitted2xx(response: SipResponse): void;
}

/** A record's fields are all it costs (8 bytes each on 64-bit Node): none beyond what it needs. */
export abstract class Lingering implements TimerTarget {
  constructor(
    protected readonly host: LingeringHost,
    readonly key: string,
    /** What a retransmission is answered with, as a latin1 string (see ServerTransaction.lastWire); '' for nothing. */
    private readonly wire: string,
    private readonly target: SendTarget | undefined,
  ) {}

  protected repeat(): void {
    if (this.wire && this.target) this.host.sendWire(this.target, Buffer.from(this.wire, 'latin1'));
  }

  onTimer(): void {
    this.terminate();
  }

  terminate(): void {
    this.host.forget(this);
  }
}

/**
 * A server transaction in Completed after a non-INVITE final (Timer J, §17.2.2: a
 * retransmitted request gets the final again) or in Accepted (Timer L, RFC 6026 §7.1: a
 * retransmitted INVITE is absorbed without an answer; the UAS core resends the 2xx itself).
 */
export class LingeringServer extends Lingering {
  constructor(
    host: LingeringHost,
    key: string,
    wire: string,
    target: SendTarget | undefined,
    /** Called once when the record ends (the server transaction's onTerminated). */
    private readonly onEnd: (() => void) | undefined,
  ) {
    super(host, key, wire, target);
  }

  override terminate(): void {
    if (this.host.forget(this)) this.onEnd?.();
  }

  onRetransmission(): void {
    this.repeat();
  }

  /** An ACK matching an ended transaction changes nothing. */
  onAck(): void {}
}

/**
 * A client transaction after its final response: INVITE Accepted (Timer M, RFC 6026 §7.2:
 * 2xx retransmissions go to the UA core), INVITE Completed (Timer D, §17.1.1.2: a
 * retransmitted non-2xx final is ACKed again) or non-INVITE Completed (Timer K, §17.1.2.2:
 * retransmitted finals are absorbed).
 */
export class LingeringClient extends Lingering {
  constructor(
    host: LingeringHost,
    key: string,
    wire: string,
    target: SendTarget | undefined,
    private readonly accepted: boolean,
  ) {
    super(host, key, wire, target);
  }

  receive(response: SipResponse): void {
    if (this.accepted) {
      if (response.status >= 200 && response.status < 300) this.host.onRetransmitted2xx(response);
    } else if (response.status >= 300) {
      this.repeat();
    }
  }
}
