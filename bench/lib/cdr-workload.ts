// A synthetic contact-centre history written straight into an event log as the ACD's journal
// writes it: calls queued, answered, ended, transferred, abandoned, timed out, overflowed to
// another queue or to voicemail, callbacks, and some still waiting — interleaved in time like
// real traffic. Deterministic for a seed, so a test and a bench can rebuild the same log.
import type { AcdEvent } from '../../engine/acd/index.js';
import type { EventLog } from '../../engine/store/event-log.js';

export interface Workload {
  calls: number;
  seed?: number;
  /** Time of the first call (epoch ms). */
  startAt?: number;
  queues?: number;
  agents?: number;
  /** Distinct caller numbers (repeat callers make number search realistic). */
  callers?: number;
}

/** A small PRNG (mulberry32): the same seed gives the same history. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An ACD event without its time and call (distributed over the union, so each keeps its fields). */
type Body = { [K in AcdEvent['type']]: Omit<Extract<AcdEvent, { type: K }>, 'at' | 'callId'> }[AcdEvent['type']];
type Event = Body & { at: number; callId: string };

/** Appends the history's events to `log` (types prefixed "acd.", as AcdJournal does); returns the time after the last call. */
export function writeCalls(log: EventLog, w: Workload): number {
  const rnd = random(w.seed ?? 1);
  const pick = (n: number) => Math.floor(rnd() * n);
  const queues = w.queues ?? 20;
  const agents = w.agents ?? 200;
  const callers = w.callers ?? Math.max(1, Math.floor(w.calls / 5));
  const prefix = `s${w.seed ?? 1}-`;
  const events: Event[] = [];
  let t = w.startAt ?? 1_700_000_000_000;
  for (let i = 0; i < w.calls; i++) {
    t += 1 + pick(3000);
    const callId = `${prefix}${i}`;
    const queueId = `q${pick(queues)}`;
    const agentId = `a${pick(agents)}`;
    const kind = rnd() < 0.03 ? 'callback' : 'call';
    const from = phoneNumber(pick(callers));
    const context = { from, dnis: `8800${pick(5)}`, ivr: {}, attached: {} };
    const push = (at: number, e: Body) => events.push({ ...e, at, callId } as Event);
    push(t, { type: 'call.queued', queueId, kind, priority: 0, context });
    const wait = pick(60_000);
    const talk = 1000 + pick(300_000);
    const answer = (q: string, at: number) => {
      push(at, { type: 'call.offered', queueId: q, agentId, offerId: `${callId}-o` });
      push(at + 1, { type: 'call.answered', queueId: q, agentId, waitMs: at + 1 - t });
    };
    const outcome = rnd();
    if (outcome < 0.62) {
      answer(queueId, t + wait);
      push(t + wait + talk, { type: 'call.ended', queueId, kind, agentId, talkMs: talk });
    } else if (outcome < 0.67) {
      answer(queueId, t + wait);
      push(t + wait + talk, { type: 'call.transferred', queueId, agentId, to: `${1000 + pick(100)}` });
      push(t + wait + talk + 5, { type: 'call.ended', queueId, kind, agentId, talkMs: talk });
    } else if (outcome < 0.79) {
      push(t + wait, { type: 'call.abandoned', queueId, waitMs: wait });
    } else if (outcome < 0.85) {
      push(t + wait, { type: 'call.left', queueId, reason: (['timeout', 'full', 'callback', 'cancelled'] as const)[pick(4)], waitMs: wait });
    } else if (outcome < 0.91) {
      const next = `q${pick(queues)}`;
      push(t + wait, { type: 'call.overflowed', queueId, target: { kind: 'queue', queue: next }, waitMs: wait });
      push(t + wait, { type: 'call.queued', queueId: next, kind, priority: 0, context });
      answer(next, t + wait + 2000);
      push(t + wait + 2000 + talk, { type: 'call.ended', queueId: next, kind, agentId, talkMs: talk });
    } else if (outcome < 0.97) {
      const target = rnd() < 0.5 ? ({ kind: 'voicemail', box: queueId } as const) : ({ kind: 'number', number: '+74950000000' } as const);
      push(t + wait, { type: 'call.overflowed', queueId, target, waitMs: wait });
    } // else: still waiting
  }
  // Stable: one call's events keep their order where they share a millisecond.
  events.sort((a, b) => a.at - b.at);
  for (const e of events) log.append(`acd.${e.type}`, e as unknown as Record<string, unknown>, e.callId, e.at);
  log.flush();
  return t;
}

/** Caller number `n` of the pool, written as people write them: "+7 (9xx) xxx-xx-xx". */
function phoneNumber(n: number): string {
  const d = String(9_000_000_000 + ((n * 7919) % 999_999_999));
  return `+7 (${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6, 8)}-${d.slice(8)}`;
}
