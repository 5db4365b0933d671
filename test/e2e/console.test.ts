// The web console end to end: headless Debian chromium (playwright-core) against an engine
// started on loopback. A supervisor sees an agent change state live; an agent changes their
// own state, sees a caller and calls a missed one back, and cannot open the supervisor screen;
// the wallboard ranks agents by answered calls and by callbacks;
// an open screen catches up after the engine restarts.
// Calls come from the scripted AgentDialer double (the SIP call layer is not wired to the ACD yet).
import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Config } from '../../engine/config.js';
import { startEngine, type Engine } from '../../engine/server.js';
import { acdTestConfig } from '../integration/acd-fixture.js';
import { ScriptedPhones } from '../unit/acd/phones.js';

const WAIT_MS = 20_000;
// Screenshots for the README are refreshed only on request (SWITCHYARD_SCREENSHOTS=docs/screenshots),
// so a test run leaves the working tree as it found it.
const SCREENSHOTS = process.env.SWITCHYARD_SCREENSHOTS;

async function screenshot(page: Page, name: string): Promise<void> {
  if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, name), fullPage: true });
}

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

async function admin(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(base + path, { method, headers: { authorization: 'Bearer admin-token', 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status}`);
  return res.json();
}

// The flags Debian's chromium needs on a machine without network (see the README's test notes).
const browser: Browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
t.teardown(() => browser.close());
if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
/** The agents' phones: every one answers at once (attached in the agent test). */
const phones = new ScriptedPhones();

/** A fresh browser profile at phone size (or TV size), logged in through the login form. */
async function loggedIn(login: { extension: string; password: string } | { token: string }, size = { width: 390, height: 844 }): Promise<Page> {
  const context = await browser.newContext({ viewport: size });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  await page.goto(base + '/');
  if ('token' in login) {
    await page.fill('input[name=token]', login.token);
    await page.click('text=Log in with token');
  } else {
    await page.fill('input[name=extension]', login.extension);
    await page.fill('input[name=password]', login.password);
    await page.click('text=Log in as agent');
  }
  await page.waitForSelector('.link.live');
  return page;
}

const textOf = (page: Page, selector: string, text: string) =>
  page.waitForFunction(([s, x]) => document.querySelector(s)?.textContent?.trim() === x, [selector, text] as const, { timeout: WAIT_MS });

t.test('supervisor sees an agent change state live, with counts per state', async (t) => {
  const page = await loggedIn({ token: 'sup-token' });
  t.match(new URL(page.url()).pathname, '/supervisor');
  await textOf(page, '[data-agent=a1] [data-testid=agent-state]', 'Offline');
  t.equal(await page.locator('[data-agent=s1]').count(), 0, 'another group is not shown');

  await admin('PUT', '/api/agents/a1/state', { state: 'break', reason: 'lunch' });
  await textOf(page, '[data-agent=a1] [data-testid=agent-state]', 'Break');
  await textOf(page, '[data-state=break] b', '1');
  t.pass('the state and the counts changed without a reload');

  t.ok(await page.locator('[data-agent=a1] .monitor button').first().isDisabled(), 'monitoring buttons wait for their API');
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

  for (const path of ['/supervisor', '/wallboard']) {
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
