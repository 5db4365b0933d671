// The event log's buffered writes: a flush writes whole multi-row INSERTs and then the rest
// row by row, so every count around those boundaries must come back complete, in append
// order, each row with its own fields; and what was appended survives a reopen, whether the
// calling thread writes or a worker thread does (the engine's log), which also checkpoints the
// WAL; if that worker fails, nothing appended is lost.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { EventLog } from '../../../engine/store/event-log.js';

const dir = mkdtempSync(join(tmpdir(), 'event-log-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

// 0, fewer than one INSERT's rows, exactly one, one more, several and a remainder, and past
// the 1,000-row threshold at which append() flushes by itself.
for (const [count, writeInWorker] of [0, 1, 49, 50, 51, 137, 1234].flatMap((n) => [[n, false] as const, [n, true] as const])) {
  t.test(`${count} events in one flush, written ${writeInWorker ? 'by the worker' : 'here'}`, async (t) => {
    const file = join(dir, `log-${count}-${writeInWorker}.sqlite`);
    const log = new EventLog(file, 60_000, { writeInWorker });
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

t.test('the writer worker copies the WAL into the database file; the calling thread does not', async (t) => {
  const file = join(dir, 'checkpointed.sqlite');
  const log = new EventLog(file, 60_000, { writeInWorker: true });
  t.teardown(() => log.close());
  t.equal(log.database.pragma('wal_autocheckpoint', { simple: true }), 0, "the calling thread's automatic checkpoint is off");
  const before = statSync(file).size;
  // About 6 MB of rows: past SQLite's automatic checkpoint (1,000 pages of 4 KiB) of the worker's connection.
  for (let i = 0; i < 20_000; i++) log.append('call.offered', { n: i, padding: 'x'.repeat(250) }, `call-${i}`);
  t.equal([...log.scan()].length, 20_000, 'every row reads back as soon as it was appended');
  t.ok(statSync(file).size > before + 2_000_000, `the database file grew from ${before} to ${statSync(file).size} bytes`);
});

t.test('a writer worker that fails leaves its rows to the calling thread: nothing appended is lost', async (t) => {
  const file = join(dir, 'busy.sqlite');
  const failures: Error[] = [];
  const log = new EventLog(file, 60_000, { writeInWorker: true, workerBusyTimeoutMs: 100, onWriterFailure: (err) => failures.push(err) });
  t.teardown(() => log.close());
  // The calling thread holds the write lock longer than the worker waits for it.
  log.database.exec('BEGIN IMMEDIATE');
  for (let i = 0; i < 300; i++) log.append('call.offered', { n: i }, `call-${i}`);
  log.flush();
  log.append('call.ended', { n: 300 }, 'call-300');
  log.flush();
  for (const started = Date.now(); failures.length === 0; await sleep(20)) {
    if (Date.now() - started > 60_000) throw new Error('no failure reported within 60 s');
  }
  log.database.exec('COMMIT');
  log.append('call.ended', { n: 301 }, 'call-301');
  const rows = [...log.scan()];
  t.equal(failures.length, 1, 'reported once');
  t.match(failures[0]!.message, /^the event writer worker failed: database is locked/);
  t.same(
    rows.map((e) => (e.data as { n: number }).n),
    Array.from({ length: 302 }, (_, i) => i),
    'every row, once, in append order',
  );
  t.equal(log.database.pragma('wal_autocheckpoint', { simple: true }), 1000, 'the calling thread checkpoints again');
});
