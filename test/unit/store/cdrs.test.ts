// CDRs derived from the scripted morning's events in a real SQLite event log (the CDR table): one record per
// call with the figures computed by hand, filters, and keyset paging over them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { CdrTable } from '../../../engine/store/cdr-table.js';
import type { CdrQuery } from '../../../engine/store/cdrs.js';
import { EventLog } from '../../../engine/store/event-log.js';
import { S } from '../acd/scenario.js';
import { logScriptedMorning } from './morning-log.js';

const dir = mkdtempSync(join(tmpdir(), 'cdrs-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const log = new EventLog(join(dir, 'events.sqlite'));
t.teardown(() => log.close());
await logScriptedMorning(log);

const table = new CdrTable(log);
t.teardown(() => table.close());
const search = (q: Partial<CdrQuery> = {}) => table.search({ limit: 50, ...q });

t.test('one record per call, newest first, with the hand-computed figures', async (t) => {
  const { cdrs, nextCursor } = search();
  t.same(
    cdrs.map((c) => [c.callId, c.disposition]),
    [
      ['c4', 'in-progress'],
      ['c3', 'abandoned'],
      ['c2', 'answered'],
      ['c1', 'answered'],
    ],
  );
  t.equal(nextCursor, null);
  const byId = Object.fromEntries(cdrs.map((c) => [c.callId, c]));
  t.match(byId.c1, { kind: 'call', from: '+1', dnis: '100', queues: ['q'], agentId: 'a1', startedAt: 0, answeredAt: 10 * S, endedAt: 70 * S, waitMs: 10 * S, talkMs: 60 * S });
  t.match(byId.c2, { agentId: 'a2', startedAt: 20 * S, answeredAt: 50 * S, endedAt: 110 * S, waitMs: 30 * S, talkMs: 60 * S });
  t.match(byId.c3, { agentId: null, answeredAt: null, endedAt: 65 * S, waitMs: 5 * S, talkMs: 0 });
  t.match(byId.c4, { endedAt: null, startedAt: 140 * S });
});

t.test('filters: time, number, agent, queue, disposition, scope', async (t) => {
  const ids = (q: Partial<CdrQuery>) => search(q).cdrs.map((c) => c.callId);
  t.same(ids({ from: 20 * S, to: 60 * S }), ['c3', 'c2'], 'started within [from, to]');
  t.same(ids({ number: '3' }), ['c3'], 'caller number digits');
  t.same(ids({ number: '100' }), ['c4', 'c3', 'c2', 'c1'], 'or dialled number');
  t.same(ids({ agentId: 'a2' }), ['c2']);
  t.same(ids({ queueId: 'nope' }), []);
  t.same(ids({ disposition: 'answered' }), ['c2', 'c1']);
  t.same(ids({ inQueues: ['q'] }), ['c4', 'c3', 'c2', 'c1'], "a supervisor's queues");
  t.same(ids({ inQueues: [] }), [], 'no queue seen, no call');
});

t.test('keyset paging: pages of two cover every record once', async (t) => {
  const first = search({ limit: 2 });
  t.same(first.cdrs.map((c) => c.callId), ['c4', 'c3']);
  t.same(first.nextCursor, { startedAt: 60 * S, callId: 'c3' });
  const second = search({ limit: 2, cursor: first.nextCursor! });
  t.same(second.cdrs.map((c) => c.callId), ['c2', 'c1']);
  t.equal(second.nextCursor, null, 'the last page has no cursor');
});
