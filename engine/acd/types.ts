// The ACD's vocabulary: agents and their states, queues and their settings, calls and their
// context. Plain data, so it can be logged as events and rebuilt from them.

/** The agent states of the product (PRODUCT.md, supervisor workplace). */
export const AGENT_STATES = ['available', 'on-call', 'wrap-up', 'break', 'outbound', 'dnd', 'offline'] as const;
export type AgentState = (typeof AGENT_STATES)[number];
/** States an agent may choose; on-call and wrap-up are set by the ACD itself. */
export const SELECTABLE_STATES: readonly AgentState[] = ['available', 'break', 'outbound', 'dnd', 'offline'];
/** The reason of the outbound state while an agent's own dialled call (click-to-call) runs. */
export const CLICK_TO_CALL = 'click-to-call';
/** How an agent-dialled call ended: the client talked, or why not (the agent's own phone did not answer: agent-unreached). */
export const OUTBOUND_RESULTS = ['connected', 'busy', 'no-answer', 'unavailable', 'agent-unreached', 'cancelled'] as const;
export type OutboundResult = (typeof OUTBOUND_RESULTS)[number];
/** What the agent is doing, derived from state and calls (no chat channel exists yet). */
export type Activity = 'talking' | 'free' | 'busy';

export interface AgentProfile {
  id: string;
  name: string;
  /** The SIP user the agent's phone registers as. */
  extension: string;
  groups: string[];
  /** skill → level 1..10 */
  skills: Record<string, number>;
  /** Concurrent tasks per channel; voice is 1 (one call at a time). */
  channels: { voice: 1; chat: number };
}

export const STRATEGIES = ['longest-idle', 'ring-all', 'round-robin', 'least-calls', 'fewest-talk-time', 'random', 'skills-based'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export type OverflowTarget = { kind: 'queue'; queue: string } | { kind: 'number'; number: string } | { kind: 'voicemail'; box: string };

export interface QueueConfig {
  id: string;
  name: string;
  /** Agents in any of these groups serve the queue. */
  groups: string[];
  strategy: Strategy;
  /** skills-based: skill → minimum level. */
  requiredSkills: Record<string, number>;
  /** The caller leaves with outcome `timeout` after this long (0 = no limit). */
  maxWaitMs: number;
  /** Calls beyond this many waiting are turned away with outcome `full` (0 = no limit). */
  maxLength: number;
  /** Service level: answered within this long counts as in service level. */
  serviceLevelMs: number;
  wrapUpMs: number;
  /** How long one agent's phone rings before the call goes to the next agent. */
  ringTimeoutMs: number;
  overflow: { target: OverflowTarget; afterMs: number; whenNoAgents: boolean } | null;
  /**
   * While the caller waits, every `everyMs` the music on hold pauses for an announcement of
   * their place in the queue and/or their estimated wait (null = no announcements).
   */
  announce: { everyMs: number; position: boolean; waitTime: boolean } | null;
  /** After waiting this long the caller is offered a callback (0 = never). */
  callbackOfferAfterMs: number;
  /** How missed calls of this queue are called back. */
  callback: { mode: 'automatic' | 'manual'; priority: number; retryDelayMs: number; maxAttempts: number };
}

/** Everything known about the caller; shown to the agent when the call is offered. */
export interface CallContext {
  from: string;
  dnis: string;
  /** Answers collected by the IVR (e.g. `{ language: 'en' }`). */
  ivr: Record<string, string>;
  /** Attached through the API before or during the call (e.g. the call-tracking session). */
  attached: Record<string, unknown>;
}

export interface InboundCall {
  callId: string;
  from: string;
  dnis: string;
  /** Higher first (VIP); default 0. */
  priority?: number;
  ivr?: Record<string, string>;
  /** Offered first to this agent (a transfer to a colleague); if they do not answer, it waits in the queue. */
  agentId?: string;
}

/** How a call left the queue (the dialplan continues from here). */
export type QueueOutcome =
  | { kind: 'answered'; agentId: string; extension: string }
  | { kind: 'abandoned' }
  | { kind: 'timeout' }
  | { kind: 'full' }
  /** Overflow to voicemail carries the missed-call record the message belongs to. */
  | { kind: 'overflow'; target: Exclude<OverflowTarget, { kind: 'queue' }>; missedId?: string }
  | { kind: 'callback'; missedId: string };

export const ATTEMPT_RESULTS = ['connected', 'busy', 'unavailable', 'no-answer'] as const;
export type AttemptResult = (typeof ATTEMPT_RESULTS)[number];

export const MISSED_STATUSES = ['not-called-back', 'not-reached', 'cancelled', 'called-back', 'got-through'] as const;
export type MissedStatus = (typeof MISSED_STATUSES)[number];
export type MissedReason = 'abandoned' | 'timeout' | 'full' | 'voicemail' | 'callback-request';
