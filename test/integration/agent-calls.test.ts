// The agent window's call buttons on real SIP calls with audio: raw SIP phones registered to a
// started engine, each sending its own sine. An agent on break takes a waiting caller, then
// the call is transferred to a colleague, to another queue and to a number, and who hears
// whom is checked after each move; an agent hangs up from the API; a caller whose phone allows
// REFER is transferred by REFER and places the new call itself. Role checks and bad input get
// their 4xx on the way.
import t from 'tap';
import { assertHears, phonesFor, startContactCentre, until } from './live-call.js';

const HOST = '127.0.0.1';
const CLIENT = 700;
const ANNA = 1100;
const BORIS = 1300;
const CARL = 1500;
const CLEO = 1900;

const engine = await startContactCentre(t, {
  agents: [
    { id: 'a1', name: 'Anna', extension: '1001', groups: ['support'] },
    { id: 'a2', name: 'Boris', extension: '1002', groups: ['support'] },
    { id: 'a3', name: 'Carl', extension: '1003', groups: ['sales'] },
  ],
  queues: [
    { id: 'support', groups: ['support'], ringTimeoutMs: 5000, wrapUpMs: 0 },
    { id: 'sales', groups: ['sales'], ringTimeoutMs: 5000, wrapUpMs: 0 },
  ],
  tokens: [{ token: 'admin-token', role: 'admin', name: 'root' }],
});

type Api = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;
const as =
  (token: string | null): Api =>
  async (method, path, body) => {
    const res = await fetch(`http://${HOST}:${engine.httpPort}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
const admin = as('admin-token');
async function agentApi(extension: string): Promise<Api> {
  const { body } = await as(null)('POST', '/api/session', { extension, password: `secret-${extension}` });
  return as(body.token);
}

const phone = phonesFor(t, engine.sipPort);

const anna = await phone('1001', ANNA);
const boris = await phone('1002', BORIS);
const carl = await phone('1003', CARL);
const cleo = await phone('1010', CLEO);
const client = await phone('79001234567', CLIENT);
const referring = await phone('79007654321', CLIENT);
referring.allowRefer = true;
for (const p of [anna, boris, carl, cleo]) await p.register();
const [annaApi, borisApi, carlApi] = await Promise.all(['1001', '1002', '1003'].map(agentApi));

const agentState = async (id: string) => (await admin('GET', `/api/agents/${id}`)).body as { state: string; reason: string };
const acdCall = (callId: string) => until(`call ${callId} connected`, async () => {
  const calls = (await admin('GET', '/api/calls')).body as { callId: string; phase: string; agentId: string }[];
  return calls.find((c) => c.callId === callId && c.phase === 'connected');
});

t.test('take a waiting caller, then transfer to a colleague, a queue and a number', async (t) => {
  t.equal((await annaApi('PUT', '/api/agents/a1/state', { state: 'break', reason: 'lunch' })).status, 200);
  const call = await client.dial('queue-support');
  const callId = call.callId;
  await until('the caller waiting', async () => ((await admin('GET', '/api/calls')).body.some((c: any) => c.callId === callId && c.phase === 'waiting') ? true : undefined));

  t.match(await as(null)('POST', `/api/calls/${callId}/take`), { status: 401 });
  t.match(await carlApi('POST', `/api/calls/${callId}/take`), { status: 404 }, 'another queue\'s caller is not seen');
  t.match(await borisApi('POST', `/api/calls/${callId}/take`), { status: 409, body: { message: /offline/ } });
  t.match(await admin('POST', `/api/calls/${callId}/take`), { status: 400, body: { message: /agentId is required/ } });
  t.match(await annaApi('POST', `/api/calls/${callId}/take`), { status: 200, body: { agentId: 'a1', phase: 'ringing' } });
  await anna.waitInvites(1);
  t.equal((await acdCall(callId)).agentId, 'a1', 'Anna took it from her break');
  await assertHears(t, 'the client', client, [ANNA], []);

  // --- transfer to a colleague ---
  t.equal((await borisApi('POST', '/api/agents/a2/login')).status, 200);
  t.match(await as(null)('GET', '/api/transfer-targets'), { status: 401 });
  t.same((await annaApi('GET', '/api/transfer-targets')).body, {
    agents: [
      { id: 'a1', name: 'Anna', free: false },
      { id: 'a2', name: 'Boris', free: true },
    ],
    queues: [
      { id: 'support', name: 'support' },
      { id: 'sales', name: 'sales' },
    ],
  }, 'every queue, and the colleagues of her group');
  t.equal((await admin('GET', '/api/transfer-targets')).body.agents.length, 3, 'an admin lists everyone');
  t.match(await borisApi('POST', `/api/calls/${callId}/transfer`, { agentId: 'a2' }), { status: 403 }, 'only the agent on the call transfers it');
  t.match(await carlApi('POST', `/api/calls/${callId}/transfer`, { queueId: 'sales' }), { status: 404 });
  t.match(await annaApi('POST', `/api/calls/${callId}/transfer`, {}), { status: 400, body: { message: /exactly one of/ } });
  t.match(await annaApi('POST', `/api/calls/${callId}/transfer`, { agentId: 'a2', number: '1010' }), { status: 400 });
  t.match(await annaApi('POST', `/api/calls/${callId}/transfer`, { number: 'sip:evil' }), { status: 400, body: { message: /1-32 digits, \* or #/ } });
  t.match(await annaApi('POST', `/api/calls/${callId}/transfer`, { number: '1999' }), { status: 409, body: { message: /not reachable/ } });
  t.match(await annaApi('POST', `/api/calls/${callId}/transfer`, { agentId: 'a1' }), { status: 400 });
  t.match(await annaApi('POST', `/api/calls/${callId}/transfer`, { queueId: 'nope' }), { status: 404 });
  t.match(await annaApi('POST', `/api/calls/${callId}/transfer`, { agentId: 'a3' }), { status: 409, body: { message: /a3 is offline/ } });
  t.equal((await acdCall(callId)).agentId, 'a1', 'refused transfers leave the call as it was');

  t.match(await annaApi('POST', `/api/calls/${callId}/transfer`, { agentId: 'a2' }), { status: 200, body: { to: 'agent a2' } });
  await until('Anna hung up', async () => (anna.byes > 0 ? true : undefined));
  await boris.waitInvites(1);
  t.equal((await acdCall(callId)).agentId, 'a2', 'the same call is now with Boris');
  await assertHears(t, 'the client after the transfer to Boris', client, [BORIS], [ANNA]);
  await assertHears(t, 'Boris', boris, [CLIENT], []);
  t.match(await agentState('a1'), { state: 'break', reason: 'lunch' }, 'Anna is back on her break');

  // --- transfer to a queue ---
  t.equal((await carlApi('POST', '/api/agents/a3/login')).status, 200);
  t.match(await borisApi('POST', `/api/calls/${callId}/transfer`, { queueId: 'sales' }), { status: 200, body: { to: 'queue sales' } });
  await carl.waitInvites(1);
  t.equal((await acdCall(callId)).agentId, 'a3');
  await until('Boris hung up', async () => (boris.byes > 0 ? true : undefined));
  await assertHears(t, 'the client after the transfer to sales', client, [CARL], [BORIS]);
  t.match(await agentState('a2'), { state: 'available' });

  // --- transfer to a number: the call leaves the ACD ---
  t.match(await carlApi('POST', `/api/calls/${callId}/transfer`, { number: '1010' }), { status: 200, body: { to: 'number 1010' } });
  await cleo.waitInvites(1);
  await until('Carl hung up', async () => (carl.byes > 0 ? true : undefined));
  await assertHears(t, 'the client after the transfer to 1010', client, [CLEO], [CARL]);
  await assertHears(t, 'the number', cleo, [CLIENT], []);
  t.notOk((await admin('GET', '/api/calls')).body.some((c: any) => c.callId === callId), 'no longer an ACD call');
  const transfers = (await admin('GET', '/api/events?type=acd.call.transferred&limit=10')).body.filter((e: any) => e.callId === callId);
  t.same(transfers.map((e: any) => [e.data.agentId, e.data.to]).reverse(), [
    ['a1', 'agent a2'],
    ['a2', 'queue sales'],
    ['a3', 'number 1010'],
  ]);
  t.match((await admin('GET', `/api/calls/${callId}/card`)).body, { queueId: 'sales', phase: 'done' });
  t.equal(await client.hangUp(), 200);
  await until('the number hung up', async () => (cleo.byes > 0 ? true : undefined));
});

t.test('an agent hangs up from the API; nobody else may', async (t) => {
  const call = await client.dial('queue-sales');
  const connected = await acdCall(call.callId);
  t.equal(connected.agentId, 'a3');
  t.match(await borisApi('POST', `/api/calls/${call.callId}/hangup`), { status: 404 }, 'another group: not seen');
  t.match(await annaApi('POST', '/api/calls/nope/hangup'), { status: 404 });
  const byes = client.byes;
  t.match(await carlApi('POST', `/api/calls/${call.callId}/hangup`), { status: 200, body: { ended: true } });
  await until('the client got BYE', async () => (client.byes > byes ? true : undefined));
  await until('Carl free again', async () => ((await agentState('a3')).state === 'available' ? true : undefined));
  t.match(await carlApi('POST', `/api/calls/${call.callId}/hangup`), { status: 404 }, 'a finished call cannot be hung up again');
});

t.test('a caller whose phone allows REFER places the new call itself, with its context', async (t) => {
  const call = await referring.dial('queue-support');
  const first = await acdCall(call.callId);
  t.equal(first.agentId, 'a2', 'Boris is the free support agent');
  t.match(await borisApi('POST', `/api/calls/${call.callId}/context`, { crmTicket: 'T-42' }), { status: 200 });
  t.equal((await annaApi('PUT', '/api/agents/a1/state', { state: 'available' })).status, 200);
  const invites = anna.invites.length;
  t.match(await borisApi('POST', `/api/calls/${call.callId}/transfer`, { agentId: 'a1' }), { status: 200, body: { to: 'agent a1', method: 'refer' } });
  t.match(referring.refers[0]?.get('refer-to'), /^<sip:queue-support@127\.0\.0\.1:\d+\?X-Switchyard-Transfer=[\w-]+>$/, 'REFER to the queue number with a one-time token');
  await anna.waitInvites(invites + 1);
  const next = await until('the new call connected to Anna', async () => {
    const calls = (await admin('GET', '/api/calls')).body as { callId: string; phase: string; agentId: string; context: any }[];
    return calls.find((c) => c.phase === 'connected' && c.agentId === 'a1');
  });
  t.not(next.callId, call.callId, 'a new call (new Call-ID) placed by the caller\'s phone');
  t.match(next.context, { attached: { crmTicket: 'T-42' } }, 'the context came along');
  await until('the engine to hang up the old call', async () => (referring.byes > 0 ? true : undefined));
  await assertHears(t, 'the caller on the new call', referring, [ANNA], [BORIS]);
  const reports = (await admin('GET', '/api/events?type=call.transfer-report&limit=5')).body;
  t.match(reports, [{ callId: call.callId, data: { status: 200 } }], 'the phone reported the new call answered');
  t.match((await admin('GET', '/api/events?type=call.referred&limit=5')).body, [{ callId: next.callId, data: { from: call.callId } }], 'the new call is linked to the old one');
  t.equal(await referring.hangUp(), 200);
});
