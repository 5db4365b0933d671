// The stored CDR table against the replay it replaced (bench/lib/cdr-replay.ts): on the scripted
// morning and a few thousand synthetic calls of every outcome, every query answers the same
// page, page after page; it follows new events incrementally, survives a restart without a
// rebuild, and rebuilds itself when dropped (in the background; a search finishes it first).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { CdrTable } from '../../../engine/store/cdr-table.js';
import type { CdrPage, CdrQuery } from '../../../engine/store/cdrs.js';
import { EventLog } from '../../../engine/store/event-log.js';
import { replaySearchCdrs } from '../../../bench/lib/cdr-replay.js';
import { writeCalls } from '../../../bench/lib/cdr-workload.js';
import { logScriptedMorning } from './morning-log.js';

const dir = mkdtempSync(join(tmpdir(), 'cdr-table-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'events.sqlite');

let log = new EventLog(file);
await logScriptedMorning(log);
const firstEnd = writeCalls(log, { calls: 2000, seed: 7, startAt: 1_000_000, queues: 5, agents: 20, callers: 400 });

type Query = Omit<CdrQuery, 'limit'>;
const queries: [string, Query][] = [
  ['all', {}],
  ['a time window', { from: 2_000_000, to: 3_000_000 }],
  ['from only', { from: 3_500_000 }],
  ['a whole number', { number: '+7 (900) 000-79-19' }],
  ['a few digits', { number: '123' }],
  ['one digit', { number: '3' }],
  ['two digits, the scripted morning too', { number: '10' }],
  ['an agent', { agentId: 'a3' }],
  ['a queue (overflow adds the second)', { queueId: 'q2' }],
  ['a disposition', { disposition: 'abandoned' }],
  ['still waiting', { disposition: 'in-progress' }],
  ['transferred, of one agent', { disposition: 'transferred', agentId: 'a1' }],
  ['queue and number', { queueId: 'q1', number: '900' }],
  ['a supervisor scope', { inQueues: ['q0', 'q4'] }],
  ['a supervisor scope and a number', { inQueues: ['q3'], number: '900' }],
  ['nothing', { agentId: 'nobody' }],
];

/**
 * Replays the whole log, with `from` as a filter: the replay read events from `from` on, so a
 * call queued before it that overflowed after it came back as a call begun at the overflow.
 */
function replay(q: CdrQuery) {
  const all = replaySearchCdrs(log, { ...q, from: undefined, limit: Number.MAX_SAFE_INTEGER }).cdrs.filter((c) => q.from === undefined || c.startedAt >= q.from);
  const cdrs = all.slice(0, q.limit);
  const last = cdrs[cdrs.length - 1];
  return { cdrs, nextCursor: all.length > q.limit ? { startedAt: last.startedAt, callId: last.callId } : null };
}

/** Every page of `q` (limit 211, so pages end anywhere), as the table and as the replay answer it. */
function pages(table: CdrTable, q: Query) {
  const out: { table: CdrPage; replay: CdrPage }[] = [];
  let cursor: CdrQuery['cursor'];
  for (let i = 0; i < 100; i++) {
    const asked = { ...q, limit: 211, cursor };
    const mine = table.search(asked);
    out.push({ table: mine, replay: replay(asked) });
    if (!mine.nextCursor) break;
    cursor = mine.nextCursor;
  }
  return out;
}

function sameAsReplay(t: Test, table: CdrTable) {
  for (const [what, q] of queries) {
    const all = pages(table, q);
    const found = all.reduce((n, p) => n + p.table.cdrs.length, 0);
    t.same(
      all.map((p) => p.table),
      all.map((p) => p.replay),
      `${what}: ${all.length} page(s), ${found} records, equal`,
    );
    if (what !== 'nothing') t.ok(found > 0, `${what} finds calls`);
  }
}

t.test('every query pages exactly as the replay did', async (t) => {
  const table = new CdrTable(log);
  sameAsReplay(t, table);
  const all = table.search({ limit: 500 });
  t.equal(all.cdrs.length, 500);
  t.ok(new Set(all.cdrs.map((c) => c.disposition)).size >= 8, 'the history has calls of every outcome');
  table.close();
});

t.test('a call queued before `from` that overflowed after it keeps its own start', async (t) => {
  const table = new CdrTable(log);
  const window = { from: 2_000_000, to: 3_000_000, limit: 5000 };
  const mine = new Set(table.search(window).cdrs.map((c) => c.callId));
  const byId = new Map(table.search({ limit: 5000 }).cdrs.map((c) => [c.callId, c]));
  const extra = replaySearchCdrs(log, window).cdrs.filter((c) => !mine.has(c.callId));
  t.ok(extra.length > 0, `the old replay reported ${extra.length} such call(s) as begun in the window`);
  for (const c of extra) {
    const real = byId.get(c.callId)!;
    t.ok(real.startedAt < window.from && real.queues.length === 2 && real.queues[1] === c.queues[0], `${c.callId} began at ${real.startedAt} in ${real.queues[0]}`);
  }
  table.close();
});

t.test('calls appended later are folded in incrementally, including ones begun before', async (t) => {
  const table = new CdrTable(log);
  const before = table.search({ limit: 1 }).cdrs[0];
  writeCalls(log, { calls: 500, seed: 8, startAt: firstEnd, queues: 5, agents: 20, callers: 400 });
  t.not(table.search({ limit: 1 }).cdrs[0].callId, before.callId, 'the newest call is a new one');
  sameAsReplay(t, table);
  table.close();
});

t.test("other events move the mark too, so a catch-up reads only what came since the last one", async (t) => {
  const table = new CdrTable(log);
  const mark = () => (log.database.prepare("SELECT last_event_id FROM derived_marks WHERE name = 'cdrs'").get() as { last_event_id: number }).last_event_id;
  const lastEvent = () => (log.database.prepare('SELECT max(id) AS id FROM events').get() as { id: number }).id;
  const newest = table.search({ limit: 1 }).cdrs[0];
  for (let i = 0; i < 2000; i++) log.append('sip.call.ended', { n: i }, `plain-${i}`);
  table.catchUp();
  t.equal(mark(), lastEvent(), 'past 2,000 events of extension calls, none of them a CDR');
  t.equal(table.search({ limit: 1 }).cdrs[0].callId, newest.callId, 'and no CDR from them');
  const end = writeCalls(log, { calls: 50, seed: 9, startAt: firstEnd + 10_000_000, queues: 5, agents: 20, callers: 400 });
  for (let i = 0; i < 100; i++) log.append('sip.call.ended', { n: i }, `plain-after-${i}`);
  table.catchUp();
  t.equal(mark(), lastEvent(), 'past the ACD calls and what followed them');
  t.ok(table.search({ from: firstEnd + 10_000_000, to: end, limit: 100 }).cdrs.length > 0, 'the ACD calls are in');
  sameAsReplay(t, table);
  table.close();
});

t.test('a restart finds the table and its mark; a dropped table is rebuilt', async (t) => {
  log.close();
  log = new EventLog(file);
  const mark = () => log.database.prepare("SELECT last_event_id FROM derived_marks WHERE name = 'cdrs'").get() as { last_event_id: number };
  const lastEvent = (log.database.prepare('SELECT max(id) AS id FROM events').get() as { id: number }).id;
  t.equal(mark().last_event_id, lastEvent, 'the mark stands at the last event');
  const reopened = new CdrTable(log);
  sameAsReplay(t, reopened);
  reopened.close();
  log.database.exec('DROP TABLE cdrs; DROP TABLE cdr_queues; DROP TABLE cdr_numbers; DELETE FROM derived_marks');
  const rebuilt = new CdrTable(log);
  t.ok(mark().last_event_id < lastEvent, 'the rebuild goes on in the background, a batch per turn of the event loop');
  sameAsReplay(t, rebuilt);
  t.equal(mark().last_event_id, lastEvent, 'a search finished it: rebuilt up to the last event');
  rebuilt.close();
  log.close();
});
