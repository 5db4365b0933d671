// The KPI report over real HTTP against an engine whose SQLite event log holds a scripted
// history (an ACD on a hand-driven clock, journalled to the engine's log file): the figures of
// yesterday's morning per group, totals and agents equal the ones computed by hand, lost
// clients are compared with earlier days, roles and groups are enforced, and the CSV and XLSX
// exports carry the same table. Then a live call moves the live report.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Acd } from '../../engine/acd/index.js';
import { startEngine } from '../../engine/server.js';
import { AcdJournal } from '../../engine/store/acd-journal.js';
import { EventLog } from '../../engine/store/event-log.js';
import { Recorder, ScriptedPhones } from '../unit/acd/phones.js';
import { readXlsx } from '../unit/reports/xlsx-reader.js';
import { acdTestConfig } from './acd-fixture.js';

const S = 1000;
const DAY = 86_400 * S;
const dataDir = mkdtempSync(join(tmpdir(), 'kpi-report-'));
t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));

const midnight = new Date().setUTCHours(0, 0, 0, 0);
const threeDaysAgo = midnight - 3 * DAY + 9 * 3600 * S; // 09:00
const yesterday = midnight - DAY + 9 * 3600 * S;

/** Three days ago one caller per queue hung up; yesterday's morning is spelled out below. */
async function scriptHistory(): Promise<void> {
  const log = new EventLog(join(dataDir, 'switchyard.sqlite'));
  const clock = { t: threeDaysAgo };
  const acd = new Acd({ now: () => clock.t });
  const journal = new AcdJournal(log, acd);
  const rec = new Recorder(acd);
  acd.attachDialer(new ScriptedPhones());
  const config = acdTestConfig(dataDir);
  acd.defineQueue({ id: 'support', groups: ['support'], wrapUpMs: 600 * S }); // wrap-up ends when the agent picks a state
  acd.defineQueue({ id: 'sales', groups: ['sales'] });
  for (const agent of config.acd.agents) acd.defineAgent(agent);
  const at = (base: number, seconds: number) => void (clock.t = base + seconds * S);
  const waits: Promise<unknown>[] = [];
  const call = (queue: string, callId: string, from: string) => waits.push(acd.enqueue(queue, { callId, from, dnis: '8800' }));
  const answered = (callId: string) => rec.next('call.answered', (e) => e.callId === callId);

  call('support', 'old-1', '+100');
  at(threeDaysAgo, 10);
  acd.abandon('old-1');
  at(threeDaysAgo, 20);
  call('sales', 'old-2', '+101');
  at(threeDaysAgo, 30);
  acd.abandon('old-2');

  at(yesterday, 0);
  acd.setState('a1', 'break');
  acd.setState('a2', 'break');
  call('support', 'c1', '+201');
  at(yesterday, 5);
  acd.setState('a1', 'available'); // c1 waited 5 s: within the 20 s service level
  await answered('c1');
  at(yesterday, 10);
  call('support', 'c2', '+202');
  at(yesterday, 40);
  acd.setState('a2', 'available'); // c2 waited 30 s
  await answered('c2');
  at(yesterday, 50);
  call('support', 'c3', '+203');
  at(yesterday, 58);
  acd.abandon('c3'); // a missed call, called back below
  at(yesterday, 65);
  acd.callEnded('c1'); // 60 s talk
  at(yesterday, 75);
  acd.setState('a1', 'available'); // 10 s wrap-up
  at(yesterday, 160);
  acd.callEnded('c2'); // 120 s talk
  at(yesterday, 180);
  acd.setState('a2', 'available'); // 20 s wrap-up
  at(yesterday, 200);
  const missed = acd.missed.list().find((r) => r.number === '+203')!;
  acd.takeCallback(missed.id, 'a2');
  await rec.next('missed.status', (e) => e.id === missed.id && e.status === 'called-back');
  const callback = acd.calls().find((c) => c.kind === 'callback')!;
  at(yesterday, 201);
  acd.startOutbound('a1', 'o1', '+5551'); // Anna's cold calls: 30 s of talk, then one not answered
  at(yesterday, 206);
  acd.outboundAnswered('o1');
  at(yesterday, 236);
  acd.endOutbound('o1', 'connected');
  at(yesterday, 240);
  acd.startOutbound('a1', 'o2', '+5552');
  at(yesterday, 250);
  acd.endOutbound('o2', 'no-answer');
  at(yesterday, 290);
  acd.callEnded(callback.callId); // 90 s of callback talk
  at(yesterday, 295);
  acd.setState('a2', 'available');
  at(yesterday, 296);
  acd.setState('a1', 'break');
  acd.setState('a2', 'break');
  at(yesterday, 300);
  call('support', 'c4', '+204');
  at(yesterday, 303);
  acd.abandon('c4'); // lost: nobody called back
  at(yesterday, 310);
  call('sales', 'c5', '+301');
  at(yesterday, 340);
  acd.abandon('c5'); // lost
  await Promise.all(waits);
  acd.close();
  journal.detach();
  log.close();
}

await scriptHistory();
const engine = await startEngine(acdTestConfig(dataDir));
t.teardown(() => engine.stop());
const port = (engine.events.recent(1, 'engine.started')[0].data as { http: number }).http;
const base = `http://127.0.0.1:${port}`;

const get = (path: string, token: string | null) => fetch(base + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
const json = async (path: string, token: string) => {
  const res = await get(path, token);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
};

// Yesterday from midnight to 09:16:40 (1,000 s after the first event of the morning).
const interval = `from=${midnight - DAY}&to=${yesterday + 1000 * S}`;

const support = {
  group: 'support',
  queues: ['support'],
  offered: 4,
  answered: 2,
  abandoned: 2,
  abandonmentRate: 2 / 4,
  serviceLevel: 1 / 4,
  asaMs: ((5 + 30) / 2) * S,
  ahtMs: ((60 + 120 + 10 + 20) / 2) * S, // (talk + wrap-up) / handled
  handled: 2,
  avgInboundTalkMs: ((60 + 120) / 2) * S,
  callbacks: 1,
  coldOutbound: 2,
  coldConnected: 1,
  avgOutboundTalkMs: ((90 + 30) / 2) * S, // Boris's callback and Anna's answered cold call
  processed: 4,
  waitingNow: 0,
  longestWaitMs: 0,
  missed: 2,
  lostClients: 1, // +204 (+203 was called back)
  lostAverage: (0 + 1) / 2, // the day before: none; three days ago: +100; earlier windows precede the log
};

const sales = {
  group: 'sales',
  queues: ['sales'],
  offered: 1,
  answered: 0,
  abandoned: 1,
  abandonmentRate: 1,
  serviceLevel: 0,
  asaMs: null,
  ahtMs: null,
  handled: 0,
  avgInboundTalkMs: null,
  callbacks: 0,
  coldOutbound: 0,
  coldConnected: 0,
  avgOutboundTalkMs: null,
  processed: 0,
  missed: 1,
  lostClients: 1,
  lostAverage: (0 + 1) / 2,
};

t.test('an admin gets every group, the totals and every agent, as computed by hand', async (t) => {
  const r = await json(`/api/reports/kpi?${interval}`, 'admin-token');
  t.match(r, { from: midnight - DAY, to: yesterday + 1000 * S, live: false });
  t.same(r.groups.map((g: { group: string }) => g.group), ['sales', 'support']);
  t.same(r.groups[1], support);
  t.match(r.groups[0], sales);
  t.match(r.totals, { offered: 5, answered: 2, abandoned: 3, abandonmentRate: 3 / 5, serviceLevel: 1 / 5, processed: 4, coldOutbound: 2, missed: 3, lostClients: 2, lostAverage: (0 + 2) / 2 });
  const a1 = r.agents.find((a: { agentId: string }) => a.agentId === 'a1');
  const a2 = r.agents.find((a: { agentId: string }) => a.agentId === 'a2');
  t.same(a1, { agentId: 'a1', name: 'Anna', groups: ['support'], state: 'break', answered: 1, handled: 1, missedOffers: 0, avgInboundTalkMs: 60 * S, callbacks: 0, coldOutbound: 2, avgOutboundTalkMs: 30 * S, wrapMs: 10 * S, occupancy: (60 + 10) / 1000 });
  // on a call 120 + 90 (callback) s, wrap-up 20 + 5 s, logged in the whole 1,000 s
  t.same(a2, { agentId: 'a2', name: 'Boris', groups: ['support'], state: 'break', answered: 1, handled: 1, missedOffers: 0, avgInboundTalkMs: 120 * S, callbacks: 1, coldOutbound: 0, avgOutboundTalkMs: 90 * S, wrapMs: 20 * S, occupancy: (120 + 90 + 20 + 5) / 1000 });
});

t.test('a supervisor sees only their groups; an agent and strangers see nothing', async (t) => {
  const r = await json(`/api/reports/kpi?${interval}`, 'sup-token');
  t.same(r.groups.map((g: { group: string }) => g.group), ['support']);
  t.match(r.totals, { offered: 4, lostClients: 1, lostAverage: 0.5 }, 'the totals are of their queues only');
  t.same(r.agents.map((a: { agentId: string }) => a.agentId).sort(), ['a1', 'a2']);
  t.equal((await get(`/api/reports/kpi?${interval}&group=sales`, 'sup-token')).status, 404, 'another group is not found');
  const drill = await json(`/api/reports/kpi?${interval}&group=support`, 'admin-token');
  t.same(drill.agents.map((a: { agentId: string }) => a.agentId).sort(), ['a1', 'a2'], 'a group drills down to its agents');
  const { group: _group, queues: _queues, ...supportFigures } = support;
  t.same(drill.totals, supportFigures, 'with one group the totals are that group');

  const session = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ extension: '1001', password: 'secret-1001' }) });
  const { token } = await session.json();
  const agent = await get('/api/reports/kpi', token);
  t.equal(agent.status, 403);
  t.match(await agent.json(), { error: 'forbidden' });
  t.equal((await get('/api/reports/kpi', null)).status, 401);
});

t.test('bad parameters get 400 with a reason', async (t) => {
  for (const query of ['format=pdf', 'table=calls', 'from=yesterday', `from=${yesterday}&to=${yesterday - 1}`]) {
    const res = await get(`/api/reports/kpi?${query}`, 'admin-token');
    t.equal(res.status, 400, query);
    t.match(await res.json(), { error: 'invalid', message: String }, query);
  }
});

t.test('CSV and XLSX exports carry the tables', async (t) => {
  const res = await get(`/api/reports/kpi?${interval}&format=csv`, 'sup-token');
  t.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
  const day = new Date(midnight - DAY).toISOString().slice(0, 10);
  t.equal(res.headers.get('content-disposition'), `attachment; filename="kpi-${day}-${day}-groups.csv"`);
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer()); // keeps the byte-order mark
  t.equal(
    text,
    '\ufeffGroup,Offered,Answered,Abandoned,"Abandonment, %","Service level, %","ASA, s","AHT, s","Avg inbound talk, s",Callbacks,Cold outbound,"Avg outbound talk, s",Processed,Lost clients,"Lost, earlier average",Waiting now,"Longest wait, s"\r\n' +
      'support,4,2,2,50.0,25.0,17.5,105.0,90.0,1,2,60.0,4,1,0.5,0,0.0\r\n',
  );
  const agents = await (await get(`/api/reports/kpi?${interval}&format=csv&table=agents`, 'admin-token')).text();
  t.match(agents, /\r\nAnna,support,break,1,0,60\.0,0,2,30\.0,10\.0,7\.0\r\n/);

  const book = await get(`/api/reports/kpi?${interval}&format=xlsx`, 'admin-token');
  t.equal(book.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const { sheets } = readXlsx(new Uint8Array(await book.arrayBuffer()));
  t.same(sheets.map((s) => s.name), ['groups', 'agents']);
  t.same(sheets[0].rows[2], ['support', 4, 2, 2, 50, 25, 17.5, 105, 90, 1, 2, 60, 4, 1, 0.5, 0, 0]);
  t.same(sheets[0].rows[1].slice(0, 6), ['sales', 1, 0, 1, 100, 0]);
  t.same(sheets[1].rows.find((r) => r[0] === 'Boris'), ['Boris', 'support', 'break', 1, 0, 120, 1, 0, 90, 20, 23.5]);
});

t.test('the live report moves with a live call', async (t) => {
  const before = await json('/api/reports/kpi', 'admin-token');
  t.equal(before.live, true);
  t.equal(before.from, midnight, 'live figures count from midnight (UTC)');
  const acd = engine.contactCentre.acd;
  acd.attachDialer(new ScriptedPhones());
  acd.setState('a1', 'available');
  t.equal((await acd.enqueue('support', { callId: 'live-1', from: '+555', dnis: '8800' })).kind, 'answered');
  acd.callEnded('live-1');
  const after = await json('/api/reports/kpi', 'admin-token');
  const group = (r: { groups: { group: string; offered: number; handled: number }[] }) => r.groups.find((g) => g.group === 'support')!;
  t.equal(group(after).offered, group(before).offered + 1);
  t.equal(group(after).handled, group(before).handled + 1);
  const metrics = await json('/api/metrics', 'admin-token');
  t.equal(group(after).offered, metrics.queues.find((q: { queueId: string }) => q.queueId === 'support').offered, 'the same figure as the metrics API');
});
