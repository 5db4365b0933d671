// The contact-centre API over real HTTP and WebSocket against an engine started in-process:
// sessions and roles, scoped views, state changes, caller context, a call distributed through
// the ACD (call layer: the scripted double of the AgentDialer port), missed calls and a
// callback taken through the API, metrics live and from the log, and a restart.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine, type Engine } from '../../engine/server.js';
import { Recorder, ScriptedPhones } from '../unit/acd/phones.js';
import { acdTestConfig } from './acd-fixture.js';
import { Client, Stream } from './api-client.js';

const dataDir = mkdtempSync(join(tmpdir(), 'acd-api-'));
t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));

const config = () => acdTestConfig(dataDir);

async function start(): Promise<{ engine: Engine; port: number }> {
  const engine = await startEngine(config());
  const port = (engine.events.recent(1, 'engine.started')[0].data as { http: number }).http;
  return { engine, port };
}

let { engine, port } = await start();
t.teardown(() => engine.stop());

t.test('the contact centre through its API', async (t) => {
  const base = `http://127.0.0.1:${port}`;
  const anon = new Client(base, null);
  const admin = new Client(base, 'admin-token');
  const sup = new Client(base, 'sup-token');

  // --- auth and roles ---
  t.match(await anon.call('GET', '/api/agents'), { status: 401, body: { error: 'unauthorized' } });
  t.match(await anon.call('GET', '/api/health'), { status: 200 }, 'health stays public');
  t.match(await anon.call('POST', '/api/session', { extension: '1001', password: 'wrong' }), { status: 401 });
  t.match(await anon.call('POST', '/api/session', { extension: '1001' }), { status: 400, body: { error: 'invalid' } });
  const login = await anon.call('POST', '/api/session', { extension: '1001', password: 'secret-1001' });
  t.match(login, { status: 200, body: { agent: { id: 'a1', state: 'offline' } } });
  const agent = new Client(base, login.body.token);
  t.match(await agent.call('GET', '/api/me'), { status: 200, body: { role: 'agent', agentId: 'a1' } });

  t.same((await agent.call('GET', '/api/agents')).body.map((a: any) => a.id), ['a1'], 'an agent sees only themselves');
  t.same((await sup.call('GET', '/api/agents')).body.map((a: any) => a.id), ['a1', 'a2'], 'a supervisor sees their groups');
  t.same((await admin.call('GET', '/api/agents')).body.map((a: any) => a.id), ['a1', 'a2', 's1']);
  t.same((await sup.call('GET', '/api/queues')).body.map((q: any) => q.id), ['support']);
  t.match(await sup.call('GET', '/api/queues/sales'), { status: 404 });
  t.match(await sup.call('PUT', '/api/queues/x', { groups: ['support'] }), { status: 403, body: { error: 'forbidden' } });
  t.match(await agent.call('PUT', '/api/agents/a2/state', { state: 'break' }), { status: 404 }, 'nor change a colleague');

  // --- states, with 4xx and a reason for bad calls ---
  t.match(await agent.call('POST', '/api/agents/a1/login'), { status: 200, body: { state: 'available', reason: 'login' } });
  t.match(await agent.call('PUT', '/api/agents/a1/state', { state: 'on-call' }), { status: 400, body: { error: 'invalid', message: /state must be one of/ } });
  t.match(await agent.call('PUT', '/api/agents/a1/state', undefined, '{nope'), { status: 400, body: { error: 'bad-json' } });
  t.match(await agent.call('PUT', '/api/agents/a1/state', [1]), { status: 400, body: { error: 'invalid' } });
  t.match(await agent.call('DELETE', '/api/agents/a1/state'), { status: 405 });
  t.match(await admin.call('GET', '/api/nothing'), { status: 404, body: { error: 'not-found' } });
  t.match(await admin.call('PUT', '/api/agents/x9', { extension: '1001' }), { status: 409, body: { error: 'conflict' } });
  t.match(await admin.call('PUT', '/api/queues/q9', { strategy: 'fastest' }), { status: 400, body: { message: /strategy must be one of/ } });
  t.match(await sup.call('PUT', '/api/agents/a2/state', { state: 'break', reason: 'coffee' }), { status: 200, body: { state: 'break', reason: 'coffee' } });

  // --- WebSocket streams, scoped ---
  await t.rejects(Stream.open(port, 'bogus'), /401/);
  const supStream = await Stream.open(port, 'sup-token');
  const agentStream = await Stream.open(port, login.body.token);
  await supStream.until((f) => f.type === 'hello');

  // --- a call with context attached before it ---
  t.match(await sup.call('POST', '/api/context', { number: '+7 900 000-00-01', context: { page: '/pricing', utm: 'ads' } }), { status: 200 });
  t.match(await agent.call('POST', '/api/context', { number: '+1', context: {} }), { status: 403 });
  t.match(await sup.call('POST', '/api/context', { number: '+1', context: 'x' }), { status: 400 });
  const acd = engine.contactCentre.acd;
  const phones = new ScriptedPhones();
  const rec = new Recorder(acd);
  acd.attachDialer(phones);
  const outcome = await acd.enqueue('support', { callId: 'call-1', from: '+79000000001', dnis: '88005550000', ivr: { topic: 'billing' } });
  t.match(outcome, { kind: 'answered', agentId: 'a1' });
  t.same(phones.offers[0].context.attached, { page: '/pricing', utm: 'ads' });
  await supStream.until((f) => f.type === 'call.answered' && f.callId === 'call-1');
  await agentStream.until((f) => f.type === 'call.answered' && f.callId === 'call-1');
  const calls = await agent.call('GET', '/api/calls');
  t.match(calls.body, [{ callId: 'call-1', phase: 'connected', agentId: 'a1', context: { ivr: { topic: 'billing' } } }]);
  t.match(await agent.call('POST', '/api/calls/call-1/context', { crmTicket: 'T-7' }), { status: 200, body: { attached: { crmTicket: 'T-7', page: '/pricing' } } });

  await admin.call('PUT', '/api/agents/s1/state', { state: 'available' });
  await admin.call('PUT', '/api/agents/a2/state', { state: 'dnd', reason: 'sentinel' });
  await supStream.until((f) => f.type === 'agent.state' && f.reason === 'sentinel');
  t.notOk(supStream.frames.some((f) => f.agentId === 's1'), 'the support supervisor never hears of a sales agent');
  t.notOk(agentStream.frames.some((f) => f.type === 'agent.state' && f.agentId !== 'a1'), 'an agent hears only their own state');

  // --- a missed call, a callback taken through the API ---
  const missedCall = acd.enqueue('support', { callId: 'call-2', from: '+79000000002', dnis: '88005550000' });
  acd.abandon('call-2');
  await missedCall;
  const missed = await sup.call('GET', '/api/missed?status=not-called-back');
  t.match(missed.body, [{ callId: 'call-2', number: '+79000000002', status: 'not-called-back', reason: 'abandoned' }]);
  const id = missed.body[0].id;
  t.match(await sup.call('GET', '/api/missed?status=lost'), { status: 400 });
  t.match(await agent.call('POST', `/api/missed/${id}/take`), { status: 409, body: { message: /a1 is on-call/ } }, 'busy on a call');
  acd.callEnded('call-1');
  const taken = await agent.call('POST', `/api/missed/${id}/take`);
  t.match(taken, { status: 200, body: { id, claimedBy: 'a1' } }, 'colleagues see who is calling back');
  await supStream.until((f) => f.type === 'missed.status' && f.id === id && f.status === 'called-back');
  t.same(phones.dialled, ['+79000000002']);
  t.match(await sup.call('GET', `/api/missed/${id}`), { body: { status: 'called-back', attempts: [{ agentId: 'a1', result: 'connected' }] } });
  t.match(await sup.call('POST', `/api/missed/${id}/cancel`), { status: 409 });
  t.match((await sup.call('GET', '/api/callbacks/stats')).body, [{ agentId: 'a1', attempts: 1, connected: 1 }]);
  const callback = acd.calls().find((c) => c.kind === 'callback')!;
  acd.callEnded(callback.callId);
  await rec.next('agent.state', (e) => e.agentId === 'a1' && e.prev === 'on-call');

  // --- metrics: live and from the log agree ---
  const live = await sup.call('GET', '/api/metrics');
  t.same(live.body.queues.map((q: any) => q.queueId), ['support']);
  t.match(live.body.queues[0], { offered: 2, answered: 1, abandoned: 1, abandonmentRate: 0.5, handled: 1, waitingNow: 0 });
  t.same(Object.keys(live.body.groups), ['support']);
  t.match(live.body.missed, { support: { total: 1, 'called-back': 1 } });
  const fromLog = await sup.call('GET', `/api/metrics?from=0&to=${Date.now() + 1000}`);
  t.same(fromLog.body.queues, live.body.queues.map((q: any) => ({ ...q, longestWaitMs: fromLog.body.queues[0].longestWaitMs })));
  t.match(await agent.call('GET', '/api/metrics'), { status: 403 });
  t.match(await sup.call('GET', '/api/metrics?from=yesterday'), { status: 400 });
  t.match(await sup.call('GET', '/api/events'), { status: 403 });
  t.match((await admin.call('GET', '/api/events?limit=5&type=acd.missed.status')).body, [{ type: 'acd.missed.status' }]);

  // --- logout ends the session ---
  t.match(await agent.call('POST', '/api/agents/a1/logout'), { body: { state: 'offline', reason: 'logout' } });
  t.match(await agent.call('DELETE', '/api/session'), { status: 200 });
  t.match(await agent.call('GET', '/api/me'), { status: 401 });
  supStream.ws.close();
  agentStream.ws.close();
});

t.test('after a restart the log gives back states and missed calls', async (t) => {
  await engine.stop();
  ({ engine, port } = await start());
  const admin = new Client(`http://127.0.0.1:${port}`, 'admin-token');
  const agents = (await admin.call('GET', '/api/agents')).body;
  t.match(agents, [{ id: 'a1', state: 'offline', reason: 'logout' }, { id: 'a2', state: 'dnd', reason: 'sentinel' }, { id: 's1', state: 'available' }]);
  t.match((await admin.call('GET', '/api/missed')).body, [{ callId: 'call-2', status: 'called-back', attempts: [{ agentId: 'a1', result: 'connected' }] }]);
  t.match((await admin.call('GET', '/api/metrics')).body.queues.find((q: any) => q.queueId === 'support'), { offered: 2, answered: 1, abandoned: 1 });
});
