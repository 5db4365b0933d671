// One pass over the event log gathers, per agent and for one period, every figure the
// achievements are judged on: how fast each inbound offer was answered, missed offers, talk
// time, requests and their topics, plus the ACD's own agent metrics (engine/acd/metrics.ts).
import { AcdMetrics, type AcdEvent } from '../acd/index.js';
import { CallOwners, TOPIC_EVENT, type GameEvent } from './events.js';
import type { Period } from './periods.js';

export interface AgentFacts {
  agentId: string;
  /** Inbound (client) calls offered to the agent whose outcome counts. */
  inboundOffers: number;
  /** Of those: answered within the Sprinter limit. */
  fastAnswers: number;
  /** Answered, but after the limit; or rang past the limit and were cancelled. */
  slowOffers: number;
  /** Inbound offers the agent did not take: no answer, busy, rejected, phone unreachable. */
  missedOffers: number;
  /** Calls the ACD connected to the agent (inbound and callbacks), as in the ACD's metrics. */
  answered: number;
  /** Calls and callbacks the agent answered. */
  requests: number;
  /** Of those: with a topic set. */
  requestsWithTopic: number;
  /** Talk with clients (calls, callbacks and the agent's own outbound calls) that ended in the period. */
  talkMs: number;
  wrapMs: number;
  occupancy: number | null;
  /** Time in any state but offline. */
  loggedInMs: number;
  /** Callbacks that reached the client. */
  callbacks: number;
  /** Topics the agent set. */
  topics: number;
}

const MISSED_RESULTS = new Set(['no-answer', 'busy', 'rejected', 'unavailable']);

/** Facts for every agent active in `period` (time up to `now` if the period is not over). */
export function gatherFacts(events: Iterable<GameEvent>, period: Period, now: number, sprinterMs: number): Map<string, AgentFacts> {
  const metrics = new AcdMetrics(period.start);
  const owners = new CallOwners();
  const kinds = new Map<string, string>();
  const offers = new Map<string, { at: number; callId: string }>();
  const answered = new Map<string, string[]>();
  const topicCalls = new Set<string>();
  const facts = new Map<string, AgentFacts>();
  const of = (agentId: string) => {
    let f = facts.get(agentId);
    if (!f) facts.set(agentId, (f = { agentId, answered: 0, inboundOffers: 0, fastAnswers: 0, slowOffers: 0, missedOffers: 0, requests: 0, requestsWithTopic: 0, talkMs: 0, wrapMs: 0, occupancy: null, loggedInMs: 0, callbacks: 0, topics: 0 }));
    return f;
  };
  const end = Math.min(period.end, now);

  for (const e of events) {
    const agentId = owners.agentOf(e);
    // A topic may be set after the period (wrap-up past midnight): it still covers its call.
    if (e.type === TOPIC_EVENT && e.callId && typeof e.topic === 'string' && e.topic.trim() !== '') {
      topicCalls.add(e.callId);
      if (agentId && e.at >= period.start && e.at < end) of(agentId).topics++;
      continue;
    }
    if (e.at >= end) continue;
    metrics.apply(e as unknown as AcdEvent);
    if (e.type === 'call.queued' && e.callId) kinds.set(e.callId, String(e.kind));
    if (e.type === 'call.offered' && e.callId) offers.set(String(e.offerId), { at: e.at, callId: e.callId });
    if (e.at < period.start || !agentId) continue;
    switch (e.type) {
      case 'call.offer-result': {
        const offer = offers.get(String(e.offerId));
        offers.delete(String(e.offerId));
        if (!offer || offer.at < period.start || kinds.get(offer.callId) !== 'call') break;
        const f = of(agentId);
        const ringMs = e.at - offer.at;
        if (e.result === 'answered') {
          f.inboundOffers++;
          if (ringMs <= sprinterMs) f.fastAnswers++;
          else f.slowOffers++;
        } else if (MISSED_RESULTS.has(String(e.result))) {
          f.inboundOffers++;
          f.missedOffers++;
        } else if (ringMs > sprinterMs) {
          // Cancelled (caller hung up, another phone won) after ringing past the limit.
          f.inboundOffers++;
          f.slowOffers++;
        }
        break;
      }
      case 'call.answered':
        (answered.get(agentId) ?? answered.set(agentId, []).get(agentId)!).push(e.callId!);
        break;
      case 'call.ended':
      case 'outbound.ended':
        of(agentId).talkMs += Number(e.talkMs) || 0;
        break;
      case 'missed.attempt':
        if (e.result === 'connected') of(agentId).callbacks++;
        break;
      default:
        break;
    }
  }

  for (const [agentId, calls] of answered) {
    const f = of(agentId);
    f.requests = calls.length;
    f.requestsWithTopic = calls.filter((c) => topicCalls.has(c)).length;
  }
  for (const a of metrics.report(end).agents) {
    const loggedInMs = Object.entries(a.stateMs).reduce((sum, [state, ms]) => (state === 'offline' ? sum : sum + ms), 0);
    if (loggedInMs === 0 && !facts.has(a.agentId)) continue;
    Object.assign(of(a.agentId), { answered: a.answered, wrapMs: a.wrapMs, occupancy: a.occupancy, loggedInMs });
  }
  return facts;
}
