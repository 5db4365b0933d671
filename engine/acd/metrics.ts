// Contact-centre metrics folded from ACD events, so the same code serves live figures (fed
// as events happen) and any past interval (fed from the event log). Definitions: README.md.
import type { AcdEvent } from './events.js';
import { AGENT_STATES, type AgentState, type MissedStatus } from './types.js';

interface QueueTotals {
  offered: number;
  answered: number;
  answeredInSl: number;
  waitMs: number;
  abandoned: number;
  timedOut: number;
  full: number;
  overflowed: number;
  callbackRequests: number;
  handled: number;
  talkMs: number;
  wrapMs: number;
  /** Callback calls (outbound to a missed client) that ended, and their talk. */
  callbacksHandled: number;
  callbackTalkMs: number;
}

interface AgentTotals {
  answered: number;
  missedOffers: number;
  handled: number;
  talkMs: number;
  wrapMs: number;
  callbacksHandled: number;
  callbackTalkMs: number;
  /** Calls the agent dialled themselves (click-to-call, cold outbound), those the client answered, and their talk. */
  outboundDialled: number;
  outboundConnected: number;
  outboundTalkMs: number;
  /** Time spent in each state inside the interval. */
  stateMs: Record<AgentState, number>;
}

const zeroStates = () => Object.fromEntries(AGENT_STATES.map((s) => [s, 0])) as Record<AgentState, number>;
const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

export class AcdMetrics {
  private readonly queues = new Map<string, { totals: QueueTotals; serviceLevelMs: number; waiting: Map<string, number> }>();
  /** `wrapQueue`: the queue whose inbound call the agent is wrapping up (callbacks do not count in AHT). */
  private readonly agents = new Map<string, { groups: string[]; state: AgentState; since: number; wrapQueue: string | null; totals: AgentTotals }>();
  private readonly missed = new Map<string, { queueId: string; status: MissedStatus; counted: boolean }>();

  /** Events before `from` set the scene (agents, states, waiting calls) but are not counted. */
  constructor(private readonly from = 0) {}

  apply(e: AcdEvent): void {
    const counted = e.at >= this.from;
    switch (e.type) {
      case 'queue.defined':
        this.queue(e.queue.id).serviceLevelMs = e.queue.serviceLevelMs;
        break;
      case 'agent.defined':
        this.agent(e.agent.id, e.at).groups = e.agent.groups;
        break;
      case 'agent.removed':
        this.agents.delete(e.agentId);
        break;
      case 'agent.state':
        this.agentState(e, counted);
        break;
      case 'call.queued':
        if (e.kind !== 'call') break;
        this.queue(e.queueId).waiting.set(e.callId!, e.at);
        if (counted) this.queue(e.queueId).totals.offered++;
        break;
      case 'call.answered': {
        const q = this.queue(e.queueId);
        q.waiting.delete(e.callId!);
        if (!counted) break;
        q.totals.answered++;
        q.totals.waitMs += e.waitMs;
        if (e.waitMs <= q.serviceLevelMs) q.totals.answeredInSl++;
        this.agent(e.agentId, e.at).totals.answered++;
        break;
      }
      case 'call.abandoned':
        this.leftQueue(e.queueId, e.callId!, counted, 'abandoned');
        break;
      case 'call.left':
        if (e.reason === 'cancelled') break;
        this.leftQueue(e.queueId, e.callId!, counted, e.reason === 'timeout' ? 'timedOut' : e.reason === 'full' ? 'full' : 'callbackRequests');
        break;
      case 'call.overflowed':
        this.leftQueue(e.queueId, e.callId!, counted, 'overflowed');
        break;
      case 'call.offer-result':
        if (counted && e.result === 'no-answer') this.agent(e.agentId, e.at).totals.missedOffers++;
        break;
      case 'call.ended': {
        if (!counted) break;
        for (const t of [this.queue(e.queueId).totals, this.agent(e.agentId, e.at).totals]) {
          if (e.kind === 'callback') {
            t.callbacksHandled++;
            t.callbackTalkMs += e.talkMs;
          } else {
            t.handled++;
            t.talkMs += e.talkMs;
          }
        }
        break;
      }
      case 'outbound.ended': {
        if (!counted) break;
        const t = this.agent(e.agentId, e.at).totals;
        t.outboundDialled++;
        if (e.result === 'connected') {
          t.outboundConnected++;
          t.outboundTalkMs += e.talkMs;
        }
        break;
      }
      case 'missed.created':
        this.missed.set(e.record.id, { queueId: e.record.queueId, status: 'not-called-back', counted });
        break;
      case 'missed.status': {
        const record = this.missed.get(e.id);
        if (record) record.status = e.status;
        break;
      }
      default:
        break;
    }
  }

  report(now: number) {
    const queues = [...this.queues].map(([queueId, { totals: t, waiting }]) => {
      const since = Math.min(...waiting.values());
      return {
        queueId,
        ...t,
        abandonmentRate: ratio(t.abandoned, t.offered),
        serviceLevel: ratio(t.answeredInSl, t.offered),
        asaMs: ratio(t.waitMs, t.answered),
        ahtMs: ratio(t.talkMs + t.wrapMs, t.handled),
        avgTalkMs: ratio(t.talkMs, t.handled),
        avgCallbackTalkMs: ratio(t.callbackTalkMs, t.callbacksHandled),
        waitingNow: waiting.size,
        longestWaitMs: waiting.size ? now - since : 0,
      };
    });
    const agents = [...this.agents].map(([agentId, a]) => {
      const stateMs = { ...a.totals.stateMs, [a.state]: a.totals.stateMs[a.state] + now - Math.max(a.since, this.from) };
      const loggedInMs = AGENT_STATES.filter((s) => s !== 'offline').reduce((sum, s) => sum + stateMs[s], 0);
      return { agentId, state: a.state, since: a.since, ...a.totals, stateMs, occupancy: ratio(stateMs['on-call'] + stateMs['wrap-up'], loggedInMs) };
    });
    const groups: Record<string, Record<AgentState, number>> = {};
    for (const a of this.agents.values()) for (const g of a.groups) (groups[g] ??= zeroStates())[a.state]++;
    /** Per queue: missed calls of the interval, by their status now. */
    const missed: Record<string, Record<MissedStatus | 'total', number>> = {};
    for (const { queueId, status, counted } of this.missed.values()) {
      if (!counted) continue;
      const m = (missed[queueId] ??= { total: 0, 'not-called-back': 0, 'not-reached': 0, cancelled: 0, 'called-back': 0, 'got-through': 0 });
      m.total++;
      m[status]++;
    }
    return { queues, agents, groups, missed };
  }

  private queue(id: string) {
    let q = this.queues.get(id);
    if (!q) {
      const totals = { offered: 0, answered: 0, answeredInSl: 0, waitMs: 0, abandoned: 0, timedOut: 0, full: 0, overflowed: 0, callbackRequests: 0, handled: 0, talkMs: 0, wrapMs: 0, callbacksHandled: 0, callbackTalkMs: 0 };
      this.queues.set(id, (q = { totals, serviceLevelMs: 20_000, waiting: new Map() }));
    }
    return q;
  }

  private agent(id: string, at: number) {
    let a = this.agents.get(id);
    if (!a) {
      const totals = { answered: 0, missedOffers: 0, handled: 0, talkMs: 0, wrapMs: 0, callbacksHandled: 0, callbackTalkMs: 0, outboundDialled: 0, outboundConnected: 0, outboundTalkMs: 0, stateMs: zeroStates() };
      this.agents.set(id, (a = { groups: [], state: 'offline', since: at, wrapQueue: null, totals }));
    }
    return a;
  }

  private agentState(e: Extract<AcdEvent, { type: 'agent.state' }>, counted: boolean): void {
    const a = this.agent(e.agentId, e.at);
    const spent = e.at - Math.max(a.since, this.from);
    if (spent > 0) a.totals.stateMs[a.state] += spent;
    if (a.state === 'wrap-up' && a.wrapQueue && counted) {
      a.totals.wrapMs += spent;
      this.queue(a.wrapQueue).totals.wrapMs += spent;
    }
    a.state = e.state;
    a.since = e.at;
    a.wrapQueue = e.state === 'wrap-up' && e.reason === 'after-call' ? (e.queueId ?? null) : null;
  }

  private leftQueue(queueId: string, callId: string, counted: boolean, counter: 'abandoned' | 'timedOut' | 'full' | 'overflowed' | 'callbackRequests'): void {
    const q = this.queue(queueId);
    q.waiting.delete(callId);
    if (counted) q.totals[counter]++;
  }
}
