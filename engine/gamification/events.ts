// The events gamification reads, from the event log in one plain shape: ACD events (logged as
// "acd.<type>") keep their own type and time; any other line (e.g. "call.topic" from the agent
// window) gets its log type, time and call id. Gamification's and alerting's own lines
// ("gamify.*", "alert.*") are not actions of agents and are left out.
import type { EventLogReader, StoredEvent } from '../store/event-log.js';

export interface GameEvent {
  type: string;
  /** Epoch ms when it happened. */
  at: number;
  callId?: string;
  agentId?: string;
  [field: string]: unknown;
}

const ACD_PREFIX = 'acd.';
const OWN_PREFIXES = ['gamify.', 'alert.'];

/** The topic an agent set on a request: `{ topic }` with the request's call id (issue 6, agent window). */
export const TOPIC_EVENT = 'call.topic';

export function toGameEvent(stored: Omit<StoredEvent, 'id'>): GameEvent | null {
  if (OWN_PREFIXES.some((p) => stored.type.startsWith(p))) return null;
  const data = (stored.data !== null && typeof stored.data === 'object' ? stored.data : {}) as Record<string, unknown>;
  if (stored.type.startsWith(ACD_PREFIX)) return data as GameEvent;
  return {
    ...data,
    type: stored.type,
    at: typeof data.at === 'number' ? data.at : stored.ts,
    ...(stored.callId ? { callId: stored.callId } : {}),
  };
}

/** What sets the scene before a window: who the agents are, their states, the queues. */
const SCENE_TYPES = ['agent.defined', 'agent.removed', 'agent.state', 'queue.defined'].map((t) => ACD_PREFIX + t);

/**
 * The agent-facing events of the log, oldest first: from log time `fromTs` on, after only the
 * scene-setting events before it (so a judgement reads one period, not the whole history).
 */
export function* gameEvents(log: EventLogReader, fromTs = 0): IterableIterator<GameEvent> {
  if (fromTs > 0) for (const stored of log.scan({ types: SCENE_TYPES, toTs: fromTs - 1 })) yield toGameEvent(stored)!;
  for (const stored of log.scan({ fromTs })) {
    const e = toGameEvent(stored);
    if (e) yield e;
  }
}

/** Whether CallOwners could learn a call's agent from this log event (checked before toGameEvent's copy). */
export function mayNameOwner(stored: Omit<StoredEvent, 'id'>): boolean {
  return stored.type.startsWith(ACD_PREFIX) || stored.type === 'call.answered';
}

/**
 * Who an event belongs to: its `agentId`, or else the agent who answered its call (a topic is
 * set on a call, and may come after the call ended). Remembers the most recent calls only.
 */
export class CallOwners {
  private readonly owners = new Map<string, string>();

  constructor(private readonly limit = 50_000) {}

  agentOf(e: GameEvent): string | undefined {
    if (e.type === 'call.answered' && e.callId && typeof e.agentId === 'string') {
      this.owners.delete(e.callId);
      this.owners.set(e.callId, e.agentId);
      if (this.owners.size > this.limit) this.owners.delete(this.owners.keys().next().value!);
    }
    if (typeof e.agentId === 'string') return e.agentId;
    return e.callId ? this.owners.get(e.callId) : undefined;
  }
}
