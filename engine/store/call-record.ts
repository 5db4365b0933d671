// A past request as the caller card shows it (plain data: the web console reads these types too).

export interface Note {
  at: number;
  /** The agent id, or the supervisor's / admin's name. */
  by: string;
}

export interface CallNotes {
  topic: (Note & { topic: string }) | null;
  comments: (Note & { text: string })[];
  /** The steps of the queue's call script the agent went through, in order. */
  script: (Note & { path: string[]; finished: boolean }) | null;
}

export type CallOutcome = 'waiting' | 'answered' | 'abandoned' | 'timeout' | 'full' | 'callback' | 'cancelled' | 'overflow' | 'transferred';

export interface PastCall extends CallNotes {
  callId: string;
  kind: 'call' | 'callback';
  /** When the call reached the ACD. */
  at: number;
  number: string;
  dnis: string;
  /** The last queue it was in. */
  queueId: string;
  outcome: CallOutcome;
  /** Agents who answered it, in order (a transfer adds one). */
  agentIds: string[];
  talkMs: number;
  /** Where the last transfer sent it. */
  transferredTo: string | null;
}
