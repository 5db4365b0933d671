// Click-to-call (a cold outbound call) on real SIP: an agent asks the API to call a number; the
// engine rings the agent's registered phone (a raw SIP phone sending its own tone), then dials
// the number through the dialplan's outbound route and trunk (SIPp as the carrier, echoing the
// RTP it gets), and bridges them: the agent hears their own tone come back from the carrier.
// Meanwhile the agent is in state outbound; afterwards the KPI report counts the cold call.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { apiOf } from './api-client.js';
import { sippReport, startEngine, startSippServer } from './harness.js';
import { assertHears, phonesFor, scratchWithHoldMusic, until } from './live-call.js';

const AGENT = 1100;
const TALK_MS = 6000;

const { dir } = await scratchWithHoldMusic(t, 'click-to-call-it-', 600);
const carrier = await startSippServer({ scenario: 'uas-answer-talk-bye.xml', args: ['-rtp_echo', '-d', String(TALK_MS)], timeoutMs: 60000 });
t.teardown(carrier.stop);

const dialplanFile = join(dir, 'main.ts');
writeFileSync(
  dialplanFile,
  `import { defineDialplan } from 'switchyard/dialplan';
export default defineDialplan({
  routes: [],
  default: (call) => call.hangup('no-answer'),
  outbound: [{ match: /^0\\d+$/, trunk: 'carrier', rewrite: (n) => '+49' + n.slice(1) }],
});
`,
);
const configFile = join(dir, 'config.json');
writeFileSync(
  configFile,
  JSON.stringify({
    trunks: { carrier: { host: '127.0.0.1', port: carrier.localPort, domain: 'carrier.example', callerId: '4971100' } },
    acd: {
      agents: [
        { id: 'a1', name: 'Anna', extension: '1001', groups: ['support'] },
        { id: 's1', name: 'Sergei', extension: '1006', groups: ['sales'] },
      ],
      queues: [{ id: 'support', groups: ['support'], wrapUpMs: 0 }],
      tokens: [
        { token: 'admin-token', role: 'admin', name: 'root' },
        { token: 'sup-token', role: 'supervisor', name: 'Olga', groups: ['support'] },
        { token: 'anna-token', role: 'agent', name: 'Anna', agentId: 'a1' },
      ],
    },
  }),
);

const engine = await startEngine({ env: { SWITCHYARD_CONFIG: configFile, SWITCHYARD_DIALPLAN: dialplanFile } });
t.teardown(engine.stop);
const api = apiOf(engine);
const agentState = async (id: string) => (await api('GET', `/api/agents/${id}`, 'admin-token')).body as { state: string; reason: string; callId: string | null };

const anna = await phonesFor(t, engine.sipPort)('1001', AGENT);
await anna.register();

t.test('what cannot work is refused before anything rings', async (t) => {
  t.match(await api('POST', '/api/calls/outbound', 'anna-token', { number: 'abc' }), { status: 400, body: { message: /1-32 digits, \* or #/ } }, 'not a number');
  t.match(await api('POST', '/api/calls/outbound', 'anna-token', { number: '07111234' }), { status: 409 }, 'an offline agent cannot dial');
  t.equal((await api('POST', '/api/agents/a1/login', 'anna-token')).status, 200);
  t.match(await api('POST', '/api/calls/outbound', 'anna-token', { number: '123' }), { status: 409, body: { message: /no outbound route/ } }, 'a number no route reaches');
  t.equal((await api('POST', '/api/calls/outbound', 'sup-token', { agentId: 's1', number: '07111234' })).status, 404, "a supervisor cannot dial for another group's agent");
  t.equal(anna.invites.length, 0, 'the phone never rang');
});

t.test('the agent phone rings, then the carrier; they are bridged with media', async (t) => {
  const placed = await api('POST', '/api/calls/outbound', 'anna-token', { number: '07111234' });
  t.match(placed, { status: 200, body: { agentId: 'a1', number: '07111234' } });
  const invite = await anna.waitInvites(1);
  t.match(invite.get('from') ?? '', /07111234/, "the agent's phone shows the number it calls");
  t.match(await agentState('a1'), { state: 'outbound', reason: 'click-to-call', callId: placed.body.callId }, 'the agent is in outbound dialling');
  await assertHears(t, 'the agent (their own tone back from the carrier)', anna, [AGENT], []);

  const carrierRun = await carrier.done;
  t.equal(carrierRun.code, 0, `the carrier got the call and hung up\n${carrierRun.code === 0 ? '' : sippReport(carrierRun)}`);
  t.match(carrierRun.messages, /INVITE sip:\+497111234@carrier\.example/, 'the number left by the route, rewritten, to the trunk');
  await until('the BYE to the agent', async () => (anna.byes > 0 ? true : undefined));
  t.match(
    await until('the agent back on line', async () => {
      const s = await agentState('a1');
      return s.state === 'available' ? s : undefined;
    }),
    { state: 'available', callId: null },
    'the agent returns to the state they had',
  );
});

t.test('the KPI report counts the cold call and its talk time', async (t) => {
  const kpi = (await api('GET', '/api/reports/kpi', 'admin-token')).body;
  t.match(kpi.totals, { coldOutbound: 1, coldConnected: 1 });
  t.ok(kpi.totals.avgOutboundTalkMs >= TALK_MS - 1000, `outgoing talk time ${kpi.totals.avgOutboundTalkMs} ms`);
  t.match(kpi.groups.find((g: { group: string }) => g.group === 'support'), { coldOutbound: 1, processed: 1 }, "counted for the agent's group");
  t.match(kpi.groups.find((g: { group: string }) => g.group === 'sales'), { coldOutbound: 0 });
  t.match(kpi.agents.find((a: { agentId: string }) => a.agentId === 'a1'), { coldOutbound: 1 });
  const past = (await api('GET', `/api/reports/kpi?from=${Date.now() - 3600_000}&to=${Date.now()}`, 'sup-token')).body;
  t.match(past.totals, { coldOutbound: 1, coldConnected: 1 }, 'and so does a replay of the event log');
});

t.test('an agent hangs up a call still ringing at the carrier: CANCEL', async (t) => {
  // The carrier now rings and waits for a CANCEL (answered with 487).
  const ringing = await startSippServer({ scenario: 'uas-cancelled.xml', localPort: carrier.localPort, timeoutMs: 60000 });
  t.teardown(ringing.stop);
  const placed = await api('POST', '/api/calls/outbound', 'anna-token', { number: '07112222' });
  t.equal(placed.status, 200);
  await anna.waitInvites(2);
  // The agent hears ringback (440 + 480 Hz) once the engine has sent the carrier its INVITE.
  await until('ringback on the agent phone', async () => ((await anna.hears([440], 10))[440] > 100 ? true : undefined));
  t.match(await api('POST', `/api/calls/${encodeURIComponent(placed.body.callId)}/hangup`, 'anna-token'), { status: 200, body: { ended: true } });
  const run = await ringing.done;
  t.equal(run.code, 0, `the carrier got CANCEL\n${run.code === 0 ? '' : sippReport(run)}`);
  await until('the agent back on line', async () => ((await agentState('a1')).state === 'available' ? true : undefined));
  const kpi = (await api('GET', '/api/reports/kpi', 'admin-token')).body;
  t.match(kpi.totals, { coldOutbound: 2, coldConnected: 1 }, 'dialled, not connected');
});
