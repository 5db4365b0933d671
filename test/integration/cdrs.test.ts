// CDR search on real calls: SIP phones call queues of a started engine (an answered call, an
// abandoned one, one that times out), and GET /api/cdrs finds them in the SQLite event log by
// time, number, agent, queue and disposition, page by page, each role seeing only its own,
// with bad inputs answered 400 and a JSON { error, message }.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { apiOf } from './api-client.js';
import { until } from './live-call.js';
import { startEngine } from './harness.js';
import { SoftPhone } from './softphone.js';

const dir = mkdtempSync(join(tmpdir(), 'cdrs-it-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const configFile = join(dir, 'config.json');
writeFileSync(
  configFile,
  JSON.stringify({
    acd: {
      agents: [
        { id: 'a1', name: 'Anna', extension: '1001', groups: ['support'] },
        { id: 's1', name: 'Sergei', extension: '1006', groups: ['sales'] },
      ],
      queues: [
        { id: 'support', groups: ['support'], wrapUpMs: 0 },
        { id: 'sales', groups: ['sales'], wrapUpMs: 0 },
        { id: 'short', groups: ['sales'], maxWaitMs: 1000 },
      ],
      tokens: [
        { token: 'admin-token', role: 'admin', name: 'root' },
        { token: 'sup-support', role: 'supervisor', name: 'Olga', groups: ['support'] },
      ],
    },
  }),
);
const engine = await startEngine({ env: { SWITCHYARD_CONFIG: configFile } });
t.teardown(engine.stop);
const api = apiOf(engine);

const anna = await SoftPhone.open(engine.sipPort, '1001', 1100);
const client = await SoftPhone.open(engine.sipPort, '79001234567', 700);
const other = await SoftPhone.open(engine.sipPort, '79005550000', 700);
t.teardown(async () => {
  for (const p of [anna, client, other]) await p.close();
});
await anna.register();
t.equal((await api('POST', '/api/agents/a1/login', 'admin-token')).status, 200);

const ids: Record<string, string> = {};
const cdrs = async (query: string, token = 'admin-token') => (await api('GET', `/api/cdrs${query}`, token)).body as { cdrs: any[]; nextCursor: string | null };
let beforeSecond = 0;

t.test('calls of three kinds', async (t) => {
  const answered = await client.dial('queue-support');
  ids.answered = answered.callId;
  await until('Anna connected', async () => ((await api('GET', '/api/agents/a1', 'admin-token')).body.state === 'on-call' ? true : undefined));
  await sleep(1000);
  t.equal(await client.hangUp(), 200);
  beforeSecond = Date.now();
  await sleep(50);
  const abandoned = await other.dial('queue-sales');
  ids.abandoned = abandoned.callId;
  await sleep(500);
  t.equal(await other.hangUp(), 200, 'nobody in sales: the caller gives up');
  const timeout = await other.dial('queue-short');
  ids.timeout = timeout.callId;
  await until('the max-wait BYE', async () => (other.byes > 0 ? true : undefined));
  await until('three records', async () => ((await cdrs('')).cdrs.length === 3 ? true : undefined));
});

t.test('records, newest first, with who answered, wait and talk', async (t) => {
  const all = (await cdrs('')).cdrs;
  t.same(all.map((c) => c.callId), [ids.timeout, ids.abandoned, ids.answered]);
  const [timeout, abandoned, answered] = all;
  t.match(answered, { from: '79001234567', dnis: 'queue-support', queues: ['support'], agentId: 'a1', disposition: 'answered' });
  t.ok(answered.talkMs >= 900 && answered.endedAt >= answered.answeredAt + answered.talkMs - 1, `talk time as the call lasted (${answered.talkMs} ms)`);
  t.match(abandoned, { from: '79005550000', queues: ['sales'], agentId: null, disposition: 'abandoned', answeredAt: null });
  t.match(timeout, { queues: ['short'], disposition: 'timeout' });
  // The wait is cut from wall-clock stamps, the timer runs on the monotonic clock: 1 ms either way.
  t.ok(timeout.waitMs >= 999, `the timed-out caller waited the max wait (${timeout.waitMs} ms)`);
});

t.test('filters', async (t) => {
  const ids_ = async (q: string) => (await cdrs(q)).cdrs.map((c) => c.callId);
  t.same(await ids_('?number=555'), [ids.timeout, ids.abandoned], 'by caller number digits');
  t.same(await ids_('?number=%2B7%20900%20123'), [ids.answered], 'formatting in the number is ignored');
  t.same(await ids_('?agent=a1'), [ids.answered]);
  t.same(await ids_('?queue=sales'), [ids.abandoned]);
  t.same(await ids_('?disposition=timeout'), [ids.timeout]);
  t.same(await ids_(`?from=${beforeSecond}`), [ids.timeout, ids.abandoned], 'from: epoch ms');
  t.same(await ids_(`?to=${encodeURIComponent(new Date(beforeSecond).toISOString())}`), [ids.answered], 'to: an ISO date');
});

t.test('paging: limit and cursor walk every record once', async (t) => {
  const seen: string[] = [];
  let cursor: string | null = '';
  let pages = 0;
  while (cursor !== null) {
    const page = await cdrs(`?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
    t.equal(page.cdrs.length, 1);
    seen.push(page.cdrs[0].callId);
    cursor = page.nextCursor;
    pages++;
  }
  t.equal(pages, 3);
  t.same(seen, [ids.timeout, ids.abandoned, ids.answered]);
});

t.test('roles: a supervisor sees their groups’ queues, an agent the calls they answered', async (t) => {
  t.same((await cdrs('', 'sup-support')).cdrs.map((c) => c.callId), [ids.answered]);
  t.same((await cdrs('?queue=sales', 'sup-support')).cdrs, [], "another group's queue: nothing");
  const anna = (await api('POST', '/api/session', '', { extension: '1001', password: 'secret-1001' })).body.token;
  t.same((await cdrs('', anna)).cdrs.map((c) => c.callId), [ids.answered]);
  t.same((await cdrs('?agent=s1', anna)).cdrs, []);
  t.equal((await api('GET', '/api/cdrs', '')).status, 401);
});

t.test('bad inputs: 400 with a code and a message', async (t) => {
  for (const [query, field] of [
    ['?limit=0', 'limit'],
    ['?limit=abc', 'limit'],
    ['?limit=501', 'limit'],
    ['?from=yesterday', 'from'],
    ['?from=2000&to=1000', 'from'],
    ['?disposition=lost', 'disposition'],
    ['?cursor=bm90LWEtY3Vyc29y', 'cursor'],
    ['?number=abc', 'number'],
    [`?agent=${'x'.repeat(101)}`, 'agent'],
  ]) {
    const r = await api('GET', `/api/cdrs${query}`, 'admin-token');
    t.equal(r.status, 400, `${query.slice(0, 30)}: 400`);
    t.match(r.body, { error: 'invalid', message: new RegExp(field) });
  }
});
