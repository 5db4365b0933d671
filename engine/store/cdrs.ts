// Call detail records of the contact centre, derived from the ACD's events in the event log
// (DESIGN.md: events are the source of truth): the record, its query, and the fold from events.
// store/cdr-table.ts keeps them in an indexed table and searches it.
import type { AcdEvent } from '../acd/index.js';

export const DISPOSITIONS = ['in-progress', 'answered', 'transferred', 'abandoned', 'timeout', 'full', 'callback', 'overflow', 'voicemail', 'cancelled'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

export interface Cdr {
  callId: string;
  /** 'call': an inbound caller; 'callback': the ACD calling a missed caller back. */
  kind: 'call' | 'callback';
  /** The caller's number (for a callback: the number called back). */
  from: string;
  dnis: string;
  /** Every queue the call waited in, first one first (overflow adds more). */
  queues: string[];
  /** The agent who answered (null if nobody did). */
  agentId: string | null;
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  waitMs: number;
  talkMs: number;
  disposition: Disposition;
}

export interface CdrQuery {
  /** startedAt within [from, to] (epoch ms). */
  from?: number;
  to?: number;
  /** Digits found in the caller's or the dialled number. */
  number?: string;
  agentId?: string;
  queueId?: string;
  disposition?: Disposition;
  /** Only calls that waited in one of these queues (a supervisor's scope). */
  inQueues?: readonly string[];
  limit: number;
  /** From the previous page's `nextCursor`. */
  cursor?: CdrCursor;
}

/** Where a page ended: records come newest first, by start time then call-id. */
export interface CdrCursor {
  startedAt: number;
  callId: string;
}

export interface CdrPage {
  cdrs: Cdr[];
  /** Pass as `cursor` for the next page; null when there is none. */
  nextCursor: CdrCursor | null;
}

/**
 * Folds ACD events into one record per call; `cdrs` holds the records of calls begun earlier
 * (a table catching up passes those the new events touch), and is updated in place.
 */
export function foldCdrs(events: Iterable<AcdEvent>, cdrs = new Map<string, Cdr>()): Map<string, Cdr> {
  for (const e of events) {
    if (!e.callId) continue;
    if (e.type === 'call.queued') {
      const cdr = cdrs.get(e.callId);
      if (cdr) cdr.queues.push(e.queueId); // an overflow to another queue
      else
        cdrs.set(e.callId, {
          callId: e.callId,
          kind: e.kind,
          from: e.context.from,
          dnis: e.context.dnis,
          queues: [e.queueId],
          agentId: null,
          startedAt: e.at,
          answeredAt: null,
          endedAt: null,
          waitMs: 0,
          talkMs: 0,
          disposition: 'in-progress',
        });
      continue;
    }
    const cdr = cdrs.get(e.callId);
    if (!cdr) continue; // the call started before the scanned interval
    const end = (disposition: Disposition) => {
      cdr.disposition = disposition;
      cdr.endedAt = e.at;
    };
    switch (e.type) {
      case 'call.answered':
        cdr.agentId = e.agentId;
        cdr.answeredAt = e.at;
        cdr.waitMs = e.waitMs;
        break;
      case 'call.ended':
        cdr.agentId = e.agentId;
        cdr.talkMs = e.talkMs;
        // A callback's client leg connects without a call.answered.
        cdr.answeredAt ??= e.at - e.talkMs;
        if (cdr.disposition !== 'transferred') end('answered');
        else cdr.endedAt = e.at;
        break;
      case 'call.transferred':
        end('transferred');
        break;
      case 'call.abandoned':
        cdr.waitMs = e.waitMs;
        end('abandoned');
        break;
      case 'call.left':
        cdr.waitMs = e.waitMs;
        end(e.reason);
        break;
      case 'call.overflowed':
        if (e.target.kind === 'queue') break; // a call.queued for the next queue follows
        cdr.waitMs = e.waitMs;
        end(e.target.kind === 'voicemail' ? 'voicemail' : 'overflow');
        break;
    }
  }
  return cdrs;
}
