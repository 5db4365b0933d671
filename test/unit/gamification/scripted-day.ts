// A scripted contact-centre day (Tuesday 17 Nov 2026, UTC) and the morning after, written as
// ACD events into a real SQLite event log at the times they happen. The achievements each
// agent earned are computed by hand in achievements.test.ts.
import type { EventLog } from '../../../engine/store/event-log.js';

export const DAY = Date.UTC(2026, 10, 17);
export const NEXT_DAY = DAY + 86_400_000;
const NINE = 9 * 3600_000;

/** Writes the day starting at `day` (UTC midnight) and the morning after. */
export function writeScriptedDay(log: EventLog, day = DAY): void {
  let base = day + NINE;
  const acd = (type: string, s: number, fields: Record<string, unknown> = {}) => {
    const at = base + s * 1000;
    log.append(`acd.${type}`, { type, at, ...fields }, fields.callId as string | undefined, at);
  };
  /** The agent window's topic event: `{ topic }` with the call id (agentId optional). */
  const topic = (callId: string, s: number, text: string, agentId?: string) => log.append('call.topic', { topic: text, ...(agentId ? { agentId } : {}) }, callId, base + s * 1000);
  /** An inbound (or callback) call offered to `agentId` at `s`, settled `ringS` later. */
  const offer = (callId: string, s: number, agentId: string, ringS: number, result: string, kind = 'call') => {
    acd('call.queued', s, { callId, queueId: 'q', kind, priority: 0, context: { from: '+1555', dnis: '100', ivr: {}, attached: {} } });
    acd('call.offered', s, { callId, queueId: 'q', agentId, offerId: `${callId}-${agentId}` });
    acd('call.offer-result', s + ringS, { callId, queueId: 'q', agentId, offerId: `${callId}-${agentId}`, result });
    if (result === 'answered') acd('call.answered', s + ringS, { callId, queueId: 'q', agentId, waitMs: ringS * 1000 });
  };
  const ended = (callId: string, s: number, agentId: string, talkS: number, kind = 'call') => acd('call.ended', s, { callId, queueId: 'q', kind, agentId, talkMs: talkS * 1000 });
  const state = (agentId: string, s: number, to: string, prev: string) => acd('agent.state', s, { agentId, state: to, reason: '', prev });

  // Defined the day before: judging a day reads them as the scene, before the day's window.
  acd('queue.defined', -86_400, { queue: { id: 'q', groups: ['g'], serviceLevelMs: 20_000 } });
  for (const id of ['a1', 'a2', 'a3', 'a4', 'a5']) acd('agent.defined', -86_400, { agent: { id, name: id, extension: id, groups: ['g'], skills: {}, channels: { voice: 1, chat: 1 } } });
  for (const id of ['a1', 'a2', 'a3', 'a5']) state(id, 0, 'available', 'offline'); // a4 stays offline all day

  offer('c1', 10, 'a1', 3, 'answered'); // a1 answers in 3 s
  ended('c1', 73, 'a1', 60);
  topic('c1', 80, 'billing'); // no agentId: belongs to whoever answered c1
  offer('c2', 100, 'a2', 6, 'answered'); // a2 answers in 6 s: too slow for Sprinter
  ended('c2', 306, 'a2', 200);
  topic('c2', 310, 'delivery');
  offer('c3', 400, 'a1', 15, 'no-answer'); // a1 lets it ring out: a missed call
  acd('call.offered', 415, { callId: 'c3', queueId: 'q', agentId: 'a3', offerId: 'c3-a3' });
  acd('call.offer-result', 417, { callId: 'c3', queueId: 'q', agentId: 'a3', offerId: 'c3-a3', result: 'answered' }); // a3: 2 s
  acd('call.answered', 417, { callId: 'c3', queueId: 'q', agentId: 'a3', waitMs: 17_000 });
  ended('c3', 517, 'a3', 100);
  topic('c3', 520, '   '); // a blank topic is no topic
  offer('c4', 600, 'a1', 10, 'answered', 'callback'); // a callback: not an inbound call
  acd('missed.attempt', 612, { id: 'm1', agentId: 'a1', result: 'connected' });
  ended('c4', 710, 'a1', 100, 'callback');
  topic('c4', 715, 'refund', 'a1');
  offer('c5', 800, 'a2', 2, 'cancelled'); // the caller hung up after 2 s of ringing: nobody's fault
  acd('call.abandoned', 802, { callId: 'c5', queueId: 'q', waitMs: 2000 });
  offer('c6', 900, 'a3', 3, 'cancelled');
  offer('c8', 1000, 'a5', 2, 'answered'); // a5 answers in 2 s ...
  ended('c8', 1050, 'a5', 48);
  offer('c9', 1100, 'a5', 8, 'cancelled'); // ... but lets c9 ring 8 s before the caller gives up
  for (const id of ['a1', 'a2', 'a3', 'a5']) state(id, 8 * 3600, 'offline', 'available');

  // The next morning: only a2 works, answers in 1 s, sets no topic (no call.topic events at all).
  base = day + 86_400_000 + NINE;
  state('a2', 0, 'available', 'offline');
  offer('c7', 10, 'a2', 1, 'answered');
  ended('c7', 41, 'a2', 30);
  state('a2', 3600, 'offline', 'available');
}
