// The ACD: agents, queues and the distribution of calls and callback tasks between them.
// Distribution is event-driven: it runs when a call arrives and when an agent becomes free,
// never on a timer, and each decision pops the top of two heaps (O(log n) in agents).
// Phones are rung through the AgentDialer port (port.ts), which the call layer implements.
import { Agent } from './agent.js';
import { HandleTimes } from './handle-times.js';
import { AcdError } from './errors.js';
import type { AcdEvent, AcdListener } from './events.js';
import { isOpen, MissedCallBook, normalizeNumber, type MissedRecord } from './missed-calls.js';
import type { AgentDialer, OfferHandle, OfferRequest, OfferResult } from './port.js';
import { Queue } from './queue.js';
import {
  CLICK_TO_CALL,
  SELECTABLE_STATES,
  type AgentState,
  type CallContext,
  type InboundCall,
  type MissedReason,
  type OutboundResult,
  type OverflowTarget,
  type QueueOutcome,
} from './types.js';
import { agentProfile, queueConfig, text } from './validate.js';
import type { Offer, WaitingItem } from './waiting-item.js';

export interface AcdOptions {
  now?: () => number;
  random?: () => number;
  /** Where an agent goes after letting an offered call ring out (null: stays available). */
  missedOffer?: { state: AgentState; reason: string } | null;
  /** How long context attached to a number before its call waits for that call. */
  contextTtlMs?: number;
}

/** What an unanswered offer does to the agent: reason, and whether the missed-offer state applies. */
const OFFER_PENALTY: Partial<Record<OfferResult, string>> = { 'no-answer': 'missed', rejected: 'rejected', busy: 'busy' };

function itemBefore(a: WaitingItem, b: WaitingItem): boolean {
  return a.priority > b.priority || (a.priority === b.priority && a.enqueuedAt < b.enqueuedAt);
}

export class Acd {
  readonly missed: MissedCallBook;
  private readonly agents = new Map<string, Agent>();
  private readonly byExtension = new Map<string, Agent>();
  private readonly queues = new Map<string, Queue>();
  private readonly queuesOfAgent = new Map<Agent, Set<Queue>>();
  private readonly items = new Map<string, WaitingItem>();
  private readonly callbackTasks = new Map<string, WaitingItem>();
  /** Agent-dialled calls running now, by call id. */
  private readonly outboundCalls = new Map<string, { agentId: string; number: string; startedAt: number; answeredAt: number | null }>();
  private readonly contexts = new Map<string, { context: Record<string, unknown>; expiresAt: number }>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly listeners = new Set<AcdListener>();
  private readonly handleTimes = new HandleTimes();
  private dialer: AgentDialer | null = null;
  private replaying = false;
  private seq = 0;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly missedOffer: { state: AgentState; reason: string } | null;
  private readonly contextTtlMs: number;

  constructor(opts: AcdOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.missedOffer = opts.missedOffer === undefined ? { state: 'dnd', reason: 'missed' } : opts.missedOffer;
    this.contextTtlMs = opts.contextTtlMs ?? 30 * 60_000;
    this.missed = new MissedCallBook((e) => this.emit(e));
  }

  /** Subscribe to every ACD event; returns the unsubscribe function. */
  on(listener: AcdListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Connects the call layer. Until then calls wait; attaching starts distribution. */
  attachDialer(dialer: AgentDialer): void {
    this.dialer = dialer;
    for (const q of this.queues.values()) this.dispatchQueue(q);
  }

  // ---- definitions ----

  defineAgent(input: unknown): Agent {
    const profile = agentProfile(input);
    const owner = this.byExtension.get(profile.extension);
    if (owner && owner.id !== profile.id) throw new AcdError('conflict', `extension ${profile.extension} belongs to agent ${owner.id}`);
    let agent = this.agents.get(profile.id);
    if (agent && JSON.stringify(agent.profile) === JSON.stringify(profile)) return agent;
    if (agent) {
      this.byExtension.delete(agent.profile.extension);
      this.setMembership(agent, () => (agent!.profile = profile));
    } else {
      agent = new Agent(profile, this.now());
      this.agents.set(profile.id, agent);
      this.setMembership(agent, () => undefined);
    }
    this.byExtension.set(profile.extension, agent);
    this.emit({ type: 'agent.defined', at: this.now(), agent: profile });
    return agent;
  }

  removeAgent(agentId: string): void {
    const agent = this.agent(agentId);
    if (agent.callId || agent.offerId) throw new AcdError('conflict', `agent ${agentId} is on a call`);
    for (const q of this.queuesOf(agent)) q.removeMember(agent);
    this.queuesOfAgent.delete(agent);
    this.agents.delete(agentId);
    this.byExtension.delete(agent.profile.extension);
    this.emit({ type: 'agent.removed', at: this.now(), agentId });
  }

  defineQueue(input: unknown): Queue {
    const config = queueConfig(input);
    const old = this.queues.get(config.id);
    if (old && JSON.stringify(old.config) === JSON.stringify(config)) return old;
    const queue = new Queue(config);
    if (old) for (const item of old.waiting.values()) queue.waiting.push(item);
    this.queues.set(config.id, queue);
    for (const agent of this.agents.values()) {
      const mine = this.queuesOf(agent);
      if (old && mine.delete(old)) old.removeMember(agent);
      if (queue.serves(agent)) {
        mine.add(queue);
        queue.addMember(agent);
      }
    }
    this.emit({ type: 'queue.defined', at: this.now(), queue: config });
    this.dispatchQueue(queue);
    return queue;
  }

  // ---- agent states ----

  /** An agent (or a supervisor for them) chooses a state. During a call it is taken afterwards. */
  setState(agentId: string, state: AgentState, reason = ''): Agent {
    if (!SELECTABLE_STATES.includes(state)) throw new AcdError('invalid', `state must be one of ${SELECTABLE_STATES.join(', ')}`);
    if (typeof reason !== 'string' || reason.length > 100) throw new AcdError('invalid', 'reason must be a short string');
    const agent = this.agent(agentId);
    if (agent.state === 'on-call' || (agent.callId !== null && this.outboundCalls.has(agent.callId))) {
      agent.pending = { state, reason };
      return agent;
    }
    if (agent.state === 'wrap-up') {
      agent.pending = { state, reason };
      this.endWrapUp(agent);
      return agent;
    }
    if (agent.offerId && state !== 'available') this.cancelAgentOffer(agent);
    this.withRouting(agent, () => this.transition(agent, state, reason));
    return agent;
  }

  // ---- agent-dialled outbound calls (click-to-call) ----

  /**
   * The agent dials `number` themselves: until the call ends they are in state outbound
   * (reason click-to-call) and offered no calls; afterwards they go back to the state they had.
   */
  startOutbound(agentId: string, callId: string, number: string): Agent {
    const agent = this.agent(agentId);
    text(callId, 'callId');
    text(number, 'number');
    if (agent.state === 'offline' || agent.offerId || agent.callId) throw new AcdError('conflict', `agent ${agentId} is ${agent.offerId ? 'ringing' : agent.callId ? 'on a call' : 'offline'}`);
    if (this.outboundCalls.has(callId) || this.items.has(callId)) throw new AcdError('conflict', `call ${callId} exists already`);
    const now = this.now();
    this.outboundCalls.set(callId, { agentId, number, startedAt: now, answeredAt: null });
    this.emit({ type: 'outbound.dialled', at: now, callId, agentId, number });
    this.withRouting(agent, () => {
      agent.pending = { state: agent.state, reason: agent.reason };
      agent.callId = callId;
      this.transition(agent, 'outbound', CLICK_TO_CALL);
    });
    return agent;
  }

  /** The dialled client answered: talk time counts from now. */
  outboundAnswered(callId: string): void {
    const call = this.outboundCall(callId);
    call.answeredAt = this.now();
    const agent = this.agents.get(call.agentId);
    if (agent) agent.outboundTalking = true;
    this.emit({ type: 'outbound.answered', at: call.answeredAt, callId, agentId: call.agentId, number: call.number, ringMs: call.answeredAt - call.startedAt });
  }

  /** The agent-dialled call is over (`result` says how); the agent returns to their state. */
  endOutbound(callId: string, result: OutboundResult): void {
    const call = this.outboundCall(callId);
    this.outboundCalls.delete(callId);
    const now = this.now();
    const talkMs = call.answeredAt === null ? 0 : now - call.answeredAt;
    this.emit({ type: 'outbound.ended', at: now, callId, agentId: call.agentId, number: call.number, result, talkMs });
    const agent = this.agents.get(call.agentId);
    if (agent?.callId !== callId) return;
    agent.outboundTalking = false;
    this.endWrapUp(agent);
  }

  // ---- calls from the call layer ----

  /** A caller enters a queue; resolves when the call leaves the ACD's hands. */
  enqueue(queueId: string, call: InboundCall): Promise<QueueOutcome> {
    const queue = this.queue(queueId);
    const callId = text(call.callId, 'callId');
    if (this.items.has(callId)) throw new AcdError('conflict', `call ${callId} is already queued`);
    const priority = call.priority ?? 0;
    if (!Number.isInteger(priority)) throw new AcdError('invalid', 'priority must be an integer');
    const from = text(call.from, 'from');
    const directed = call.agentId === undefined ? null : this.routableIn(call.agentId, queue);
    const attached = this.takeContext(from);
    const context: CallContext = { from, dnis: call.dnis ?? '', ivr: { ...call.ivr }, attached };
    return new Promise((settle) => {
      const item = this.newItem({ kind: 'call', callId, queueId, priority, context, settle });
      this.emit({ type: 'call.queued', at: item.arrivedAt, callId, queueId, kind: 'call', priority, context });
      const { maxLength, overflow } = queue.config;
      if (directed) {
        this.arm(item, queue);
        this.offer(item, directed);
      } else if (maxLength > 0 && queue.waiting.size >= maxLength) {
        this.emit({ type: 'call.left', at: item.arrivedAt, callId, queueId, reason: 'full', waitMs: 0 });
        this.leave(item, { kind: 'full' }, 'full');
      } else if (overflow?.whenNoAgents && queue.loggedIn === 0) this.overflow(item, overflow.target);
      else this.wait(item, queue);
    });
  }

  /**
   * An agent picks a waiting call from one of their queues: their phone rings at once. A free
   * agent is offered calls anyway, so this is for an agent on break, in dnd or outbound, who
   * goes back to that state after the call.
   */
  takeWaiting(callId: string, agentId: string): WaitingItem {
    const item = this.item(callId);
    if (item.kind !== 'call' || item.phase !== 'waiting') throw new AcdError('conflict', `call ${callId} is not waiting`);
    const queue = this.queue(item.queueId);
    const agent = this.agent(agentId);
    if (!this.queuesOf(agent).has(queue)) throw new AcdError('conflict', `agent ${agentId} does not serve queue ${queue.id}`);
    if (agent.state === 'offline' || agent.offerId || agent.callId) throw new AcdError('conflict', `agent ${agentId} is ${agent.offerId ? 'ringing' : agent.callId ? 'on a call' : 'offline'}`);
    if (!this.dialer) throw new AcdError('conflict', 'the call layer is not connected');
    queue.waiting.delete(item);
    this.offer(item, agent);
    return item;
  }

  /** The caller hung up before an agent answered. */
  abandon(callId: string): void {
    const item = this.item(callId);
    if (item.phase === 'connected') throw new AcdError('conflict', `call ${callId} is connected; use callEnded`);
    if (item.kind !== 'call') throw new AcdError('conflict', `${callId} is a callback task, not a caller`);
    this.emit({ type: 'call.abandoned', at: this.now(), callId, queueId: item.queueId, waitMs: this.now() - item.arrivedAt });
    this.leave(item, { kind: 'abandoned' }, 'abandoned');
  }

  /** A connected call ended (either side hung up): the agent goes to wrap-up. */
  callEnded(callId: string): void {
    const item = this.item(callId);
    if (item.phase !== 'connected' || !item.agent) throw new AcdError('conflict', `call ${callId} is not connected`);
    const agent = item.agent;
    const talkMs = this.now() - item.answeredAt;
    agent.figuresFor(item.queueId).talkMs += talkMs;
    this.emit({ type: 'call.ended', at: this.now(), callId, queueId: item.queueId, kind: item.kind, agentId: agent.id, talkMs });
    this.finish(item);
    this.startWrapUp(agent, item, talkMs);
  }

  /** The agent transferred the call away (REFER or attended): it leaves the ACD. */
  transferred(callId: string, to: string): void {
    const item = this.item(callId);
    if (item.phase !== 'connected' || !item.agent) throw new AcdError('conflict', `call ${callId} is not connected`);
    this.emit({ type: 'call.transferred', at: this.now(), callId, queueId: item.queueId, agentId: item.agent.id, to: text(to, 'to') });
    this.callEnded(callId);
  }

  /** The waiting caller accepted the callback offer (pressed 1): they hang up and are called back. */
  acceptCallback(callId: string): string {
    const item = this.item(callId);
    if (item.kind !== 'call' || (item.phase !== 'waiting' && item.phase !== 'ringing')) throw new AcdError('conflict', `call ${callId} is not waiting`);
    this.emit({ type: 'call.left', at: this.now(), callId, queueId: item.queueId, reason: 'callback', waitMs: this.now() - item.arrivedAt });
    return this.leave(item, null, 'callback-request')!.id;
  }

  /** Context for a caller who has not called yet (call tracking); joined to their next call. */
  attachContext(number: string, context: Record<string, unknown>): void {
    const key = normalizeNumber(text(number, 'number'));
    if (key.replace('+', '') === '') throw new AcdError('invalid', 'number has no digits');
    const expiresAt = this.now() + this.contextTtlMs;
    this.contexts.set(key, { context, expiresAt });
    this.emit({ type: 'context.attached', at: this.now(), number: key, context, expiresAt });
  }

  /** Context for a call already in the ACD (waiting, ringing or connected). */
  attachToCall(callId: string, context: Record<string, unknown>): CallContext {
    const item = this.item(callId);
    Object.assign(item.context.attached, context);
    this.emit({ type: 'call.context', at: this.now(), callId, queueId: item.queueId, context });
    return item.context;
  }

  /** 1-based place in its queue, for position announcements. */
  position(callId: string): number {
    const item = this.item(callId);
    if (item.phase !== 'waiting') return 0;
    let ahead = 0;
    for (const other of this.queue(item.queueId).waiting.values()) if (itemBefore(other, item)) ahead++;
    return ahead + 1;
  }

  /** Estimated wait for the caller at `position`: rounds of the queue's recent mean handle time (handle-times.ts). */
  estimatedWaitMs(queueId: string, position: number): number {
    const queue = this.queue(queueId);
    return this.handleTimes.estimateMs(queueId, queue.config.wrapUpMs, position, queue.loggedIn);
  }

  // ---- missed calls and callbacks ----

  /** An agent calls a missed client back now: their phone rings first, then the client's. */
  takeCallback(missedId: string, agentId: string): MissedRecord {
    const agent = this.agent(agentId);
    if ((agent.state !== 'available' && agent.state !== 'outbound') || agent.offerId || agent.callId) {
      throw new AcdError('conflict', `agent ${agentId} is ${agent.state}${agent.offerId ? ' (ringing)' : ''}`);
    }
    if (!this.dialer) throw new AcdError('conflict', 'the call layer is not connected');
    const record = this.missed.claim(missedId, agentId, this.now());
    this.dropCallbackTask(record.id);
    const item = this.callbackItem(record);
    item.directedTo = agent;
    this.offer(item, agent);
    return record;
  }

  cancelMissed(missedId: string, by: string): MissedRecord {
    const record = this.missed.cancel(missedId, by, this.now());
    this.dropCallbackTask(record.id);
    return record;
  }

  // ---- views ----

  agent(agentId: string): Agent {
    const agent = this.agents.get(agentId);
    if (!agent) throw new AcdError('not-found', `no agent ${agentId}`);
    return agent;
  }

  findAgent(agentId: string): Agent | undefined {
    return this.agents.get(agentId);
  }

  findQueue(queueId: string): Queue | undefined {
    return this.queues.get(queueId);
  }

  agentByExtension(extension: string): Agent | undefined {
    return this.byExtension.get(extension);
  }

  queue(queueId: string): Queue {
    const queue = this.queues.get(queueId);
    if (!queue) throw new AcdError('not-found', `no queue ${queueId}`);
    return queue;
  }

  allAgents(): Agent[] {
    return [...this.agents.values()];
  }

  allQueues(): Queue[] {
    return [...this.queues.values()];
  }

  calls(): WaitingItem[] {
    return [...this.items.values()];
  }

  call(callId: string): WaitingItem {
    return this.item(callId);
  }

  queuesOf(agent: Agent): Set<Queue> {
    let set = this.queuesOfAgent.get(agent);
    if (!set) this.queuesOfAgent.set(agent, (set = new Set()));
    return set;
  }

  // ---- rebuild ----

  /**
   * Rebuilds definitions, agent states, missed calls and pending contexts from logged events,
   * without emitting them again. Calls do not survive a restart (their SIP dialogs are gone):
   * agents logged as on a call or in wrap-up come back available, and callers who were still
   * waiting become abandoned missed calls (these are emitted, as new facts).
   */
  restore(events: Iterable<AcdEvent>): void {
    const unfinished = new Map<string, Extract<AcdEvent, { type: 'call.queued' }>>();
    this.replaying = true;
    try {
      for (const e of events) {
        switch (e.type) {
          case 'call.queued':
            if (e.kind === 'call') unfinished.set(e.callId!, e);
            break;
          case 'call.answered':
          case 'call.abandoned':
          case 'call.left':
          case 'call.overflowed':
            unfinished.delete(e.callId!);
            break;
          case 'agent.defined':
            this.defineAgent(e.agent);
            break;
          case 'agent.removed':
            if (this.agents.has(e.agentId)) this.removeAgent(e.agentId);
            break;
          case 'queue.defined':
            this.defineQueue(e.queue);
            break;
          case 'agent.state': {
            const agent = this.agents.get(e.agentId);
            if (!agent) break;
            // Calls did not survive the restart: their agents are free again.
            const busy = e.state === 'on-call' || e.state === 'wrap-up' || (e.state === 'outbound' && e.reason === CLICK_TO_CALL);
            this.withRouting(agent, () => this.transition(agent, busy ? 'available' : e.state, busy ? 'restart' : e.reason), true);
            agent.since = e.at;
            break;
          }
          case 'call.ended':
            if (e.kind === 'call') this.handleTimes.add(e.queueId, e.talkMs + (this.queues.get(e.queueId)?.config.wrapUpMs ?? 0));
            break;
          case 'context.attached':
            if (e.expiresAt > this.now()) this.contexts.set(e.number, { context: e.context, expiresAt: e.expiresAt });
            break;
          default:
            this.missed.replay(e);
        }
      }
    } finally {
      this.replaying = false;
    }
    for (const record of this.missed.list()) if (isOpen(record)) this.queueCallbackTask(record);
    for (const cut of unfinished.values()) this.cutOff(cut);
  }

  /** A caller was waiting when the engine stopped: the call was lost, so it is a missed call. */
  private cutOff(queued: Extract<AcdEvent, { type: 'call.queued' }>): void {
    const now = this.now();
    this.emit({ type: 'call.abandoned', at: now, callId: queued.callId, queueId: queued.queueId, waitMs: now - queued.at });
    const { from, dnis } = queued.context;
    const record = this.missed.create({ number: from, dnis, queueId: queued.queueId, callId: queued.callId!, reason: 'abandoned', missedAt: queued.at }, now);
    this.queueCallbackTask(record);
  }

  close(): void {
    for (const item of this.items.values()) {
      for (const t of item.timers) clearTimeout(t);
      for (const o of item.offers.values()) clearTimeout(o.timer);
    }
    for (const agent of this.agents.values()) if (agent.wrapTimer) clearTimeout(agent.wrapTimer);
    for (const t of this.retryTimers) clearTimeout(t);
    this.listeners.clear();
  }

  // ---- internals: routing ----

  private emit(event: AcdEvent): void {
    if (this.replaying) return;
    for (const listener of this.listeners) listener(event);
  }

  private outboundCall(callId: string) {
    const call = this.outboundCalls.get(callId);
    if (!call) throw new AcdError('not-found', `no outbound call ${callId}`);
    return call;
  }

  private item(callId: string): WaitingItem {
    const item = this.items.get(callId);
    if (!item) throw new AcdError('not-found', `no call ${callId} in the ACD`);
    return item;
  }

  /** Re-evaluates which queues the agent serves around a profile change. */
  private setMembership(agent: Agent, change: () => void): void {
    const mine = this.queuesOf(agent);
    for (const q of mine) q.removeMember(agent);
    mine.clear();
    change();
    for (const q of this.queues.values()) {
      if (!q.serves(agent)) continue;
      mine.add(q);
      q.addMember(agent);
    }
    this.dispatchForAgent(agent);
  }

  private transition(agent: Agent, state: AgentState, reason: string, queueId?: string): void {
    if (agent.state === state && agent.reason === reason) return;
    const prev = agent.state;
    const wasLoggedIn = agent.loggedIn;
    agent.state = state;
    agent.reason = reason;
    agent.since = this.now();
    if (wasLoggedIn !== agent.loggedIn) for (const q of this.queuesOf(agent)) q.loggedIn += agent.loggedIn ? 1 : -1;
    this.emit({ type: 'agent.state', at: agent.since, agentId: agent.id, state, reason, prev, ...(queueId ? { queueId } : {}), ...(agent.callId ? { callId: agent.callId } : {}) });
  }

  /**
   * Runs a change to an agent and keeps the free-agent heaps in step: an agent who stops being
   * free leaves them, one who becomes free joins them (at the back, unless `keepIdle`: an offer
   * cancelled through no fault of theirs keeps their place) and is offered waiting calls.
   */
  private withRouting(agent: Agent, change: () => void, keepIdle = false): void {
    const was = agent.routable;
    change();
    const is = agent.routable;
    if (was === is) return;
    if (!is) {
      for (const q of this.queuesOf(agent)) q.free.delete(agent);
      return;
    }
    if (!keepIdle) agent.idleSince = this.now();
    agent.randomKey = this.random();
    for (const q of this.queuesOf(agent)) q.free.push(agent);
    this.dispatchForAgent(agent);
  }

  /** An agent became free: serve the best waiting item among the agent's queues. */
  private dispatchForAgent(agent: Agent): void {
    while (agent.routable) {
      let best: Queue | null = null;
      for (const q of this.queuesOf(agent)) {
        const top = q.waiting.peek();
        if (top && (!best || itemBefore(top, best.waiting.peek()!))) best = q;
      }
      if (!best || !this.dispatchQueue(best)) return;
    }
  }

  /** Pairs the queue's waiting items with its free agents while both exist. */
  private dispatchQueue(queue: Queue): boolean {
    if (!this.dialer) return false;
    let offered = false;
    while (queue.waiting.size > 0 && queue.free.size > 0) {
      const item = queue.waiting.pop()!;
      const agents = queue.config.strategy === 'ring-all' ? [...queue.free.values()] : [queue.free.peek()!];
      for (const agent of agents) this.offer(item, agent);
      offered = true;
    }
    return offered;
  }

  private offer(item: WaitingItem, agent: Agent): void {
    const queue = this.queues.get(item.queueId);
    const id = `o${++this.seq}`;
    item.phase = 'ringing';
    this.withRouting(agent, () => (agent.offerId = id));
    agent.figuresFor(item.queueId).lastOfferSeq = this.seq;
    const req: OfferRequest = {
      offerId: id,
      callId: item.callId,
      kind: item.kind,
      agent: { id: agent.id, extension: agent.profile.extension, name: agent.profile.name },
      queueId: item.queueId,
      context: item.context,
      ringTimeoutMs: queue?.config.ringTimeoutMs ?? 15_000,
    };
    let handle: OfferHandle;
    try {
      handle = this.dialer!.offer(req);
    } catch {
      handle = { result: Promise.resolve<OfferResult>('unavailable'), cancel: () => undefined, drop: () => undefined };
    }
    const offer: Offer = { id, item, agent, handle, timedOut: false, timer: setTimeout(() => ((offer.timedOut = true), handle.cancel()), req.ringTimeoutMs) };
    item.offers.set(id, offer);
    this.emit({ type: 'call.offered', at: this.now(), callId: item.callId, queueId: item.queueId, agentId: agent.id, offerId: id });
    handle.result.then(
      (result) => this.offerSettled(offer, result, req),
      () => this.offerSettled(offer, 'unavailable', req),
    );
  }

  private offerSettled(offer: Offer, raw: OfferResult, req: OfferRequest): void {
    clearTimeout(offer.timer);
    const { item, agent } = offer;
    const result: OfferResult = raw === 'cancelled' && offer.timedOut ? 'no-answer' : raw;
    const attached = item.offers.delete(offer.id);
    this.emit({ type: 'call.offer-result', at: this.now(), callId: item.callId, queueId: item.queueId, agentId: agent.id, offerId: offer.id, result });
    if (result === 'answered') {
      if (attached && item.phase === 'ringing') {
        this.connect(item, agent, req);
        return;
      }
      offer.handle.drop();
    }
    const penalty = OFFER_PENALTY[result];
    this.withRouting(
      agent,
      () => {
        agent.offerId = null;
        if (result === 'unavailable') this.transition(agent, 'offline', 'unreachable');
        else if (penalty && agent.state === 'available') {
          if (this.missedOffer) this.transition(agent, this.missedOffer.state, penalty === 'missed' ? this.missedOffer.reason : penalty);
        }
      },
      !penalty && result !== 'unavailable',
    );
    if (!attached || item.phase !== 'ringing' || item.offers.size > 0) return;
    if (item.directedTo) {
      const record = this.missed.get(item.missedId!);
      this.missed.release(record, this.now());
      this.finish(item);
      return;
    }
    item.phase = 'waiting';
    const queue = this.queues.get(item.queueId);
    if (!queue) return;
    queue.waiting.push(item);
    this.dispatchQueue(queue);
  }

  private connect(item: WaitingItem, agent: Agent, req: OfferRequest): void {
    const now = this.now();
    item.phase = 'connected';
    item.agent = agent;
    item.answeredAt = now;
    this.clearItemTimers(item);
    this.cancelOffers(item);
    const prev = agent.state;
    this.withRouting(agent, () => {
      agent.offerId = null;
      agent.callId = item.callId;
      agent.callQueueId = item.queueId;
      // An agent who was not free (outbound with a callback, on break and took a call) returns to that state.
      if (prev !== 'available') agent.pending ??= { state: prev, reason: agent.reason };
      this.transition(agent, 'on-call', item.kind === 'callback' ? 'callback' : 'queue', item.queueId);
    });
    agent.figuresFor(item.queueId).answered++;
    if (item.kind === 'callback') {
      this.dialClient(item, agent, req);
      return;
    }
    this.emit({ type: 'call.answered', at: now, callId: item.callId, queueId: item.queueId, agentId: agent.id, waitMs: now - item.arrivedAt });
    for (const record of this.missed.gotThrough(item.context.from, now)) this.dropCallbackTask(record.id);
    item.settle({ kind: 'answered', agentId: agent.id, extension: agent.profile.extension });
  }

  private dialClient(item: WaitingItem, agent: Agent, req: OfferRequest): void {
    const record = this.missed.get(item.missedId!);
    if (record.claimedBy !== agent.id) this.missed.claim(record.id, agent.id, this.now());
    this.dialer!.dialClient(req, record.number).then(
      (result) => this.callbackAttempted(item, agent, record, result),
      () => this.callbackAttempted(item, agent, record, 'unavailable'),
    );
  }

  private callbackAttempted(item: WaitingItem, agent: Agent, record: MissedRecord, result: 'connected' | 'busy' | 'unavailable' | 'no-answer'): void {
    this.missed.attempt(record, agent.id, result, this.now());
    this.missed.release(record, this.now());
    if (result === 'connected') {
      item.answeredAt = this.now();
      return;
    }
    this.finish(item);
    this.startWrapUp(agent, item, 0);
    const queue = this.queues.get(record.queueId);
    if (!queue || queue.config.callback.mode !== 'automatic' || !isOpen(record) || record.attempts.length >= queue.config.callback.maxAttempts) return;
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      if (isOpen(record) && !this.callbackTasks.has(record.id)) this.queueCallbackTask(record);
    }, queue.config.callback.retryDelayMs);
    this.retryTimers.add(timer);
  }

  private startWrapUp(agent: Agent, item: WaitingItem, talkMs: number): void {
    const wrapMs = this.queues.get(item.queueId)?.config.wrapUpMs ?? 0;
    if (item.kind === 'call') this.handleTimes.add(item.queueId, talkMs + wrapMs);
    if (wrapMs <= 0) {
      this.endWrapUp(agent);
      return;
    }
    this.transition(agent, 'wrap-up', item.kind === 'call' ? 'after-call' : 'after-callback', item.queueId);
    agent.wrapTimer = setTimeout(() => this.endWrapUp(agent), wrapMs);
  }

  private endWrapUp(agent: Agent): void {
    if (agent.wrapTimer) clearTimeout(agent.wrapTimer);
    agent.wrapTimer = null;
    const next = agent.pending ?? { state: 'available' as const, reason: '' };
    agent.pending = null;
    this.withRouting(agent, () => {
      agent.callId = null;
      agent.callQueueId = null;
      this.transition(agent, next.state, next.reason);
    });
  }

  private cancelAgentOffer(agent: Agent): void {
    for (const item of this.items.values()) {
      const offer = item.offers.get(agent.offerId!);
      if (offer) offer.handle.cancel();
    }
  }

  private cancelOffers(item: WaitingItem): void {
    const offers = [...item.offers.values()];
    item.offers.clear();
    for (const offer of offers) offer.handle.cancel();
  }

  // ---- internals: items ----

  private newItem(init: Pick<WaitingItem, 'kind' | 'callId' | 'queueId' | 'priority' | 'context' | 'settle'>): WaitingItem {
    const now = this.now();
    const item: WaitingItem = {
      ...init,
      seq: ++this.seq,
      arrivedAt: now,
      enqueuedAt: now,
      phase: 'waiting',
      offers: new Map(),
      visited: new Set([init.queueId]),
      timers: [],
      agent: null,
      answeredAt: 0,
      missedId: null,
      directedTo: null,
    };
    this.items.set(item.callId, item);
    return item;
  }

  /** Puts a call in its queue with the queue's timers, and routes it if an agent is free. */
  private wait(item: WaitingItem, queue: Queue): void {
    this.arm(item, queue);
    item.phase = 'waiting';
    queue.waiting.push(item);
    this.dispatchQueue(queue);
  }

  /** The queue's timers for a call in it: max wait, overflow, callback offer. */
  private arm(item: WaitingItem, queue: Queue): void {
    const { maxWaitMs, overflow, callbackOfferAfterMs } = queue.config;
    const at = (ms: number, fn: () => void) => ms > 0 && item.timers.push(setTimeout(fn, ms));
    at(maxWaitMs, () => {
      this.emit({ type: 'call.left', at: this.now(), callId: item.callId, queueId: item.queueId, reason: 'timeout', waitMs: this.now() - item.arrivedAt });
      this.leave(item, { kind: 'timeout' }, 'timeout');
    });
    if (overflow) at(overflow.afterMs, () => this.overflow(item, overflow.target));
    at(callbackOfferAfterMs, () => this.emit({ type: 'call.callback-offered', at: this.now(), callId: item.callId, queueId: item.queueId }));
  }

  /** The agent, if a call of `queue` can be offered to them right now (else 409 saying why). */
  private routableIn(agentId: string, queue: Queue): Agent {
    const agent = this.agent(agentId);
    if (!this.queuesOf(agent).has(queue)) throw new AcdError('conflict', `agent ${agentId} does not serve queue ${queue.id}`);
    if (!agent.routable) throw new AcdError('conflict', `agent ${agentId} is ${agent.state}${agent.offerId ? ' (ringing)' : agent.callId ? ' (on a call)' : ''}`);
    if (!this.dialer) throw new AcdError('conflict', 'the call layer is not connected');
    return agent;
  }

  private overflow(item: WaitingItem, target: OverflowTarget): void {
    this.emit({ type: 'call.overflowed', at: this.now(), callId: item.callId, queueId: item.queueId, target, waitMs: this.now() - item.arrivedAt });
    if (target.kind !== 'queue') {
      this.leave(item, { kind: 'overflow', target }, target.kind === 'voicemail' ? 'voicemail' : null);
      return;
    }
    const next = this.queues.get(target.queue);
    if (!next || item.visited.has(target.queue)) {
      this.leave(item, { kind: 'timeout' }, 'timeout');
      return;
    }
    this.unqueue(item);
    item.queueId = next.id;
    item.enqueuedAt = this.now();
    item.visited.add(next.id);
    this.emit({ type: 'call.queued', at: this.now(), callId: item.callId, queueId: next.id, kind: item.kind, priority: item.priority, context: item.context });
    this.wait(item, next);
  }

  /** Takes the item out of its queue: timers, heap and any ringing phones. */
  private unqueue(item: WaitingItem): void {
    this.clearItemTimers(item);
    this.queues.get(item.queueId)?.waiting.delete(item);
    this.cancelOffers(item);
  }

  /** The call leaves the ACD unanswered; a missed-call record is made when `missed` says why. */
  private leave(item: WaitingItem, outcome: QueueOutcome | null, missed: MissedReason | null): MissedRecord | null {
    this.unqueue(item);
    this.finish(item);
    let record: MissedRecord | null = null;
    if (missed && item.kind === 'call') {
      record = this.missed.create(
        { number: item.context.from, dnis: item.context.dnis, queueId: item.queueId, callId: item.callId, reason: missed, missedAt: item.arrivedAt },
        this.now(),
      );
      this.queueCallbackTask(record);
    }
    if (!outcome) item.settle({ kind: 'callback', missedId: record!.id });
    else item.settle(record && outcome.kind === 'overflow' ? { ...outcome, missedId: record.id } : outcome);
    return record;
  }

  private finish(item: WaitingItem): void {
    this.clearItemTimers(item);
    item.phase = 'done';
    this.items.delete(item.callId);
    if (item.missedId && this.callbackTasks.get(item.missedId) === item) this.callbackTasks.delete(item.missedId);
  }

  private clearItemTimers(item: WaitingItem): void {
    for (const t of item.timers) clearTimeout(t);
    item.timers = [];
  }

  private callbackItem(record: MissedRecord): WaitingItem {
    const queue = this.queues.get(record.queueId);
    const item = this.newItem({
      kind: 'callback',
      callId: `cb-${record.id}-${record.attempts.length + 1}`,
      queueId: record.queueId,
      priority: queue?.config.callback.priority ?? 0,
      context: { from: record.number, dnis: record.dnis, ivr: {}, attached: { missedId: record.id } },
      settle: () => undefined,
    });
    item.missedId = record.id;
    return item;
  }

  /** Automatic callback: the record waits in its queue like a call, below live callers. */
  private queueCallbackTask(record: MissedRecord): void {
    const queue = this.queues.get(record.queueId);
    if (!queue || queue.config.callback.mode !== 'automatic' || record.claimedBy) return;
    if (record.attempts.length >= queue.config.callback.maxAttempts) return;
    const item = this.callbackItem(record);
    this.callbackTasks.set(record.id, item);
    this.emit({ type: 'call.queued', at: item.arrivedAt, callId: item.callId, queueId: queue.id, kind: 'callback', priority: item.priority, context: item.context, missedId: record.id });
    queue.waiting.push(item);
    this.dispatchQueue(queue);
  }

  /** A record closed or was taken by hand: its automatic task stops waiting. */
  private dropCallbackTask(missedId: string): void {
    const item = this.callbackTasks.get(missedId);
    if (!item || item.phase === 'connected') return;
    this.emit({ type: 'call.left', at: this.now(), callId: item.callId, queueId: item.queueId, reason: 'cancelled', waitMs: this.now() - item.arrivedAt });
    this.unqueue(item);
    this.finish(item);
  }

  private takeContext(from: string): Record<string, unknown> {
    const key = normalizeNumber(from);
    const found = this.contexts.get(key);
    this.contexts.delete(key);
    return found && found.expiresAt > this.now() ? { ...found.context } : {};
  }
}

