// The shapes the ACD API answers with (engine/api/acd-routes.ts), as the console uses them.
// The ACD's own vocabulary (states, statuses, caller context) is shared with the engine: plain data.
import type { Activity, AgentState, CallContext, MissedStatus } from '../../engine/acd/types.js';
import type { Task, TaskStatus } from '../../engine/store/task-types.js';

export { AGENT_STATES, SELECTABLE_STATES } from '../../engine/acd/types.js';
export type { AgentState, CallContext, MissedStatus };
export type { Principal, Role } from '../../engine/api/principal.js';

export interface AgentView {
  id: string;
  name: string;
  extension: string;
  groups: string[];
  state: AgentState;
  reason: string;
  since: number;
  activity: Activity;
  callId: string | null;
  ringing: boolean;
  /** A state chosen during a call, taken after it. */
  pending: { state: AgentState; reason: string } | null;
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
  /** Talk in calls the agent dialled themselves (click-to-call). */
  outboundTalkMs: number;
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
  callId?: string;
  state?: AgentState;
  reason?: string;
}

import type { CallScript } from '../../engine/acd/guides.js';
import type { CallNotes, PastCall } from '../../engine/store/call-record.js';

export type { CallNotes, CallScript, PastCall };

/** GET /api/calls/:callId/card: what the agent sees about a caller. */
export interface CallCard {
  callId: string;
  queueId: string;
  kind: 'call' | 'callback';
  phase: CallView['phase'];
  number: string;
  /** Null once the call has left the ACD. */
  context: CallContext | null;
  notes: CallNotes;
  history: PastCall[];
  missed: MissedRecord[];
  topics: string[];
  script: CallScript | null;
}

/** GET /api/transfer-targets */
export interface TransferTargets {
  agents: { id: string; name: string; free: boolean }[];
  queues: { id: string; name: string }[];
}

export type { StateSpan, Workday } from '../../engine/acd/workday.js';

/** A supervisor's task for an agent, as GET /api/tasks answers (with its status then). */
export type TaskView = Task & { status: TaskStatus };

export type SupervisorMode = 'listen' | 'whisper' | 'barge';

/** A supervised agent call (GET /api/supervision). */
export interface SupervisionView {
  callId: string;
  agentId: string | null;
  supervisor: { extension: string; mode: SupervisorMode } | null;
  takenOverBy: string | null;
}
