// A test double of the call layer behind the ACD's AgentDialer port. It behaves like the SIP
// side will: ringing is asynchronous, a phone that never answers rings until the ACD cancels
// it (which the ACD turns into no-answer at the ring timeout), and cancel after a final
// result changes nothing.
import { Acd, type AcdEvent, type AgentDialer, type AttemptResult, type OfferHandle, type OfferRequest, type OfferResult } from '../../../engine/acd/index.js';

export type Phone =
  | { answerAfterMs: number; ignoresCancel?: boolean }
  | { ring: 'forever' }
  | { reply: Exclude<OfferResult, 'answered' | 'cancelled' | 'no-answer'>; afterMs?: number };

export class ScriptedPhones implements AgentDialer {
  readonly phones = new Map<string, Phone>();
  readonly clients = new Map<string, AttemptResult>();
  readonly offers: OfferRequest[] = [];
  readonly dialled: string[] = [];
  /** Answered legs the ACD handed back to hang up. */
  readonly dropped: string[] = [];
  /** How long dialling a client takes. */
  clientDelayMs = 3;

  /** Every extension answers after 5 ms unless told otherwise. */
  set(extension: string, phone: Phone): void {
    this.phones.set(extension, phone);
  }

  offer(req: OfferRequest): OfferHandle {
    this.offers.push(req);
    const phone = this.phones.get(req.agent.extension) ?? { answerAfterMs: 5 };
    let settle!: (r: OfferResult) => void;
    let done = false;
    const result = new Promise<OfferResult>((resolve) => (settle = resolve));
    const finish = (r: OfferResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      settle(r);
    };
    let timer: NodeJS.Timeout | undefined;
    if ('answerAfterMs' in phone) timer = setTimeout(() => finish('answered'), phone.answerAfterMs);
    else if ('reply' in phone) timer = setTimeout(() => finish(phone.reply), phone.afterMs ?? 2);
    const ignoresCancel = 'answerAfterMs' in phone && phone.ignoresCancel === true;
    return {
      result,
      cancel: () => ignoresCancel || setImmediate(() => finish('cancelled')),
      drop: () => this.dropped.push(req.offerId),
    };
  }

  dialClient(_req: OfferRequest, number: string): Promise<AttemptResult> {
    this.dialled.push(number);
    return new Promise((resolve) => setTimeout(() => resolve(this.clients.get(number) ?? 'connected'), this.clientDelayMs));
  }

  /** Extensions offered, in order. */
  offeredTo(): string[] {
    return this.offers.map((o) => o.agent.extension);
  }
}

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Recorder {
  readonly events: AcdEvent[] = [];
  constructor(acd: Acd) {
    acd.on((e) => this.events.push(e));
  }

  of<T extends AcdEvent['type']>(type: T): Extract<AcdEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<AcdEvent, { type: T }> => e.type === type);
  }

  /** Resolves with the first event (already seen or future) that matches; fails after 5 s. */
  async next<T extends AcdEvent['type']>(type: T, match: (e: Extract<AcdEvent, { type: T }>) => boolean = () => true, from = 0): Promise<Extract<AcdEvent, { type: T }>> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const found = this.of(type).find((e, i) => i >= from && match(e));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${type} event within 5 s`);
      await delay(2);
    }
  }
}

export interface Setup {
  acd: Acd;
  phones: ScriptedPhones;
  rec: Recorder;
  /** Moves the ACD's clock forward (it also ticks 1 ms on every reading, to keep order). */
  advance(ms: number): void;
}

/** An ACD with agents a1..aN (extensions 2001..) in group "g", all available, and one queue "q". */
export function setup(queue: Record<string, unknown>, agents = 3, opts: ConstructorParameters<typeof Acd>[0] = {}): Setup {
  let t = 1_000_000;
  const acd = new Acd({ now: () => (t += 1), ...opts });
  const advance = (ms: number) => void (t += ms);
  const rec = new Recorder(acd);
  const phones = new ScriptedPhones();
  acd.defineQueue({ id: 'q', groups: ['g'], wrapUpMs: 0, ringTimeoutMs: 80, ...queue });
  for (let i = 1; i <= agents; i++) {
    acd.defineAgent({ id: `a${i}`, extension: String(2000 + i), groups: ['g'], skills: {} });
    acd.setState(`a${i}`, 'available');
  }
  acd.attachDialer(phones);
  return { acd, phones, rec, advance };
}

let callSeq = 0;
export function call(from = '+15550001', extra: Record<string, unknown> = {}) {
  return { callId: `c${++callSeq}`, from, dnis: '8800', ...extra };
}
