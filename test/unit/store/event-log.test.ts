// The event log's buffered writes: a flush writes whole multi-row INSERTs and then the rest
// row by row, so every count around those boundaries must come back complete, in append
// order, each row with its own fields; and what was appended survives a reopen. The WAL is
// checkpointed by a worker thread when asked (the engine's log is).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { EventLog } from '../../../engine/store/event-log.js';
import { WalCheckpointer } from '../../../engine/store/wal-checkpointer.js';

const dir = mkdtempSync(join(tmpdir(), 'event-log-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

// 0, fewer than one INSERT's rows, exactly one, one more, several and a remainder, and past
// the 1,000-row threshold at which append() flushes by itself.
for (const count of [0, 1, 49, 50, 51, 137, 1234]) {
  t.test(`${count} events in one flush`, async (t) => {
    const file = join(dir, `log-${count}.sqlite`);
    const log = new EventLog(file, 60_000);
    for (let i = 0; i < count; i++) {
      log.append(i % 3 === 0 ? 'call.offered' : 'call.ended', { n: i, note: `event ${i}` }, i % 5 === 0 ? undefined : `call-${i}`, 1_000_000 + i);
    }
    const rows = [...log.scan()];
    t.equal(rows.length, count);
    rows.forEach((e, i) => {
      if (e.ts !== 1_000_000 + i || e.type !== (i % 3 === 0 ? 'call.offered' : 'call.ended') || e.callId !== (i % 5 === 0 ? null : `call-${i}`)) {
        t.fail(`row ${i} is ${JSON.stringify(e)}`);
      }
      if ((e.data as { n: number; note: string }).note !== `event ${i}`) t.fail(`row ${i} data ${JSON.stringify(e.data)}`);
    });
    t.same(
      rows.map((e) => e.id),
      rows.map((_, i) => (rows[0]?.id ?? 0) + i),
      'ids ascend in append order',
    );
    log.close();
    const reopened = new EventLog(file, 60_000);
    t.equal([...reopened.scan()].length, count, 'all of it is on disk');
    reopened.close();
  });
}

t.test('the WAL is copied into the database file by the checkpoint worker, not by the writes', async (t) => {
  const file = join(dir, 'checkpointed.sqlite');
  const log = new EventLog(file, 60_000, { checkpointInWorker: true });
  t.teardown(() => log.close());
  t.equal(log.database.pragma('wal_autocheckpoint', { simple: true }), 0, "the writer's own automatic checkpoint is off");
  const before = statSync(file).size;
  for (let i = 0; i < 3000; i++) log.append('call.offered', { n: i, padding: 'x'.repeat(200) }, `call-${i}`);
  log.flush();
  t.ok(statSync(`${file}-wal`).size > 500_000, 'the rows are in the WAL');
  // A worker starts in tens of ms under plain node, in seconds under the test runner's loader.
  for (const started = Date.now(); !((log.checkpointer?.last?.checkpointed ?? 0) > 0); await sleep(20)) {
    if (Date.now() - started > 60_000) throw new Error('no checkpoint within 60 s');
  }
  t.ok(statSync(file).size > before + 500_000, `the database file grew from ${before} to ${statSync(file).size} bytes`);
  t.equal([...log.scan()].length, 3000, 'and every row reads back');
});

t.test('a checkpoint worker that cannot open the file reports it once', async (t) => {
  const failures: Error[] = [];
  const checkpointer = new WalCheckpointer({ file: join(dir, 'missing.sqlite'), intervalMs: 50, onFailure: (err) => failures.push(err) });
  for (const started = Date.now(); failures.length === 0; await sleep(20)) {
    if (Date.now() - started > 60_000) throw new Error('no failure reported within 60 s');
  }
  await sleep(100);
  t.equal(failures.length, 1);
  t.match(failures[0]!.message, /^the WAL checkpoint worker failed: .*SQLITE_CANTOPEN/);
  await checkpointer.stop();
});
