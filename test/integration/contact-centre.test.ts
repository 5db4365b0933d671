// The contact centre on real SIP calls with audio: agents are raw SIP phones registered to a
// started engine, each sending its own sine, so who hears whom is decided by Goertzel on the
// RTP each party receives. Feature codes log agents in; a caller dials queue-support; the
// first agent lets it ring out (not-ready "missed"), the second answers; a supervisor listens,
// whispers and barges (API and DTMF), then takes over; a caller who hangs up while waiting
// leaves a missed-call record.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { apiOf } from './api-client.js';
import { startEngine } from './harness.js';
import { assertHears, phonesFor, scratchWithHoldMusic, until } from './live-call.js';

const CLIENT = 700;
const AGENT = 1100;
const SUPERVISOR = 1700;
const HOLD = 600; // the music-on-hold file below

const { dir, holdFile } = await scratchWithHoldMusic(t, 'cc-it-', HOLD);
const configFile = join(dir, 'config.json');
writeFileSync(
  configFile,
  JSON.stringify({
    acd: {
      musicOnHold: holdFile,
      agents: [
        { id: 'a1', name: 'Anna', extension: '1001', groups: ['support'] },
        { id: 'a2', name: 'Boris', extension: '1002', groups: ['support'] },
        { id: 'a3', name: 'Carl', extension: '1003', groups: ['sales'] },
      ],
      queues: [
        { id: 'support', groups: ['support'], strategy: 'longest-idle', ringTimeoutMs: 3000, wrapUpMs: 0 },
        { id: 'sales', groups: ['sales'], wrapUpMs: 0, callbackOfferAfterMs: 300, callback: { mode: 'automatic', retryDelayMs: 60000 } },
        { id: 'short', groups: ['nobody'], maxWaitMs: 1500, maxLength: 1 },
      ],
      tokens: [
        { token: 'admin-token', role: 'admin', name: 'root' },
        { token: 'sup-token', role: 'supervisor', name: 'Olga', groups: ['support'] },
      ],
    },
  }),
);

const engine = await startEngine({ env: { SWITCHYARD_CONFIG: configFile } });
t.teardown(engine.stop);
const api = apiOf(engine);

const agentState = async (id: string) => (await api('GET', `/api/agents/${id}`, 'admin-token')).body as { state: string; reason: string };

const phone = phonesFor(t, engine.sipPort);

const anna = await phone('1001', AGENT);
const boris = await phone('1002', AGENT);
const olga = await phone('2001', SUPERVISOR);
const client = await phone('79001234567', CLIENT);
const carl = await phone('1003', AGENT);
const cleo = await phone('1010', CLIENT);
for (const p of [anna, boris, olga, carl, cleo]) await p.register();

t.test('agent feature codes: *50 logs in with a beep, *51 takes a break', async (t) => {
  t.equal((await agentState('a1')).state, 'offline', 'configured agents start offline');
  await anna.dial('*50');
  const beep = await anna.hears([1000, 400], 10);
  t.ok(beep[1000] > 10 * beep[400], 'the engine answers with a 1 kHz beep');
  await until('the engine to hang up after the beep', async () => (anna.byes > 0 ? true : undefined));
  t.match(await agentState('a1'), { state: 'available', reason: 'phone' }, 'Anna is available');
  await boris.dial('*51');
  await until('BYE after *51', async () => (boris.byes > 0 ? true : undefined));
  t.match(await agentState('a2'), { state: 'break' });
  await boris.dial('*50');
  await until('BYE after *50', async () => (boris.byes > 1 ? true : undefined));
  t.match(await agentState('a2'), { state: 'available' });
  t.equal(await client.dialFails('*50'), 403, 'a phone that is not an agent gets 403');
});

let callId = '';
t.test('a queued caller: the first agent lets it ring out, the second answers, audio both ways', async (t) => {
  anna.mode = 'ring';
  const answered = client.dial('queue-support');
  const call = await answered;
  callId = call.callId;
  await anna.waitInvites(1);
  t.pass('Anna rings first (longest idle)');
  await boris.waitInvites(1);
  t.match(await agentState('a1'), { state: 'dnd', reason: 'missed' }, 'Anna rang out: not ready, reason missed');
  const invite = boris.invites[0];
  t.equal(invite.get('x-switchyard-queue'), 'support', 'the agent sees the queue');
  t.match(invite.get('from') ?? '', /79001234567/, 'and the caller number');
  const acdCall = await until('the call connected in the ACD', async () => {
    const calls = (await api('GET', '/api/calls', 'admin-token')).body as { callId: string; phase: string; agentId: string }[];
    return calls.find((c) => c.callId === callId && c.phase === 'connected');
  });
  t.equal(acdCall.agentId, 'a2');
  await assertHears(t, 'the client', client, [AGENT], [HOLD]);
  await assertHears(t, 'the agent', boris, [CLIENT], []);
});

t.test('supervisor: listen, whisper, barge (API and DTMF), take-over', async (t) => {
  const all = [CLIENT, AGENT, SUPERVISOR];
  const forbidden = await api('POST', `/api/calls/${encodeURIComponent(callId)}/supervise`, 'nobody', { extension: '2001' });
  t.equal(forbidden.status, 401, 'a supervisor token is needed');
  const joined = await api('POST', `/api/calls/${encodeURIComponent(callId)}/supervise`, 'sup-token', { extension: '2001', mode: 'listen' });
  t.match(joined, { status: 200, body: { supervisor: { extension: '2001', mode: 'listen' } } });

  await assertHears(t, 'listen: the supervisor', olga, [CLIENT, AGENT], []);
  await assertHears(t, 'listen: the agent', boris, [CLIENT], [SUPERVISOR]);
  await assertHears(t, 'listen: the client', client, [AGENT], [SUPERVISOR]);

  t.match(await api('POST', `/api/calls/${encodeURIComponent(callId)}/supervise/mode`, 'sup-token', { mode: 'whisper' }), { status: 200, body: { supervisor: { mode: 'whisper' } } });
  await assertHears(t, 'whisper: the agent', boris, [CLIENT, SUPERVISOR], []);
  await assertHears(t, 'whisper: the client', client, [AGENT], [SUPERVISOR]);

  // DTMF 3 from the supervisor's phone: barge.
  await olga.pressKey(3, olga.lastInvitePort);
  await until('the client to hear the supervisor', async () => ((await client.hears(all, 10))[SUPERVISOR] > 100 ? true : undefined));
  await assertHears(t, 'barge: the client', client, [AGENT, SUPERVISOR], []);
  await assertHears(t, 'barge: the agent', boris, [CLIENT, SUPERVISOR], []);

  t.match(await api('POST', `/api/calls/${encodeURIComponent(callId)}/take-over`, 'sup-token'), { status: 200, body: { takenOverBy: '2001' } });
  await until('the agent leg to be hung up', async () => (boris.byes > 0 ? true : undefined));
  await assertHears(t, 'after take-over: the client', client, [SUPERVISOR], [AGENT]);
  await assertHears(t, 'after take-over: the supervisor', olga, [CLIENT], []);
  const a2 = await until('Boris to leave the call', async () => {
    const s = await agentState('a2');
    return s.state !== 'on-call' ? s : undefined;
  });
  t.equal(a2.state, 'available', 'the agent is free again (no wrap-up in this queue)');
  t.equal(await client.hangUp(), 200, 'the client hangs up');
  await until('the supervisor to be hung up', async () => (olga.byes > 0 ? true : undefined));
});

t.test('a caller who hangs up while waiting hears the looped hold-music file and leaves a missed-call record', async (t) => {
  await boris.dial('*52');
  await until('BYE after *52', async () => (boris.byes > 1 ? true : undefined));
  t.match(await agentState('a2'), { state: 'dnd' });
  const call = await client.dial('queue-support');
  await assertHears(t, 'the waiting caller', client, [HOLD], [AGENT, CLIENT]);
  t.equal(await client.hangUp(), 200);
  const record = await until('the missed call', async () => {
    const missed = (await api('GET', '/api/missed', 'sup-token')).body as { callId: string; number: string; status: string; reason: string }[];
    return missed.find((m) => m.callId === call.callId);
  });
  t.match(record, { number: '79001234567', status: 'not-called-back', reason: 'abandoned' });
});

t.test('a supervisor dials *1<ext> to listen, then DTMF 2 whispers', async (t) => {
  anna.mode = 'answer';
  const byes = anna.byes;
  await anna.dial('*50');
  await until('the BYE after the beep', async () => (anna.byes > byes ? true : undefined));
  t.match(await agentState('a1'), { state: 'available' });
  await client.dial('queue-support');
  await anna.waitInvites(2);
  const all = [CLIENT, AGENT, SUPERVISOR];
  await assertHears(t, 'the client', client, [AGENT], [SUPERVISOR]);
  t.equal(await cleo.dialFails('*11001'), 403, 'only configured supervisors may listen');
  t.equal(await olga.dialFails('*11002'), 404, 'an agent without a call: 404');
  await olga.dial('*11001');
  await assertHears(t, 'listen: the supervisor', olga, [CLIENT, AGENT], []);
  await assertHears(t, 'listen: the agent', anna, [CLIENT], [SUPERVISOR]);
  await olga.pressKey(2, olga.lastDialPort);
  await until('the agent to hear the whisper', async () => ((await anna.hears(all, 10))[SUPERVISOR] > 100 ? true : undefined));
  await assertHears(t, 'whisper: the client', client, [AGENT], [SUPERVISOR]);
  t.equal(await olga.hangUp(), 200, 'the supervisor leaves');
  await assertHears(t, 'the agent after the supervisor left', anna, [CLIENT], [SUPERVISOR]);
  t.equal(await client.hangUp(), 200);
  await until('Anna free again', async () => ((await agentState('a1')).state === 'available' ? true : undefined));
});

t.test('callback offer: the caller presses 1, the engine calls the agent then the client back', async (t) => {
  const call = await cleo.dial('queue-sales');
  // The prompt (1400 Hz beeps) comes once the queue offers a callback.
  await until('the callback prompt', async () => ((await cleo.hears([1400], 10))[1400] > 100 ? true : undefined));
  await cleo.pressKey(1, cleo.lastDialPort);
  await until('the engine to hang up', async () => (cleo.byes > 0 ? true : undefined));
  t.match(cleo.lastBye?.get('reason') ?? '', /cause=200/, 'BYE with Reason: callback requested');
  const record = await until('the callback request record', async () => {
    const missed = (await api('GET', '/api/missed', 'admin-token')).body as { callId: string; status: string; reason: string; id: string }[];
    return missed.find((m) => m.callId === call.callId);
  });
  t.equal(record.reason, 'callback-request');
  // Logged in through the API: the phone is rung at once, and one test phone has one RTP stream.
  t.equal((await api('POST', '/api/agents/a3/login', 'admin-token')).status, 200);
  await carl.waitInvites(1);
  t.pass('the agent is rung first');
  await cleo.waitInvites(1);
  t.pass('then the client');
  await assertHears(t, 'the client called back', cleo, [AGENT], []);
  await assertHears(t, 'the agent', carl, [CLIENT], []);
  const closed = await until('the record closed', async () => {
    const r = (await api('GET', `/api/missed/${record.id}`, 'admin-token')).body as { status: string };
    return r.status === 'called-back' ? r : undefined;
  });
  t.equal(closed.status, 'called-back');
});

t.test("a 200 crossing the ring timeout's CANCEL still connects the call (the port contract)", async (t) => {
  anna.mode = 'cross';
  const invites = anna.invites.length;
  await client.dial('queue-support');
  await anna.waitInvites(invites + 1);
  const connected = await until('the call connected to Anna', async () => {
    const calls = (await api('GET', '/api/calls', 'admin-token')).body as { callId: string; phase: string; agentId: string }[];
    return calls.find((c) => c.phase === 'connected' && c.agentId === 'a1');
  });
  t.ok(connected, 'connected after the CANCEL');
  await assertHears(t, 'the client', client, [AGENT], [HOLD]);
  t.equal(await client.hangUp(), 200);
  anna.mode = 'answer';
});

t.test('queue limits: max wait and max length end the call with a Reason', async (t) => {
  const waiting = await phone('1004', CLIENT);
  await waiting.dial('queue-short');
  const byes = client.byes;
  await client.dial('queue-short');
  await until('the full-queue BYE', async () => (client.byes > byes ? true : undefined));
  t.match(client.lastBye?.get('reason') ?? '', /cause=486/, 'full: Reason cause 486');
  await until('the max-wait BYE', async () => (waiting.byes > 0 ? true : undefined));
  t.match(waiting.lastBye?.get('reason') ?? '', /cause=480/, 'max wait: Reason cause 480');
});
