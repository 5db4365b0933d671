// The ACD's events go to a real SQLite event log; a new ACD rebuilt from that file has the same
// agents, queues, states and missed calls, and metrics computed from the log match.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Acd, AcdMetrics } from '../../../engine/acd/index.js';
import { AcdJournal } from '../../../engine/store/acd-journal.js';
import { EventLog } from '../../../engine/store/event-log.js';
import { Recorder, ScriptedPhones } from '../acd/phones.js';
import { scriptedMorning } from '../acd/scenario.js';
import { expectedQueue } from '../acd/metrics.test.js';

const dir = mkdtempSync(join(tmpdir(), 'acd-journal-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'events.sqlite');

t.test('rebuild after a clean shutdown', async (t) => {
  const clock = { t: 0 };
  const log = new EventLog(file);
  const acd = new Acd({ now: () => clock.t });
  new AcdJournal(log, acd);
  const rec = new Recorder(acd);
  await scriptedMorning(acd, clock);
  acd.attachContext('+9', { page: '/promo' });
  const [c3] = acd.missed.list();
  const phones = new ScriptedPhones();
  phones.clients.set('+3', 'busy');
  acd.attachDialer(phones);
  acd.defineAgent({ id: 'x1', extension: '2999', groups: ['callbacks'] }); // serves no queue: c4 keeps waiting
  acd.setState('x1', 'outbound');
  acd.takeCallback(c3.id, 'x1');
  await rec.next('missed.attempt');
  acd.setState('a2', 'dnd', 'training');
  acd.close();
  log.close();

  const reopened = new EventLog(file);
  const rebuilt = new Acd({ now: () => clock.t });
  new AcdJournal(reopened, rebuilt);
  rebuilt.restore(AcdJournal.events(reopened));
  t.same(rebuilt.allQueues().map((q) => q.config), acd.allQueues().map((q) => q.config));
  t.same(rebuilt.allAgents().map((a) => a.profile), acd.allAgents().map((a) => a.profile));
  t.match(rebuilt.agent('x1'), { state: 'available', reason: 'restart' }, 'wrap-up does not survive a restart');
  t.match(rebuilt.agent('a1'), { state: 'break' });
  t.match(rebuilt.agent('a2'), { state: 'dnd', reason: 'training' });
  t.equal(rebuilt.queue('q').free.size, 0);
  const missed = rebuilt.missed.list().sort((a, b) => a.missedAt - b.missedAt);
  t.match(missed, [
    { callId: 'c3', number: '+3', status: 'not-reached', attempts: [{ agentId: 'x1', result: 'busy' }] },
    { callId: 'c4', number: '+4', status: 'not-called-back', reason: 'abandoned' },
  ], 'the caller waiting at shutdown became a missed call');

  const metrics = new AcdMetrics();
  for (const e of AcdJournal.events(reopened)) metrics.apply(e);
  t.match(metrics.report(clock.t).queues, [{ ...expectedQueue, abandoned: 2, abandonmentRate: 2 / 4, waitingNow: 0, longestWaitMs: 0 }]);
  t.equal(metrics.report(clock.t).missed.q.total, 2);

  const phones2 = new ScriptedPhones();
  rebuilt.attachDialer(phones2);
  rebuilt.setState('a1', 'available');
  await rebuilt.enqueue('q', { callId: 'c5', from: '+9', dnis: '100' });
  t.same(phones2.offers[0].context.attached, { page: '/promo' }, 'context attached before the restart still waits for its call');
  rebuilt.close();
  reopened.close();
});

t.test('events are appended in order and survive reopening with nothing lost', async (t) => {
  const log = new EventLog(join(dir, 'order.sqlite'), 10_000);
  const acd = new Acd();
  new AcdJournal(log, acd);
  acd.defineQueue({ id: 'q', groups: ['g'] });
  acd.defineAgent({ id: 'a', extension: '1', groups: ['g'] });
  for (let i = 0; i < 500; i++) acd.setState('a', i % 2 ? 'break' : 'available', `r${i}`);
  acd.close();
  log.close(); // the flush timer never fired: close() must write the buffer
  const reopened = new EventLog(join(dir, 'order.sqlite'));
  const reasons = [...AcdJournal.events(reopened)].flatMap((e) => (e.type === 'agent.state' ? [e.reason] : []));
  t.equal(reasons.length, 500);
  t.same(reasons.slice(0, 3), ['r0', 'r1', 'r2']);
  t.equal(reopened.recent(1)[0].type, 'acd.agent.state');
  reopened.close();
});
