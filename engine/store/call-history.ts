// A client's past requests, folded from the event log: each call's queue, how it ended, who
// answered, talk time, and what agents noted on it (topic, comments, the call script's path).
// The notes are events of the log too (`call.topic`, `call.comment`, `call.script`), so
// reports and achievements can read them like everything else.
import type { PastCall } from './call-record.js';
import type { EventLog, StoredEvent } from './event-log.js';

export type { CallNotes, CallOutcome, Note, PastCall } from './call-record.js';

const QUEUED = 'acd.call.queued';
const CALLER = '$.context.from';

type Data = Record<string, any>;

/** The digits of a phone number: one client however the number was written. */
export const numberDigits = (number: string) => number.replace(/\D/g, '');

export class CallHistory {
  constructor(private readonly log: EventLog) {
    log.indexDigits(QUEUED, CALLER);
  }

  /** Newest first: calls from `number`, compared by digits (with or without +, spaces, dashes). */
  ofNumber(number: string, limit = 50): PastCall[] {
    const digits = numberDigits(number);
    if (digits === '') return [];
    const callIds = [...new Set(this.log.withDigits(QUEUED, CALLER, digits, limit * 4).map((e) => e.callId!))].slice(0, limit);
    const byCall = new Map<string, StoredEvent[]>();
    for (const e of this.log.ofCalls(callIds)) byCall.set(e.callId!, [...(byCall.get(e.callId!) ?? []), e]);
    return callIds.map((id) => fold(id, byCall.get(id) ?? [])).filter((c): c is PastCall => c !== null);
  }

  /** One call as the log tells it; null if it never reached the ACD. */
  ofCall(callId: string): PastCall | null {
    return fold(callId, this.log.ofCalls([callId]));
  }

  setTopic(callId: string, queueId: string, by: string, topic: string): void {
    this.log.append('call.topic', { queueId, by, topic }, callId);
  }

  addComment(callId: string, queueId: string, by: string, text: string): void {
    this.log.append('call.comment', { queueId, by, text }, callId);
  }

  saveScriptPath(callId: string, queueId: string, by: string, path: string[], finished: boolean): void {
    this.log.append('call.script', { queueId, by, path, finished }, callId);
  }
}

function fold(callId: string, events: StoredEvent[]): PastCall | null {
  let call: PastCall | null = null;
  for (const { type, ts, data } of events as (StoredEvent & { data: Data })[]) {
    if (type === QUEUED) {
      call ??= { callId, kind: data.kind, at: data.at, number: data.context.from, dnis: data.context.dnis, queueId: data.queueId, outcome: 'waiting', agentIds: [], talkMs: 0, transferredTo: null, topic: null, comments: [], script: null };
      call.queueId = data.queueId;
      call.outcome = 'waiting';
      continue;
    }
    if (!call) continue;
    switch (type) {
      case 'acd.call.answered':
        call.outcome = 'answered';
        call.agentIds.push(data.agentId);
        break;
      case 'acd.call.ended':
        // A callback is answered by its agent without a call.answered event.
        if (call.kind === 'callback' && !call.agentIds.includes(data.agentId)) call.agentIds.push(data.agentId);
        if (call.outcome === 'waiting') call.outcome = 'answered';
        call.talkMs += data.talkMs;
        break;
      case 'acd.call.abandoned':
        call.outcome = 'abandoned';
        break;
      case 'acd.call.left':
        call.outcome = data.reason;
        break;
      case 'acd.call.overflowed':
        if (data.target.kind !== 'queue') call.outcome = 'overflow';
        break;
      case 'acd.call.transferred':
        call.outcome = 'transferred';
        call.transferredTo = data.to;
        break;
      case 'call.topic':
        call.topic = { at: ts, by: data.by, topic: data.topic };
        break;
      case 'call.comment':
        call.comments.push({ at: ts, by: data.by, text: data.text });
        break;
      case 'call.script':
        call.script = { at: ts, by: data.by, path: data.path, finished: data.finished };
        break;
    }
  }
  return call;
}
