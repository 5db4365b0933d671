// CDR search as it was before the indexed table (store/cdr-table.ts): every request folds the
// ACD's events from `from` onwards and filters the records in memory. Kept as the reference the
// table's results are checked against (test/unit/store/cdr-table.test.ts) and the "before" of
// bench/cdr-search-bench.ts.
import { AcdJournal } from '../../engine/store/acd-journal.js';
import { foldCdrs, type Cdr, type CdrCursor, type CdrPage, type CdrQuery } from '../../engine/store/cdrs.js';
import type { EventLog } from '../../engine/store/event-log.js';

const digits = (s: string) => s.replace(/\D/g, '');
const newerFirst = (a: Cdr, b: Cdr) => b.startedAt - a.startedAt || (a.callId < b.callId ? 1 : a.callId > b.callId ? -1 : 0);
const after = (c: Cdr, cursor: CdrCursor) => c.startedAt < cursor.startedAt || (c.startedAt === cursor.startedAt && c.callId < cursor.callId);

export function replaySearchCdrs(log: EventLog, q: CdrQuery): CdrPage {
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
      (!q.inQueues || c.queues.some((id) => q.inQueues!.includes(id))),
  );
  matches.sort(newerFirst);
  const cdrs = matches.slice(0, q.limit);
  const last = cdrs[cdrs.length - 1];
  return { cdrs, nextCursor: matches.length > q.limit ? { startedAt: last.startedAt, callId: last.callId } : null };
}
