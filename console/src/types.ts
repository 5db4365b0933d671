// The shapes the ACD API answers with (engine/api/acd-routes.ts), as the console uses them.
export type Role = 'agent' | 'supervisor' | 'admin';
export type AgentState = 'available' | 'on-call' | 'wrap-up' | 'break' | 'outbound' | 'dnd' | 'offline';
export type MissedStatus = 'not-called-back' | 'not-reached' | 'cancelled' | 'called-back' | 'got-through';

export const AGENT_STATES: AgentState[] = ['available', 'on-call', 'wrap-up', 'break', 'outbound', 'dnd', 'offline'];
/** States an agent may choose; the ACD sets on-call and wrap-up. */
export const SELECTABLE_STATES: AgentState[] = ['available', 'break', 'outbound', 'dnd', 'offline'];

export interface Principal {
  role: Role;
  name: string;
  agentId?: string;
  groups?: string[];
}

export interface AgentView {
  id: string;
  name: string;
  extension: string;
  groups: string[];
  state: AgentState;
  reason: string;
  since: number;
  activity: 'talking' | 'free' | 'busy';
  callId: string | null;
  ringing: boolean;
  /** A state chosen during a call, taken after it. */
  pending: { state: AgentState; reason: string } | null;
}

export interface CallContext {
  from: string;
  dnis: string;
  ivr: Record<string, string>;
  attached: Record<string, unknown>;
}

export interface CallView {
  callId: string;
  kind: 'call' | 'callback';
  queueId: string;
  phase: 'waiting' | 'ringing' | 'connected' | 'done';
  priority: number;
  context: CallContext;
  arrivedAt: number;
  agentId: string | null;
  ringing: string[];
  position: number | null;
}

export interface MissedRecord {
  id: string;
  number: string;
  dnis: string;
  queueId: string;
  reason: string;
  missedAt: number;
  status: MissedStatus;
  attempts: { at: number; agentId: string; result: string }[];
  claimedBy: string | null;
}

export interface QueueMetrics {
  queueId: string;
  offered: number;
  answered: number;
  answeredInSl: number;
  waitMs: number;
  abandoned: number;
  handled: number;
  talkMs: number;
  wrapMs: number;
  waitingNow: number;
  longestWaitMs: number;
}

export interface AgentMetrics {
  agentId: string;
  answered: number;
  talkMs: number;
}

export interface Metrics {
  from: number;
  to: number;
  queues: QueueMetrics[];
  agents: AgentMetrics[];
}

export interface CallbackStats {
  agentId: string;
  attempts: number;
  connected: number;
}

/** A frame of the WebSocket stream: an ACD event, or the greeting. */
export interface StreamEvent {
  type: string;
  at: number;
  agentId?: string;
  state?: AgentState;
  reason?: string;
}
