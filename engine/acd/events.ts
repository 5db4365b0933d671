// Everything the ACD does is announced as one of these events. The store appends them to the
// event log; metrics, the WebSocket stream and a restart's rebuild all read them back.
import type { MissedRecordData } from './missed-calls.js';
import type { AgentProfile, AgentState, AttemptResult, CallContext, MissedStatus, OutboundResult, OverflowTarget, QueueConfig } from './types.js';
import type { OfferResult } from './port.js';

export interface AcdEventMap {
  'agent.defined': { agent: AgentProfile };
  'agent.removed': { agentId: string };
  'queue.defined': { queue: QueueConfig };
  /** `queueId`/`callId` are set when the state is on-call or wrap-up; wrap-up's reason is after-call or after-callback. */
  'agent.state': { agentId: string; state: AgentState; reason: string; prev: AgentState; queueId?: string };
  'call.queued': { queueId: string; kind: 'call' | 'callback'; priority: number; context: CallContext; missedId?: string };
  'call.offered': { queueId: string; agentId: string; offerId: string };
  'call.offer-result': { queueId: string; agentId: string; offerId: string; result: OfferResult };
  'call.answered': { queueId: string; agentId: string; waitMs: number };
  'call.abandoned': { queueId: string; waitMs: number };
  'call.left': { queueId: string; reason: 'timeout' | 'full' | 'callback' | 'cancelled'; waitMs: number };
  'call.overflowed': { queueId: string; target: OverflowTarget; waitMs: number };
  'call.callback-offered': { queueId: string };
  'call.ended': { queueId: string; kind: 'call' | 'callback'; agentId: string; talkMs: number };
  'call.transferred': { queueId: string; agentId: string; to: string };
  'call.context': { queueId: string; context: Record<string, unknown> };
  'context.attached': { number: string; context: Record<string, unknown>; expiresAt: number };
  'missed.created': { record: MissedRecordData };
  'missed.claimed': { id: string; agentId: string | null };
  'missed.attempt': { id: string; agentId: string; result: AttemptResult };
  'missed.status': { id: string; status: MissedStatus; by: string | null };
  /** An agent dials a number themselves (click-to-call, a cold outbound call); no queue. */
  'outbound.dialled': { agentId: string; number: string };
  'outbound.answered': { agentId: string; number: string; ringMs: number };
  /** `talkMs` is 0 unless the client answered. */
  'outbound.ended': { agentId: string; number: string; result: OutboundResult; talkMs: number };
}

export type AcdEventType = keyof AcdEventMap;
export type AcdEvent = { [K in AcdEventType]: { type: K; at: number; callId?: string } & AcdEventMap[K] }[AcdEventType];
export type AcdEventOf<K extends AcdEventType> = Extract<AcdEvent, { type: K }>;
export type AcdListener = (event: AcdEvent) => void;
