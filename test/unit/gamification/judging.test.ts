// The judging worker reads the event log over a read-only connection (the engine is the log's one
// writer): it judges a scripted day exactly as the event loop would, and can write nothing, not
// even create a log file that is not there.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { builtinAchievements } from '../../../engine/gamification/achievement-rules.js';
import { Judging } from '../../../engine/gamification/judging.js';
import { periodOf } from '../../../engine/gamification/periods.js';
import { standings, type StandingsRequest } from '../../../engine/gamification/standings.js';
import { EventLog, EventLogReader } from '../../../engine/store/event-log.js';
import { DAY, NEXT_DAY, writeScriptedDay } from './scripted-day.js';

const dir = mkdtempSync(join(tmpdir(), 'judging-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'events.sqlite');
const log = new EventLog(file);
writeScriptedDay(log);
t.teardown(() => log.close());

const request: StandingsRequest = { period: periodOf('day', DAY), defs: builtinAchievements(4), now: NEXT_DAY, sprinterMs: 4000 };

t.test('a reader sees what the writer wrote, and SQLite refuses every write on its connection', async (t) => {
  log.flush();
  const reader = new EventLogReader(file);
  t.teardown(() => reader.close());
  const written = [...log.scan()];
  t.ok(written.length > 0);
  t.same([...reader.scan()], written, 'the same events');
  t.throws(() => reader.database.exec(`INSERT INTO events (ts, type, call_id, data) VALUES (0, 'x', NULL, '{}')`), { code: 'SQLITE_READONLY' }, 'no insert');
  t.throws(() => reader.database.exec('CREATE TABLE scratch (x)'), { code: 'SQLITE_READONLY' }, 'no new table');
  t.equal(log.recent(1)[0].id, written[written.length - 1].id, 'nothing was added');
});

t.test('the worker judges over its read-only connection what the event loop judges', async (t) => {
  const judging = new Judging(log);
  t.teardown(() => judging.close());
  const inline = standings(log, request);
  t.ok(inline.length > 0, 'the scripted day has winners');
  t.same(await judging.standings(request), inline);
});

t.test('pointed at a log that does not exist, the worker fails the judgement and creates nothing', async (t) => {
  const missing = join(dir, 'absent.sqlite');
  const judging = new Judging({ file: missing, commit: () => undefined });
  t.teardown(() => judging.close());
  await t.rejects(judging.standings(request), /judging failed: unable to open database file/);
  t.notOk(existsSync(missing), 'no file made');
});

t.test('with the log written on its writer thread, a judgement reads every event appended before it', async (t) => {
  const own = join(dir, 'written-in-worker.sqlite');
  const inWorker = new EventLog(own, undefined, { writeInWorker: true });
  t.teardown(() => inWorker.close());
  const judging = new Judging(inWorker);
  t.teardown(() => judging.close());
  t.same(await judging.standings(request), [], 'an empty log: no winners (and the worker is up)');
  // Appended and judged at once: the judging worker must not read before the writer committed.
  writeScriptedDay(inWorker);
  const judged = await judging.standings(request);
  t.same(judged, standings(log, request), 'the same winners as the log written on the event loop');
});
