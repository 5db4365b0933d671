// Call detail records of the contact centre, derived from the ACD's events in the event log
// (DESIGN.md: events are the source of truth), searched with filters and keyset paging.
import type { AcdEvent } from '../acd/index.js';
import { AcdJournal } from './acd-journal.js';
import type { EventLog } from './event-log.js';

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
  /** Which records the asker may see (role scope). */
  visible?: (cdr: Cdr) => boolean;
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

const digits = (s: string) => s.replace(/\D/g, '');

/** Folds ACD events into one record per call. */
export function foldCdrs(events: Iterable<AcdEvent>): Map<string, Cdr> {
  const cdrs = new Map<string, Cdr>();
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

const newerFirst = (a: Cdr, b: Cdr) => b.startedAt - a.startedAt || (a.callId < b.callId ? 1 : a.callId > b.callId ? -1 : 0);
const after = (c: Cdr, cursor: CdrCursor) => c.startedAt < cursor.startedAt || (c.startedAt === cursor.startedAt && c.callId < cursor.callId);

export function searchCdrs(log: EventLog, q: CdrQuery): CdrPage {
  const events = AcdJournal.events(log, undefined, q.from);
  const number = q.number === undefined ? undefined : digits(q.number);
  const matches = [...foldCdrs(events).values()].filter(
    (c) =>
      (q.from === undefined || c.startedAt >= q.from) &&
      (q.to === undefined || c.startedAt <= q.to) &&
      (number === undefined || digits(c.from).includes(number) || digits(c.dnis).includes(number)) &&
      (q.agentId === undefined || c.agentId === q.agentId) &&
      (q.queueId === undefined || c.queues.includes(q.queueId)) &&
      (q.disposition === undefined || c.disposition === q.disposition) &&
      (!q.cursor || after(c, q.cursor)) &&
      (!q.visible || q.visible(c)),
  );
  matches.sort(newerFirst);
  const cdrs = matches.slice(0, q.limit);
  const last = cdrs[cdrs.length - 1];
  return { cdrs, nextCursor: matches.length > q.limit ? { startedAt: last.startedAt, callId: last.callId } : null };
}
