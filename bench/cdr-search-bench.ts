// CDR search, before and after the stored table: a synthetic history of N calls (every
// outcome, repeat callers, overflow) is written into a temporary SQLite event log; each query
// is answered by the old replay (fold the whole log per request, bench/lib/cdr-replay.ts) and
// by the indexed CDR table (engine/store/cdr-table.ts), and the table's own costs are timed:
// the build from the whole log (a first start), a restart that finds it, and catching up on
// new calls. Prints one JSON object.
//
//   npm run bench:cdr [-- --calls 100000 --runs 5 --replay-runs 1]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CdrTable } from '../engine/store/cdr-table.js';
import type { CdrQuery } from '../engine/store/cdrs.js';
import { EventLog } from '../engine/store/event-log.js';
import { numberOption } from './lib/argv.js';
import { replaySearchCdrs } from './lib/cdr-replay.js';
import { writeCalls } from './lib/cdr-workload.js';

const calls = numberOption('--calls', 100_000);
const runs = numberOption('--runs', 5);
/** The replay takes seconds per query on a big log: timed fewer times. */
const replayRuns = numberOption('--replay-runs', 1);
const workload = { seed: 1, startAt: 1_700_000_000_000, queues: 50, agents: 500, callers: Math.max(1, Math.floor(calls / 5)) };

const ms = (fn: () => unknown): number => {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number) => +x.toFixed(2);

const dir = mkdtempSync(join(tmpdir(), 'cdr-bench-'));
const file = join(dir, 'events.sqlite');
try {
  let log = new EventLog(file);
  process.stderr.write(`writing ${calls} calls…\n`);
  const written = ms(() => writeCalls(log, { ...workload, calls }));
  const events = (log.database.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  let table!: CdrTable;
  // The engine builds it in the background, a batch per turn of the event loop: here all at once.
  const build = ms(() => {
    table = new CdrTable(log);
    table.catchUp();
  });
  table.close();
  log.close();
  log = new EventLog(file);
  const reopen = ms(() => (table = new CdrTable(log)));

  const newest = table.search({ limit: 1 }).cdrs[0];
  const tenthPage = (() => {
    let cursor: CdrQuery['cursor'];
    for (let i = 0; i < 9; i++) cursor = table.search({ limit: 50, cursor }).nextCursor ?? undefined;
    return cursor;
  })();
  const queries: [string, CdrQuery][] = [
    ['first page, no filter', { limit: 50 }],
    ['tenth page (cursor)', { limit: 50, cursor: tenthPage }],
    ['last hour', { limit: 50, from: newest.startedAt - 3_600_000 }],
    ['a whole number', { limit: 50, number: newest.from }],
    ['4 digits of a number', { limit: 50, number: newest.from.replace(/\D/g, '').slice(-4) }],
    ['an agent', { limit: 50, agentId: 'a7' }],
    ['a queue', { limit: 50, queueId: 'q7' }],
    ['a disposition', { limit: 50, disposition: 'voicemail' }],
    ['a supervisor (2 of 50 queues)', { limit: 50, inQueues: ['q1', 'q2'] }],
  ];
  const results = queries.map(([name, q]) => {
    process.stderr.write(`${name}…\n`);
    const replay = median(Array.from({ length: replayRuns }, () => ms(() => replaySearchCdrs(log, q))));
    const stored = median(Array.from({ length: runs }, () => ms(() => table.search(q))));
    return { query: name, replayMs: round(replay), tableMs: round(stored), speedup: Math.round(replay / stored) };
  });

  // A search after 1,000 more calls folds them in first.
  const moreAt = newest.startedAt + 60_000;
  writeCalls(log, { ...workload, seed: 2, startAt: moreAt, calls: 1000 });
  const catchUp = ms(() => table.search({ limit: 50 }));
  table.close();
  log.close();
  console.log(
    JSON.stringify(
      {
        node: process.version,
        calls,
        events,
        dbMB: round(statSync(file).size / 1e6),
        writeEventsMs: Math.round(written),
        tableBuildFromLogMs: Math.round(build),
        restartWithTableMs: round(reopen),
        searchAfter1000NewCallsMs: round(catchUp),
        runs,
        replayRuns,
        queries: results,
      },
      null,
      2,
    ),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
