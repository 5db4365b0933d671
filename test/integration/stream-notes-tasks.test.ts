// Task and call-note changes on the WebSocket stream (/api/stream), over a real socket, scoped
// like the REST API: a supervisor gets their groups' tasks and calls, an agent their own tasks
// and the calls they took, an admin everything; a client of another group gets nothing.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine } from '../../engine/server.js';
import { ScriptedPhones } from '../unit/acd/phones.js';
import { acdTestConfig } from './acd-fixture.js';
import { Client, Stream } from './api-client.js';

const dataDir = mkdtempSync(join(tmpdir(), 'stream-notes-tasks-'));
t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
const config = acdTestConfig(dataDir);
config.acd.guides = { topics: ['Other'], queueTopics: { support: ['Login', 'Billing'] }, scripts: {} };
config.acd.tokens.push({ token: 'sales-sup-token', role: 'supervisor', name: 'Pavel', groups: ['sales'] });
const engine = await startEngine(config);
t.teardown(() => engine.stop());
engine.contactCentre.acd.attachDialer(new ScriptedPhones());
const port = (engine.events.recent(1, 'engine.started')[0].data as { http: number }).http;
const client = (token: string | null) => new Client(`http://127.0.0.1:${port}`, token);

const login = async (extension: string) => (await client(null).call('POST', '/api/session', { extension, password: `secret-${extension}` })).body.token as string;
const [annaToken, borisToken] = [await login('1001'), await login('1002')];
const streams = {
  admin: await Stream.open(port, 'admin-token'),
  sup: await Stream.open(port, 'sup-token'),
  salesSup: await Stream.open(port, 'sales-sup-token'),
  anna: await Stream.open(port, annaToken),
  boris: await Stream.open(port, borisToken),
};
t.teardown(() => Object.values(streams).forEach((s) => s.ws.close()));

const of = (s: Stream, prefix: string) => s.frames.filter((f) => f.type.startsWith(prefix));
/**
 * A task for `agentId`, waited for on `streams`: each client's frames come in order, so a frame
 * that was meant for one of them would have arrived before this one.
 */
async function sentinel(agentId: string, ...on: Stream[]): Promise<void> {
  const { body } = await client('admin-token').call('POST', '/api/tasks', { title: 'sentinel', agentId, dueAt: Date.now() });
  for (const s of on) await s.until((f) => f.type === 'task.created' && f.task.id === body.id);
}

t.test('tasks: created, updated, removed reach whoever sees the task', async (t) => {
  const sup = client('sup-token');
  const created = await sup.call('POST', '/api/tasks', { title: 'Call Mr. Ivanov back', agentId: 'a1', dueAt: Date.now() + 3600_000 });
  t.equal(created.status, 200);
  const id = created.body.id;
  for (const who of ['admin', 'sup', 'anna'] as const) {
    t.match(await streams[who].until((f) => f.type === 'task.created' && f.task.id === id), { task: { title: 'Call Mr. Ivanov back', agentId: 'a1', status: 'planned' } }, `${who} gets task.created`);
  }

  t.equal((await client(annaToken).call('PATCH', `/api/tasks/${id}`, { done: true })).status, 200);
  t.match(await streams.sup.until((f) => f.type === 'task.updated' && f.task.id === id), { task: { done: true, doneBy: 'a1', status: 'done' } }, 'the supervisor sees the agent close it');

  t.equal((await sup.call('PATCH', `/api/tasks/${id}`, { agentId: 'a2', done: false })).status, 200);
  t.match(await streams.boris.until((f) => f.type === 'task.updated' && f.task.id === id), { task: { agentId: 'a2' } }, 'the new agent gets the reassigned task');
  t.match(await streams.anna.until((f) => f.type === 'task.updated' && f.task.id === id && f.task.agentId === 'a2'), {}, 'and the one it was taken from hears it left');

  t.equal((await sup.call('DELETE', `/api/tasks/${id}`)).status, 200);
  await streams.boris.until((f) => f.type === 'task.removed' && f.task.id === id);
  await sentinel('s1', streams.salesSup);
  t.same(of(streams.salesSup, 'task.').map((f) => f.task.title), ['sentinel'], "another group's supervisor got only their group's task");
  await sentinel('a1', streams.sup, streams.anna);
  t.notOk(of(streams.sup, 'task.').some((f) => f.task.agentId === 's1'), 'and the support supervisor not the sales one');
  t.same(of(streams.anna, 'task.').map((f) => f.type), ['task.created', 'task.updated', 'task.updated', 'task.created'], 'Anna: her task until it moved to Boris (then the sentinel)');
});

t.test('call notes: a topic, a comment and a script path reach the agent and the supervisors of the queue', async (t) => {
  const acd = engine.contactCentre.acd;
  await client(annaToken).call('POST', '/api/agents/a1/login');
  await client(borisToken).call('PUT', '/api/agents/a2/state', { state: 'break' });
  t.match(await acd.enqueue('support', { callId: 'sn-1', from: '+79005550111', dnis: '8800' }), { kind: 'answered', agentId: 'a1' });
  t.equal((await client(annaToken).call('POST', '/api/calls/sn-1/topic', { topic: 'Login' })).status, 200);
  for (const who of ['admin', 'sup', 'anna'] as const) {
    t.match(await streams[who].until((f) => f.type === 'notes.changed' && f.callId === 'sn-1' && f.notes.topic !== null), { queueId: 'support', notes: { topic: { topic: 'Login', by: 'a1' } } }, `${who} gets the topic`);
  }
  t.equal((await client('sup-token').call('POST', '/api/calls/sn-1/comment', { text: 'Checked by Olga' })).status, 200);
  t.match(await streams.anna.until((f) => f.type === 'notes.changed' && f.notes.comments.length === 1), { notes: { comments: [{ text: 'Checked by Olga', by: 'Olga' }] } }, "the agent's window hears the supervisor's comment");
  acd.callEnded('sn-1');
  t.equal((await client(annaToken).call('POST', '/api/calls/sn-1/comment', { text: 'Reset done' })).status, 200);
  await streams.sup.until((f) => f.type === 'notes.changed' && f.notes.comments.length === 2);
  await sentinel('s1', streams.salesSup);
  t.same(of(streams.salesSup, 'notes.'), [], "another group's supervisor gets no notes");
  await sentinel('a2', streams.boris);
  // Boris is in the queue but did not take the call: the REST card answers him 404 once it ended.
  t.equal((await client(borisToken).call('GET', '/api/calls/sn-1/card')).status, 404);
  t.notOk(of(streams.boris, 'notes.').some((f) => f.notes.comments.length === 2), 'nor does a colleague once the call is over');
});
