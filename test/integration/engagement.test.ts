// Gamification and alerts through the running engine: an alert rule defined over REST fires
// after its hold-down when callers wait, and clears when they leave, delivered to the console
// (WebSocket stream), a real local HTTP webhook and a real SMTP server process (aiosmtpd);
// achievements of a scripted past day judged over REST and seen per role; a quest advanced
// by an agent's real state changes; the agent window's real topic and comment routes advance a
// quest and put the agent on course for Librarian.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine } from '../../engine/server.js';
import { Recorder, ScriptedPhones } from '../unit/acd/phones.js';
import { SmtpServer } from '../peers/smtp-server.js';
import { DAY, writeScriptedDay } from '../unit/gamification/scripted-day.js';
import { acdTestConfig } from './acd-fixture.js';
import { Client, Stream } from './api-client.js';

const dataDir = mkdtempSync(join(tmpdir(), 'engagement-'));
t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));

const smtp = await SmtpServer.start();
t.teardown(() => smtp.stop());

// The webhook: a real HTTP server on loopback collecting the JSON bodies it is sent.
const hooks: any[] = [];
const hookServer = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    hooks.push({ method: req.method, type: req.headers['content-type'], body: JSON.parse(body) });
    res.writeHead(204).end();
  });
});
await new Promise<void>((resolve) => hookServer.listen(0, '127.0.0.1', resolve));
t.teardown(() => hookServer.close());
const hookPort = (hookServer.address() as { port: number }).port;

const config = acdTestConfig(dataDir);
config.alerts.tickMs = 100;
config.alerts.smtp = { ...config.alerts.smtp, host: '127.0.0.1', port: smtp.port, from: 'alerts@switchyard.test', timeoutMs: 5000 };
const engine = await startEngine(config);
t.teardown(() => engine.stop());
const port = (engine.events.recent(1, 'engine.started')[0].data as { http: number }).http;
const base = `http://127.0.0.1:${port}`;
const admin = new Client(base, 'admin-token');
const sup = new Client(base, 'sup-token');

const until = async <T>(what: string, get: () => T | undefined, timeoutMs = 10_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

t.test('an alert fires after its hold-down and clears, to the console, a webhook and e-mail', async (t) => {
  const rule = {
    name: 'Callers waiting',
    kpi: 'waitingNow',
    op: '>=',
    value: 2,
    queueId: 'support',
    forMs: 500,
    channels: { webhook: `http://127.0.0.1:${hookPort}/alerts`, email: ['olga@example.org'] },
  };
  t.match(await sup.call('PUT', '/api/alerts/rules/waiting', rule), { status: 403 }, 'only an admin defines rules');
  t.match(await admin.call('PUT', '/api/alerts/rules/waiting', { ...rule, op: '!' }), { status: 400, body: { error: 'invalid', message: /op must be one of/ } });
  t.match(await admin.call('PUT', '/api/alerts/rules/waiting', rule), { status: 200, body: { id: 'waiting', forMs: 500 } });
  const console = await Stream.open(port, 'sup-token');

  // Nobody is logged in: callers wait in support.
  const acd = engine.contactCentre.acd;
  const first = acd.enqueue('support', { callId: 'w1', from: '+15550001', dnis: '100' });
  await new Promise((r) => setTimeout(r, 700));
  t.same((await sup.call('GET', '/api/alerts')).body.active, [], 'one waiting is below the threshold');
  const second = acd.enqueue('support', { callId: 'w2', from: '+15550002', dnis: '100' });
  const queuedAt = Date.now();
  const fired = await console.until((f) => f.type === 'alert.fired');
  t.ok(Date.now() - queuedAt >= 500, 'not before the hold-down');
  t.match(fired.alert, { ruleId: 'waiting', subject: 'queue:support', queueId: 'support', value: 2, threshold: 2 });
  t.match((await sup.call('GET', '/api/alerts')).body.active, [{ ruleId: 'waiting' }], 'the supervisor of support sees it');

  acd.abandon('w1');
  const cleared = await console.until((f) => f.type === 'alert.cleared');
  t.equal(cleared.alert.id, fired.alert.id);
  t.ok(cleared.alert.clearedAt >= fired.alert.firedAt);
  acd.abandon('w2');
  await Promise.all([first, second]);

  const [hookFired, hookCleared] = await until('two webhook posts', () => (hooks.length >= 2 ? hooks : undefined));
  t.match(hookFired, { method: 'POST', type: 'application/json', body: { type: 'alert.fired', alert: { id: fired.alert.id, value: 2 } } });
  t.match(hookCleared, { body: { type: 'alert.cleared', alert: { id: fired.alert.id } } }, 'cleared after fired');

  const [mailFired, mailCleared] = await smtp.waitFor(2);
  t.match(mailFired, /^Subject: \[Switchyard\] ALERT: Callers waiting \(queue support\)$/m);
  t.match(mailFired, /^X-RcptTo: olga@example.org$/m);
  t.match(mailFired, /waitingNow >= 2 for queue support\.\r?\nReading: 2/);
  t.match(mailCleared, /^Subject: \[Switchyard\] cleared: Callers waiting \(queue support\)$/m);
  t.match(mailCleared, /Cleared at: /);

  const history = await admin.call('GET', '/api/alerts');
  t.same(history.body.active, []);
  t.equal(history.body.cleared[0].id, fired.alert.id);
  t.match(await admin.call('DELETE', '/api/alerts/rules/waiting'), { status: 200 });
  t.match(await admin.call('DELETE', '/api/alerts/rules/waiting'), { status: 404 });
  console.ws.close();
});

t.test('achievements of a past day over REST, seen by role', async (t) => {
  writeScriptedDay(engine.events); // agents a1, a2 (support) and a3, a5 (no longer configured)
  const agentLogin = await new Client(base, null).call('POST', '/api/session', { extension: '1001', password: 'secret-1001' });
  const agent = new Client(base, agentLogin.body.token);

  t.match(await agent.call('PUT', '/api/achievements/busy-bee', { name: 'Busy bee', rule: { metric: 'answered', op: '>=', value: 2 } }), { status: 403 });
  t.match(await admin.call('PUT', '/api/achievements/busy-bee', { name: 'Busy bee', rule: { metric: 'answerd', op: '>=', value: 2 } }), { status: 400, body: { message: /metric must be one of/ } });
  t.match(await admin.call('PUT', '/api/achievements/busy-bee', { name: 'Busy bee', rule: { metric: 'answered', op: '>=', value: 2 } }), { status: 200 });
  t.same((await agent.call('GET', '/api/achievements')).body.map((d: any) => d.id), ['sprinter', 'goalkeeper', 'speaker', 'librarian', 'busy-bee']);
  t.match(await admin.call('POST', '/api/achievements/judge', { period: 'day', at: Date.now() }), { status: 409 }, 'today has not ended');

  const agentStream = await Stream.open(port, agentLogin.body.token);
  const judged = await admin.call('POST', '/api/achievements/judge', { period: 'day', at: new Date(DAY + 3600_000).toISOString() });
  t.equal(judged.status, 200);
  t.equal(judged.body.period.start, DAY);
  t.equal(judged.body.granted.length, 8, 'as in the unit test: sprinter 1, goalkeeper 3, speaker 1, librarian 2, busy-bee 1');
  const own = await agent.call('GET', '/api/achievements/grants');
  t.same(own.body.map((g: any) => `${g.agentId}:${g.achievementId}`).sort(), ['a1:busy-bee', 'a1:librarian'], 'an agent sees their own');
  t.match(await agent.call('GET', '/api/achievements/grants?agentId=a2'), { status: 404 }, 'not a colleague’s');
  const team = await sup.call('GET', '/api/achievements/grants');
  t.same([...new Set(team.body.map((g: any) => g.agentId))].sort(), ['a1', 'a2'], 'a supervisor sees their groups');
  t.equal((await admin.call('GET', '/api/achievements/grants')).body.length, 8);
  const frame = await agentStream.until((f) => f.type === 'achievement.granted');
  t.equal(frame.agentId, 'a1', 'grants are announced on the stream to whom they concern');
  agentStream.ws.close();
});

t.test('a quest advanced by real actions', async (t) => {
  const quest = { name: 'Back to work', reward: 'a coffee', steps: [{ event: 'agent.state', where: { state: 'break' } }, { event: 'agent.state', where: { state: 'available' }, label: 'Come back' }] };
  t.match(await admin.call('PUT', '/api/quests/back', { ...quest, steps: [{ event: 'x' }] }), { status: 400 });
  t.match(await admin.call('PUT', '/api/quests/back', quest), { status: 200, body: { id: 'back', steps: [{ label: 'agent.state' }, { label: 'Come back' }] } });
  const login = await new Client(base, null).call('POST', '/api/session', { extension: '1002', password: 'secret-1002' });
  const boris = new Client(base, login.body.token);
  const stream = await Stream.open(port, login.body.token);
  await boris.call('PUT', '/api/agents/a2/state', { state: 'available' });
  await boris.call('PUT', '/api/agents/a2/state', { state: 'break', reason: 'coffee' });
  t.match((await boris.call('GET', '/api/quests/progress')).body, [{ questId: 'back', agentId: 'a2', completedAt: null }]);
  await boris.call('PUT', '/api/agents/a2/state', { state: 'available' });
  const done = await stream.until((f) => f.type === 'quest.progress' && f.completed);
  t.match(done, { questId: 'back', agentId: 'a2', done: 2, of: 2 });
  const [p] = (await boris.call('GET', '/api/quests/progress')).body;
  t.equal(p.steps.length, 2);
  t.ok(p.completedAt > 0);
  t.same((await sup.call('GET', '/api/quests/progress?agentId=a2')).body.length, 1, 'the supervisor sees it');
  stream.ws.close();
});

t.test('notes filed through the agent window count: a quest, and Librarian on course', async (t) => {
  const quest = { name: 'Good notes', reward: 'a badge', steps: [{ event: 'call.topic', label: 'Set a topic' }, { event: 'call.comment', label: 'Add a comment' }] };
  t.match(await admin.call('PUT', '/api/quests/notes', quest), { status: 200 });
  const login = await new Client(base, null).call('POST', '/api/session', { extension: '1001', password: 'secret-1001' });
  const anna = new Client(base, login.body.token);
  const acd = engine.contactCentre.acd;
  const rec = new Recorder(acd);
  acd.attachDialer(new ScriptedPhones()); // Anna's phone answers at once
  await admin.call('PUT', '/api/agents/a2/state', { state: 'offline' }); // Boris, back from his quest, leaves: the call is Anna's
  await anna.call('PUT', '/api/agents/a1/state', { state: 'available' });
  const call = acd.enqueue('support', { callId: 'n-1', from: '+15550100', dnis: '100' });
  await rec.next('call.answered', (e) => e.callId === 'n-1');
  t.match(await anna.call('POST', '/api/calls/n-1/topic', { topic: 'Billing' }), { status: 200 });
  t.match((await anna.call('GET', '/api/quests/progress')).body.find((p: any) => p.questId === 'notes'), { steps: [Number], completedAt: null }, 'the topic step is done');
  t.match(await anna.call('POST', '/api/calls/n-1/comment', { text: 'Card blocked' }), { status: 200 });
  acd.callEnded('n-1');
  await call;
  t.ok((await anna.call('GET', '/api/quests/progress')).body.find((p: any) => p.questId === 'notes').completedAt > 0, 'completed by the comment');
  const standing = (await anna.call('GET', '/api/achievements/standing')).body.filter((s: any) => s.agentId === 'a1').map((s: any) => s.achievementId).sort();
  t.same(standing, ['goalkeeper', 'librarian', 'speaker', 'sprinter'], 'her one call today: answered at once, with a topic, the most talk');
});
