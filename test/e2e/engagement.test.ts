// Achievements, quests and alerts in the console, end to end in headless chromium: a scripted
// yesterday is judged, the agent sees their badges and a quest on their card, the wallboard
// shows each agent's badges, and an alert appears for the supervisor while callers wait and
// goes away when they leave.
import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startEngine } from '../../engine/server.js';
import { acdTestConfig } from '../integration/acd-fixture.js';
import { Client } from '../integration/api-client.js';
import { writeScriptedDay } from '../unit/gamification/scripted-day.js';
import { launchBrowser, loggedIn } from './browser.js';

const SCREENSHOTS = process.env.SWITCHYARD_SCREENSHOTS;
const shot = async (page: Page, name: string) => {
  if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, name), fullPage: true });
};
if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });

const dataDir = mkdtempSync(join(tmpdir(), 'engagement-e2e-'));
t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
const config = acdTestConfig(dataDir);
config.alerts.tickMs = 100;
const engine = await startEngine(config);
t.teardown(() => engine.stop());
const base = `http://127.0.0.1:${(engine.events.recent(1, 'engine.started')[0].data as { http: number }).http}`;
const admin = new Client(base, 'admin-token');
const browser = await launchBrowser();
t.teardown(() => browser.close());

const yesterday = new Date().setUTCHours(0, 0, 0, 0) - 86_400_000;
writeScriptedDay(engine.events, yesterday - 86_400_000); // the scripted day is the day before yesterday; its "morning after" is yesterday
await admin.call('PUT', '/api/quests/rookie', { name: 'Rookie', reward: '100 points', steps: [{ event: 'agent.state', where: { state: 'break' }, label: 'Take a break' }, { event: 'call.topic', label: 'Set a topic' }] });
for (const at of [yesterday - 86_400_000, yesterday]) await admin.call('POST', '/api/achievements/judge', { period: 'day', at });

t.test('the agent card shows badges and quest progress', async (t) => {
  const page = await loggedIn(browser, base, { extension: '1001', password: 'secret-1001' });
  const card = page.locator('[data-testid=my-achievements]');
  await card.locator('[data-badge=librarian]').waitFor();
  t.equal(await card.locator('[data-badge]').count(), 1, 'a1 earned only Librarian (busy-bee is not defined here)');
  await page.click('button.state.break');
  await card.locator('[data-quest=rookie] li.done').waitFor();
  t.equal(await card.locator('[data-quest=rookie]').textContent().then((x) => /1 of 2/.test(x ?? '')), true, 'one of two steps done, live');
  await shot(page, 'agent-achievements.png');
  await page.context().close();
});

t.test('the wallboard shows every agent’s badges; an alert comes and goes for the supervisor', async (t) => {
  const page = await loggedIn(browser, base, { token: 'sup-token' }, { width: 1280, height: 720 });
  await page.goto(base + '/wallboard');
  const row = (id: string) => page.locator(`.leaderboard li[data-agent=${id}]`);
  await row('a2').locator('[data-badge=speaker]').waitFor();
  const badges = async (id: string) => (await row(id).locator('[data-badge]').evaluateAll((els) => els.map((e) => e.getAttribute('data-badge')))).sort();
  // a2: Goalkeeper, Speaker, Librarian on the scripted day; Sprinter, Goalkeeper, Speaker the morning after.
  t.same(await badges('a2'), ['goalkeeper', 'librarian', 'speaker', 'sprinter']);
  t.match(await row('a2').locator('[data-badge=goalkeeper]').textContent(), /×2/);
  t.same(await badges('a1'), ['librarian']);

  await admin.call('PUT', '/api/alerts/rules/waiting', { name: 'Callers waiting', kpi: 'waitingNow', op: '>=', value: 1, queueId: 'support' });
  const call = engine.contactCentre.acd.enqueue('support', { callId: 'e2e-1', from: '+15550009', dnis: '100' });
  await page.locator('[data-testid=alerts]').getByText('Callers waiting').waitFor();
  await shot(page, 'wallboard-alert.png');
  engine.contactCentre.acd.abandon('e2e-1');
  await call;
  await page.locator('[data-testid=alerts]').waitFor({ state: 'detached' });
  t.pass('the alert cleared from the screen');
  await page.context().close();
});
