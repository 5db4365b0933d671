// The event log's buffered writes: a flush writes whole multi-row INSERTs and then the rest
// row by row, so every count around those boundaries must come back complete, in append
// order, each row with its own fields; and what was appended survives a reopen.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { EventLog } from '../../../engine/store/event-log.js';

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
