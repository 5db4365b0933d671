// The supervisor workplace's API over real HTTP against an engine started in-process: tasks
// (planned, overdue, done; role and group checks; bad input; kept across a restart) and the
// per-agent workday card folded from the event log (timeline, working time, calls, talk time).
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEngine, type Engine } from '../../engine/server.js';
import { ScriptedPhones } from '../unit/acd/phones.js';
import { acdTestConfig } from './acd-fixture.js';

const dataDir = mkdtempSync(join(tmpdir(), 'workplace-api-'));
t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));

let engine: Engine = await startEngine(acdTestConfig(dataDir));
t.teardown(() => engine.stop());
const port = () => (engine.events.recent(1, 'engine.started')[0].data as { http: number }).http;

async function call(token: string | null, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${port()}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}
const agentToken = async (extension: string) => (await call(null, 'POST', '/api/session', { extension, password: `secret-${extension}` })).body.token as string;

t.test('tasks: supervisors plan them for their groups, agents see and close their own', async (t) => {
  const hour = 3600_000;
  const planned = await call('sup-token', 'POST', '/api/tasks', { kind: 'callback', title: 'Call Mr. Ivanov back', agentId: 'a1', dueAt: Date.now() + hour });
  t.match(planned, { status: 200, body: { kind: 'callback', agentId: 'a1', status: 'planned', done: false, createdBy: 'Olga' } });
  const overdue = await call('sup-token', 'POST', '/api/tasks', { title: 'Send the report', agentId: 'a1', dueAt: Date.now() - hour });
  t.match(overdue.body, { kind: 'custom', status: 'overdue' });

  t.match(await call('sup-token', 'POST', '/api/tasks', { title: 'x', agentId: 's1', dueAt: Date.now() }), { status: 404 }, "another group's agent cannot be given a task");
  t.match(await call('sup-token', 'POST', '/api/tasks', { title: 'x', agentId: 'a1', dueAt: 'tomorrow' }), { status: 400, body: { message: /dueAt/ } });
  t.match(await call('sup-token', 'POST', '/api/tasks', { title: 'x', agentId: 'a1', dueAt: 1, kind: 'chat' }), { status: 400, body: { message: /kind/ } });
  t.match(await call('sup-token', 'POST', '/api/tasks', { agentId: 'a1', dueAt: 1 }), { status: 400, body: { message: /required/ } });
  t.match(await call('sup-token', 'POST', '/api/tasks', [1]), { status: 400 });
  t.match(await call('sup-token', 'GET', '/api/tasks?status=late'), { status: 400 });
  t.match(await call(null, 'GET', '/api/tasks'), { status: 401 });
  const sales = await call('admin-token', 'POST', '/api/tasks', { title: 'Sales plan', agentId: 's1', dueAt: Date.now() + hour });
  t.equal(sales.status, 200, 'admins plan for anyone');

  const supList = (await call('sup-token', 'GET', '/api/tasks')).body as { id: string }[];
  t.same(supList.map((x) => x.id), [overdue.body.id, planned.body.id], "the supervisor sees their group's tasks, by due time");
  t.same((await call('sup-token', 'GET', '/api/tasks?status=overdue')).body.map((x: { id: string }) => x.id), [overdue.body.id]);
  t.equal((await call('admin-token', 'GET', '/api/tasks')).body.length, 3);

  const anna = await agentToken('1001');
  const boris = await agentToken('1002');
  t.equal((await call(anna, 'GET', '/api/tasks')).body.length, 2, 'Anna sees her two tasks');
  t.equal((await call(boris, 'GET', '/api/tasks')).body.length, 0, 'Boris sees none of them');
  t.match(await call(boris, 'PATCH', `/api/tasks/${overdue.body.id}`, { done: true }), { status: 404 }, "Boris cannot close Anna's task");
  t.match(await call(anna, 'PATCH', `/api/tasks/${overdue.body.id}`, { dueAt: Date.now() + hour }), { status: 403 }, 'an agent cannot move a due time');
  t.match(await call(anna, 'POST', '/api/tasks', { title: 'mine', agentId: 'a1', dueAt: Date.now() }), { status: 403 });
  const done = await call(anna, 'PATCH', `/api/tasks/${overdue.body.id}`, { done: true });
  t.match(done.body, { status: 'done', done: true, doneBy: 'a1' });
  t.ok(done.body.doneAt >= overdue.body.createdAt, 'when it was done is recorded');

  t.match(await call('sup-token', 'PATCH', `/api/tasks/${planned.body.id}`, { agentId: 'a2' }), { status: 200, body: { agentId: 'a2' } }, 'reassigned to Boris');
  t.match(await call('sup-token', 'DELETE', `/api/tasks/${sales.body.id}`), { status: 404 }, "a supervisor cannot delete another group's task");

  await engine.stop();
  engine = await startEngine(acdTestConfig(dataDir));
  const after = (await call('admin-token', 'GET', '/api/tasks')).body as { id: string; agentId: string; done: boolean }[];
  t.same(
    after.map((x) => [x.id, x.agentId, x.done]),
    [
      [overdue.body.id, 'a1', true],
      [planned.body.id, 'a2', false],
      [sales.body.id, 's1', false],
    ],
    'the tasks are rebuilt from the event log after a restart',
  );
  t.match(await call('admin-token', 'DELETE', `/api/tasks/${sales.body.id}`), { status: 200 });
  t.match(await call('admin-token', 'GET', `/api/tasks?agentId=s1`), { status: 200, body: [] });
});

t.test('the workday card: timeline of states, working time, calls and talk time', async (t) => {
  const acd = engine.contactCentre.acd;
  acd.attachDialer(new ScriptedPhones());
  const start = Date.now();
  await call('admin-token', 'POST', '/api/agents/a2/login');
  await sleep(150);
  const outcome = await acd.enqueue('support', { callId: 'day-1', from: '+79005550001', dnis: '88005550000' });
  t.match(outcome, { kind: 'answered', agentId: 'a2' });
  await sleep(200);
  acd.callEnded('day-1');
  await call('admin-token', 'PUT', '/api/agents/a2/state', { state: 'break', reason: 'lunch' });
  await sleep(100);

  const day = (await call('sup-token', 'GET', '/api/agents/a2/workday')).body;
  const today = new Date(start).setUTCHours(0, 0, 0, 0);
  t.equal(day.from, today, 'today (UTC) by default');
  const states = day.timeline.map((s: { state: string }) => s.state);
  t.same(states.slice(-4), ['available', 'on-call', 'available', 'break'], 'logged in, the call, free again (no wrap-up), then the break');
  t.equal(day.timeline.at(-1).reason, 'lunch');
  t.equal(day.calls, 1, 'one call answered');
  t.ok(day.talkMs >= 150 && day.talkMs < 5000, `talk time of the call (${day.talkMs} ms)`);
  t.ok(day.workingMs >= 400, `working time counts from the login (${day.workingMs} ms)`);
  const spans = day.timeline as { from: number; to: number }[];
  t.ok(spans.every((s, i) => i === 0 || s.from === spans[i - 1].to), 'the spans are contiguous');
  t.equal(spans[0].from, today, 'the timeline starts at the start of the day');

  t.match(await call('sup-token', 'GET', '/api/agents/s1/workday'), { status: 404 }, "another group's agent is not shown");
  t.match(await call('sup-token', 'GET', '/api/agents/a2/workday?date=yesterday'), { status: 400 });
  t.match(await call('sup-token', 'GET', '/api/agents/a2/workday?date=2999-01-01'), { status: 400 });
  const yesterday = new Date(today - 86400_000).toISOString().slice(0, 10);
  const past = (await call('sup-token', 'GET', `/api/agents/a2/workday?date=${yesterday}`)).body;
  t.match(past, { calls: 0, talkMs: 0, workingMs: 0 }, 'before the engine existed the agent was offline all day');
  t.same(past.timeline.map((s: { state: string }) => s.state), ['offline']);
  const boris = await agentToken('1002');
  t.equal((await call(boris, 'GET', '/api/agents/a2/workday')).status, 200, 'an agent sees their own card');
  t.equal((await call(boris, 'GET', '/api/agents/a1/workday')).status, 404, 'but not a colleague’s');
});
