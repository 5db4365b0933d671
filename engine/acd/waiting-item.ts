// A call (or a callback task) from the moment it enters the ACD until it leaves it.
import type { CallContext, QueueOutcome } from './types.js';
import type { OfferHandle } from './port.js';
import type { Agent } from './agent.js';

export interface Offer {
  id: string;
  item: WaitingItem;
  agent: Agent;
  handle: OfferHandle;
  timer: NodeJS.Timeout;
  /** Set when the ACD itself ends the offer, to tell a timeout from other cancels. */
  timedOut: boolean;
}

export interface WaitingItem {
  seq: number;
  kind: 'call' | 'callback';
  callId: string;
  queueId: string;
  priority: number;
  context: CallContext;
  /** When the caller reached the ACD (waits and service level count from here). */
  arrivedAt: number;
  /** When the item entered its current queue (order within the queue). */
  enqueuedAt: number;
  phase: 'waiting' | 'ringing' | 'connected' | 'done';
  offers: Map<string, Offer>;
  /** Queues visited, so overflow never loops. */
  visited: Set<string>;
  timers: NodeJS.Timeout[];
  agent: Agent | null;
  answeredAt: number;
  /** Callback tasks: the missed-call record being called back. */
  missedId: string | null;
  /** Set for a callback taken by one agent by hand (it never waits in a queue heap). */
  directedTo: Agent | null;
  settle: (outcome: QueueOutcome) => void;
}
