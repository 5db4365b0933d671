// The web console end to end: headless Debian chromium (playwright-core) against an engine
// started on loopback. A supervisor sees an agent change state live; an agent changes their
// own state, sees a caller and calls a missed one back, and cannot open the supervisor screen;
// the wallboard ranks agents by answered calls and by callbacks;
// an open screen catches up after the engine restarts; an agent handles a real SIP call in the
// agent window (caller card, topic, comment, call script, hang-up).
// The first calls come from the scripted AgentDialer double; the last one rings real SIP phones.
import t from 'tap';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Config } from '../../engine/config.js';
import { startEngine, type Engine } from '../../engine/server.js';
import { acdTestConfig } from '../integration/acd-fixture.js';
import { until } from '../integration/live-call.js';
import { SoftPhone } from '../integration/softphone.js';
import { ScriptedPhones } from '../unit/acd/phones.js';
import { readXlsx } from '../unit/reports/xlsx-reader.js';
import { agentsTable, groupsTable, type KpiReport } from '../../engine/reports/kpi.js';
import { cellText, type Table } from '../../engine/reports/table.js';
import { launchBrowser, loggedIn as loggedInPage, screenshot, SCREENSHOTS, textOf, WAIT_MS } from './browser.js';

const dataDir = mkdtempSync(join(tmpdir(), 'console-e2e-'));
t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));

function config(): Config {
  const c = acdTestConfig(dataDir);
  c.acd.dailyPlanCalls = 10;
  return c;
}

let engine: Engine = await startEngine(config());
t.teardown(() => engine.stop());
// The engine logs the HTTP port it bound (port 0 above: any free one).
const httpPort = (engine.events.recent(1, 'engine.started')[0].data as { http: number }).http;
const base = `http://127.0.0.1:${httpPort}`;

async function api(token: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(base + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status}`);
  return res.json();
}
const admin = (method: string, path: string, body?: unknown) => api('admin-token', method, path, body);

const browser: Browser = await launchBrowser();
t.teardown(() => browser.close());
if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
/** The agents' phones: every one answers at once (attached in the agent test). */
const phones = new ScriptedPhones();

/** A fresh browser profile at phone size (or TV size), logged in through the login form. */
const loggedIn = (login: { extension: string; password: string } | { token: string }, size?: { width: number; height: number }): Promise<Page> => loggedInPage(browser, base, login, size);

t.test('supervisor sees an agent change state live, with counts per state', async (t) => {
  const page = await loggedIn({ token: 'sup-token' });
  t.match(new URL(page.url()).pathname, '/supervisor');
  await textOf(page, '[data-agent=a1] [data-testid=agent-state]', 'Offline');
  t.equal(await page.locator('[data-agent=s1]').count(), 0, 'another group is not shown');

  await admin('PUT', '/api/agents/a1/state', { state: 'break', reason: 'lunch' });
  await textOf(page, '[data-agent=a1] [data-testid=agent-state]', 'Break');
  await textOf(page, '[data-state=break] b', '1');
  t.pass('the state and the counts changed without a reload');

  t.equal(await page.locator('[data-agent=a1] .monitor button').count(), 0, 'monitoring is offered on live calls only');
  await screenshot(page, 'supervisor.png');
  await page.context().close();
});

t.test('agent changes their own state and cannot open the supervisor screen', async (t) => {
  const page = await loggedIn({ extension: '1002', password: 'secret-1002' });
  t.match(new URL(page.url()).pathname, '/agent');
  await textOf(page, '[data-testid=my-state]', 'Offline');

  // Nobody in support is available (and no phones are attached yet): the caller waits, then hangs up.
  const acd = engine.contactCentre.acd;
  const waiting = acd.enqueue('support', { callId: 'e2e-wait', from: '+79001112233', dnis: '88005550000', ivr: { topic: 'billing' } });
  const card = page.locator('[data-testid=caller-card]', { hasText: '+79001112233' });
  await card.waitFor();
  t.match(await card.textContent(), /topic\s*billing/, 'the caller card shows the IVR answers');
  acd.abandon('e2e-wait');
  t.equal((await waiting).kind, 'abandoned');
  await page.locator('[data-testid=missed-row]', { hasText: '+79001112233' }).filter({ hasText: 'not-called-back' }).waitFor();
  await card.waitFor({ state: 'detached' });
  t.pass('the abandoned caller is now a missed call to call back');

  await page.click('button.state.available');
  await textOf(page, '[data-testid=my-state]', 'On line');
  t.equal((await admin('GET', '/api/agents/a2')).state, 'available', 'the engine has the new state');

  await page.selectOption('select[aria-label="reason for Break"]', 'training');
  await page.click('button.state.break');
  await textOf(page, '[data-testid=my-state]', 'Break');
  t.same(await admin('GET', '/api/agents/a2').then((a) => [a.state, a.reason]), ['break', 'training']);

  // Calling back from the missed list: the agent's phone, then the client's (scripted phones).
  acd.attachDialer(phones);
  await page.click('button.state.outbound');
  await textOf(page, '[data-testid=my-state]', 'Outbound');
  const missedRow = page.locator('[data-testid=missed-row]', { hasText: '+79001112233' });
  await missedRow.locator('button', { hasText: 'Call back' }).click();
  await missedRow.filter({ hasText: 'called-back' }).waitFor();
  t.same(phones.dialled, ['+79001112233'], 'the client was dialled');
  await screenshot(page, 'agent.png');
  const callback = (await admin('GET', '/api/calls')).find((c: { kind: string; agentId: string }) => c.kind === 'callback' && c.agentId === 'a2');
  acd.callEnded(callback.callId);
  await textOf(page, '[data-testid=my-state]', 'Outbound');

  // The Call box (click-to-call): what cannot work is refused and the window says why. No phone
  // is registered here; the call itself is test/integration/click-to-call.test.ts.
  await page.fill('[data-testid=dial-box] input[name=number]', '+7 900 111-22-44');
  await page.click('[data-testid=dial-box] button[type=submit]');
  await page.locator('[role=alert]', { hasText: '(1002) is not registered' }).waitFor();
  t.pass('the Call box shows why the engine refused the call');

  for (const path of ['/supervisor', '/wallboard', '/kpi']) {
    await page.goto(base + path);
    await page.waitForSelector('.forbidden');
    t.equal(await page.locator('[data-agent]').count(), 0, `${path}: no agents listed`);
    t.equal(await page.locator('nav a', { hasText: 'Workplace' }).count(), 0, 'no link to it either');
  }
  await page.context().close();
});

t.test('the wallboard ranks agents by answered calls and shows the team plan', async (t) => {
  await admin('PUT', '/api/agents/a1/state', { state: 'available', reason: '' });
  await admin('PUT', '/api/agents/a2/state', { state: 'offline', reason: '' });
  const page = await loggedIn({ token: 'sup-token' }, { width: 1280, height: 720 });
  await page.click('nav >> text=Wallboard');
  await page.waitForSelector('[data-testid=leaderboard] li');

  for (let i = 1; i <= 2; i++) {
    const callId = `e2e-call-${i}`;
    const outcome = await engine.contactCentre.acd.enqueue('support', { callId, from: `+7900000000${i}`, dnis: '88005550000' });
    t.equal(outcome.kind, 'answered');
    engine.contactCentre.acd.callEnded(callId);
  }
  await textOf(page, '[data-testid=plan-done]', '2');
  await page.waitForFunction(() => document.querySelector('[data-testid=leaderboard] li')?.getAttribute('data-agent') === 'a1', null, { timeout: WAIT_MS });
  await textOf(page, '[data-testid=leaderboard] li:first-child .figure', '2 calls');
  t.pass('Anna leads with the two calls she answered');
  await page.click('.rank-by >> text=Callbacks');
  await page.waitForFunction(() => document.querySelector('[data-testid=leaderboard] li')?.getAttribute('data-agent') === 'a2', null, { timeout: WAIT_MS });
  t.pass('ranked by callbacks, Boris leads with the one he made');
  await page.click('.rank-by >> text=Calls');
  await textOf(page, '[data-kpi="Waiting now"] .value', '0');
  await screenshot(page, 'wallboard.png');
  await page.context().close();
});

/** A table on screen as text: the header row, then the body rows. */
const screenTable = (page: Page, name: string): Promise<string[][]> =>
  page.$$eval(`[data-table="${name}"] tr`, (rows) => rows.map((r) => [...r.querySelectorAll('th, td')].map((c) => c.textContent!.trim())));
/** The same table as the API's report gives it, in the screen's text. */
const expectedTable = (table: Table): string[][] => [table.columns.map((c) => c.title), ...table.rows.map((r) => r.map((v, i) => cellText(table.columns[i].kind, v)))];

/** RFC 4180 CSV (quoted fields, doubled quotes, CRLF line ends) to rows of fields. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const s = text.replace(/^\ufeff/, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted && c === '"' && s[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ',') {
      row.push(field);
      field = '';
    } else if (!quoted && c === '\r' && s[i + 1] === '\n') {
      rows.push([...row, field]);
      row = [];
      field = '';
      i++;
    } else {
      field += c;
    }
  }
  return rows;
}

t.test('the KPI dashboard shows the API\'s figures live, drills down to agents and exports what it shows', async (t) => {
  const page = await loggedIn({ token: 'sup-token' }, { width: 1280, height: 900 });
  await page.click('nav >> text=KPIs');
  t.match(new URL(page.url()).pathname, '/kpi');
  await page.waitForSelector('[data-table=groups] tbody tr');
  const before: KpiReport = await api('sup-token', 'GET', '/api/reports/kpi');

  // A live call (Anna is available; the scripted phones answer) moves the live figures.
  t.equal((await engine.contactCentre.acd.enqueue('support', { callId: 'e2e-kpi-1', from: '+79005550001', dnis: '88005550000' })).kind, 'answered');
  engine.contactCentre.acd.callEnded('e2e-kpi-1');
  // And a cold call Anna dialled (click-to-call's ACD side; the SIP side: integration/click-to-call).
  engine.contactCentre.acd.startOutbound('a1', 'e2e-cold-1', '+79005550002');
  engine.contactCentre.acd.outboundAnswered('e2e-cold-1');
  engine.contactCentre.acd.endOutbound('e2e-cold-1', 'connected');
  await textOf(page, '[data-kpi="Processed"] .value', String(before.totals.processed + 2));
  const report: KpiReport = await api('sup-token', 'GET', '/api/reports/kpi');
  t.equal(report.totals.offered, before.totals.offered + 1);
  t.equal(report.totals.coldOutbound, before.totals.coldOutbound + 1);
  const tile = (label: string) => page.textContent(`[data-kpi="${label}"] .value`).then((s) => s!.trim());
  const percentText = (x: number | null) => (x === null ? '—' : `${Math.round(x * 100)} %`);
  t.same(
    [await tile('Incoming calls'), await tile('Answered'), await tile('Processed'), await tile('Lost clients'), await tile('Waiting now'), await tile('Service level'), await tile('Abandonment'), await tile('Cold outbound calls')],
    [String(report.totals.offered), String(report.totals.answered), String(report.totals.processed), String(report.totals.lostClients), String(report.totals.waitingNow), percentText(report.totals.serviceLevel), percentText(report.totals.abandonmentRate), String(report.totals.coldOutbound)],
    'the tiles show the API\'s figures',
  );
  t.same(await screenTable(page, 'groups'), expectedTable(groupsTable(report)), 'the groups table is the API\'s');
  t.same(report.groups.map((g) => g.group), ['support'], 'only the supervisor\'s group');
  t.equal(await page.locator('.chart canvas').count(), 2, 'the donut and the bars are drawn');

  const [csvFile] = await Promise.all([page.waitForEvent('download'), page.click('[data-table=groups] button:text("CSV")')]);
  t.equal(csvFile.suggestedFilename(), 'kpi-live-groups.csv');
  t.same(parseCsv(readFileSync((await csvFile.path())!, 'utf8')), await screenTable(page, 'groups'), 'the CSV export is the table on screen');

  await page.click('[data-table=groups] tbody button:text("support")');
  await page.waitForSelector('[data-table="agents of support"] tbody tr');
  const shown = await screenTable(page, 'agents of support');
  t.same(shown, expectedTable(agentsTable(report, 'support')), 'the drill-down lists the group\'s agents as the API does');
  t.same(shown.slice(1).map((r) => r[0]).sort(), ['Anna', 'Boris']);
  const [xlsxFile] = await Promise.all([page.waitForEvent('download'), page.click('[data-table="agents of support"] button:text("XLSX")')]);
  const book = readXlsx(readFileSync((await xlsxFile.path())!));
  // The spreadsheet holds numbers (60.0 on screen is 60 there) and leaves empty cells out.
  const asSheet = (v: string) => (v === '' || Number.isNaN(Number(v)) ? v : String(Number(v)));
  t.same(
    book.sheets[0].rows.map((r) => shown[0].map((_, i) => (r[i] === null || r[i] === undefined ? '' : String(r[i])))),
    shown.map((r) => r.map(asSheet)),
    'the XLSX export holds the same cells',
  );
  await screenshot(page, 'kpi.png');

  await page.click('[data-period=yesterday]');
  await page.waitForSelector('.interval[data-live=false]');
  await textOf(page, '[data-kpi="Incoming calls"] .value', '0');
  t.pass('yesterday, before this test engine existed, had no calls');

  // A custom interval in local time (the page's and this process's clocks share the zone).
  const pad = (n: number) => String(n).padStart(2, '0');
  const local = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const [from, to] = [new Date(new Date().setHours(0, 0, 0, 0)), new Date(Date.now() + 3600_000)];
  await page.fill('input[name=from]', local(from));
  await page.fill('input[name=to]', local(to));
  await page.click('[data-period=custom]');
  const custom: KpiReport = await api('sup-token', 'GET', `/api/reports/kpi?from=${from.getTime()}&to=${Date.parse(local(to))}`);
  t.ok(custom.totals.offered > 0);
  await textOf(page, '[data-kpi="Incoming calls"] .value', String(custom.totals.offered));
  t.same(await screenTable(page, 'groups'), expectedTable(groupsTable(custom)), 'a custom interval shows what the API gives for it');
  await page.context().close();
});

t.test('an open supervisor screen reconnects and resyncs after the engine restarts', async (t) => {
  const page = await loggedIn({ token: 'sup-token' });
  await textOf(page, '[data-agent=a2] [data-testid=agent-state]', 'Offline');
  await engine.stop();
  await page.waitForSelector('.link.offline');
  const c = config();
  c.http.port = httpPort;
  engine = await startEngine(c);
  // Usually changed before the page's next reconnect attempt (its backoff starts at 0.5 s), so
  // the re-read on reconnect shows it; if the stream is back first, the event does.
  await admin('PUT', '/api/agents/a2/state', { state: 'dnd', reason: 'paperwork' });
  await page.waitForSelector('.link.live');
  await textOf(page, '[data-agent=a2] [data-testid=agent-state]', 'Do not disturb');
  t.pass('the restarted engine\'s state is on screen without a reload');
  await page.context().close();
});

t.test('agent window: a real SIP call with the caller card, topic, comment, call script and hang-up', async (t) => {
  // Real phones on the (restarted) engine: Anna's answers at once, the client dials the queue.
  const anna = await SoftPhone.open(engine.stack.port, '1001', 1100);
  const client = await SoftPhone.open(engine.stack.port, '79001112233', 700);
  t.teardown(async () => {
    await anna.close();
    await client.close();
  });
  await anna.register();
  // Call tracking context for the number, and a note on the client's earlier (missed) request.
  await admin('POST', '/api/context', { number: '79001112233', context: { campaign: 'winter-sale' } });
  await admin('POST', '/api/calls/e2e-wait/comment', { text: 'Asked about the invoice' });

  const page = await loggedIn({ extension: '1001', password: 'secret-1001' });
  await textOf(page, '[data-testid=my-state]', 'On line');
  const call = await client.dial('queue-support');
  await anna.waitInvites(1);
  const card = page.locator('.active-call.connected [data-testid=caller-card]');
  await card.waitFor();
  const text = await card.textContent();
  t.match(text, /79001112233/, 'the number');
  t.match(text, /campaign\s*winter-sale/, 'the call-tracking context');
  t.match(text, /Asked about the invoice/, 'the comment on the earlier request');
  t.match(text, /missed .*called-back/, 'the missed call, called back since');

  await page.selectOption('select[aria-label=topic]', 'Technical issue');
  await page.fill('textarea[aria-label=comment]', 'Cannot log in since Monday');
  await page.click('text=Add comment');
  await page.locator('[data-testid=call-comments]', { hasText: 'Cannot log in since Monday' }).waitFor();
  await page.click('[data-testid=call-script] >> text=Cannot log in');
  await page.click('[data-testid=call-script] >> text=Solved');
  await page.locator('[data-testid=call-script] >> text=Script finished').waitFor();
  const notes = (await admin('GET', `/api/calls/${encodeURIComponent(call.callId)}/card`)).notes;
  t.match(notes, { topic: { topic: 'Technical issue', by: 'a1' }, comments: [{ text: 'Cannot log in since Monday' }], script: { path: ['greet', 'login', 'close'], finished: true } }, 'stored with the call');
  await screenshot(page, 'agent-call.png');

  await page.click('.active-call.connected button.hangup');
  await until('the client to get BYE', async () => (client.byes > 0 ? true : undefined));
  await page.locator('.active-call.ended').waitFor();
  t.pass('the ended call stays on screen for wrap-up notes');
  const history = (await admin('GET', `/api/calls/${encodeURIComponent(call.callId)}/card`)).history;
  t.ok(history.some((c: { callId: string; outcome: string }) => c.callId === 'e2e-wait' && c.outcome === 'abandoned'), 'the history lists the earlier request');
  await page.context().close();
});
