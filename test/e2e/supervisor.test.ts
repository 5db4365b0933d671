// The supervisor workplace end to end, on real calls: an engine process on loopback, raw SIP
// phones for the client, the agent and the supervisor (each sending its own sine, so who hears
// whom is measured on the RTP each receives), and headless chromium clicking the console.
// The screen shows the call being answered (state, activity, counts); a click on Whisper rings
// the supervisor's phone, and then the agent hears the supervisor while the client does not; a
// click switches to Listen live; Take over leaves the supervisor with the client. The workday
// card counts the call; a task planned in the past shows as overdue until it is done.
import { mkdirSync } from 'node:fs';
import t from 'tap';
import { assertHears, phonesFor, startContactCentre } from '../integration/live-call.js';
import { launchBrowser, loggedIn, screenshot, SCREENSHOTS, textOf, WAIT_MS } from './browser.js';

const CLIENT = 700;
const AGENT = 1100;
const SUPERVISOR = 1700;

const engine = await startContactCentre(t, {
  agents: [
    { id: 'a1', name: 'Anna', extension: '1001', groups: ['support'] },
    { id: 'a2', name: 'Boris', extension: '1002', groups: ['support'] },
  ],
  queues: [{ id: 'support', groups: ['support'], wrapUpMs: 0, ringTimeoutMs: 5000 }],
  tokens: [
    { token: 'admin-token', role: 'admin', name: 'root' },
    // The supervisor's own phone: the engine rings it for listen / whisper / barge / take over.
    { token: 'sup-token', role: 'supervisor', name: 'Olga', groups: ['support'], extension: '2001' },
  ],
});
const base = `http://127.0.0.1:${engine.httpPort}`;

async function admin(method: string, path: string): Promise<unknown> {
  const res = await fetch(base + path, { method, headers: { authorization: 'Bearer admin-token' } });
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status}`);
  return res.json();
}

const phone = phonesFor(t, engine.sipPort);
const anna = await phone('1001', AGENT);
const olga = await phone('2001', SUPERVISOR);
const client = await phone('79001234567', CLIENT);
await anna.register();
await olga.register();

const browser = await launchBrowser();
t.teardown(() => browser.close());
if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });

t.test('a supervisor click whispers to the agent on a live call, switches live, takes over', async (t) => {
  const page = await loggedIn(browser, base, { token: 'sup-token' }, { width: 1280, height: 900 });
  const row = '[data-agent=a1]';
  await textOf(page, `${row} [data-testid=agent-state]`, 'Offline');
  t.equal(await page.locator(`${row} .monitor button`).count(), 0, 'no call, nothing to monitor');

  await admin('POST', '/api/agents/a1/login');
  await textOf(page, `${row} [data-testid=agent-state]`, 'On line');
  await client.dial('queue-support');
  await anna.waitInvites(1);
  await textOf(page, `${row} [data-testid=agent-state]`, 'On a call');
  await textOf(page, `${row} [data-testid=activity]`, 'talking');
  await textOf(page, '[data-state=on-call] b', '1');
  await textOf(page, '[data-state=offline] b', '1');
  t.pass('the answered call is on screen: state, activity and counts');
  await assertHears(t, 'before the supervisor: the agent', anna, [CLIENT], [SUPERVISOR]);

  await page.locator(`${row} .monitor button`, { hasText: 'Whisper' }).click();
  await olga.waitInvites(1);
  t.pass("the engine rings the supervisor's phone");
  await textOf(page, `${row} [data-testid=monitor-mode]`, 'Whisper (2001)');
  t.equal(await page.locator(`${row} .monitor button[aria-pressed=true]`).textContent(), 'Whisper', 'the current mode is marked');
  await assertHears(t, 'whisper: the agent', anna, [CLIENT, SUPERVISOR], []);
  await assertHears(t, 'whisper: the client', client, [AGENT], [SUPERVISOR]);
  await assertHears(t, 'whisper: the supervisor', olga, [CLIENT, AGENT], []);
  await screenshot(page, 'supervisor-whisper.png');

  await page.locator(`${row} .monitor button`, { hasText: 'Listen' }).click();
  await textOf(page, `${row} [data-testid=monitor-mode]`, 'Listen (2001)');
  t.equal(olga.invites.length, 1, 'switching the mode places no new call');
  await assertHears(t, 'listen: the agent', anna, [CLIENT], [SUPERVISOR]);
  await assertHears(t, 'listen: the client', client, [AGENT], [SUPERVISOR]);

  await page.locator(`${row} .monitor button`, { hasText: 'Take over' }).click();
  await page.waitForFunction((s) => document.querySelector(s)?.textContent?.trim() !== 'On a call', `${row} [data-testid=agent-state]`, { timeout: WAIT_MS });
  t.equal(await page.locator(`${row} [data-testid=monitor-mode]`).count(), 0, 'the agent is off the call, nothing left to monitor');
  await assertHears(t, 'after take-over: the client', client, [SUPERVISOR], [AGENT]);

  await page.locator(`${row} button.link-button`).click();
  await textOf(page, '[data-testid=workday] [data-testid=calls]', '1');
  const spans = await page.locator('[data-testid=workday] [data-span]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-span')));
  t.same(spans.slice(0, 2), ['available', 'on-call'], 'the workday timeline: logged in, then the call');
  await screenshot(page, 'supervisor-workday.png');
  t.equal(await client.hangUp(), 200);
  await page.context().close();
});

t.test('tasks: planned in the past is overdue until done; agents without tasks', async (t) => {
  const page = await loggedIn(browser, base, { token: 'sup-token' }, { width: 1280, height: 900 });
  await textOf(page, '[data-testid=without-tasks]', 'Anna, Boris');
  await page.selectOption('select[name=task-agent]', 'a2');
  await page.selectOption('select[name=task-kind]', 'callback');
  await page.fill('input[name=task-title]', 'Call the client back about the invoice');
  await page.fill('input[name=task-due]', '00:00');
  await page.click('text=Add task');
  await textOf(page, '[data-testid=overdue-count]', '1');
  await textOf(page, '[data-testid=without-tasks]', 'Anna');
  const tasks = (await (await fetch(base + '/api/tasks', { headers: { authorization: 'Bearer sup-token' } })).json()) as { agentId: string; kind: string; status: string }[];
  t.match(tasks, [{ agentId: 'a2', kind: 'callback', status: 'overdue' }], 'the engine has the task');
  await screenshot(page, 'supervisor-tasks.png');
  // A task someone else plans arrives on the stream (task.created), without a reload.
  const other = await fetch(base + '/api/tasks', {
    method: 'POST',
    headers: { authorization: 'Bearer admin-token', 'content-type': 'application/json' },
    body: JSON.stringify({ agentId: 'a1', title: 'Read the new price list', dueAt: Date.now() + 3600_000 }),
  }).then((r) => r.json() as Promise<{ id: string }>);
  await textOf(page, '[data-testid=without-tasks]', '—');
  await admin('DELETE', `/api/tasks/${other.id}`);
  await textOf(page, '[data-testid=without-tasks]', 'Anna');
  t.pass("another's task appears and goes live");
  await page.locator('.tasks .overdue button', { hasText: 'Done' }).click();
  await textOf(page, '[data-testid=overdue-count]', '0');
  await textOf(page, '[data-testid=without-tasks]', 'Anna, Boris');
  t.pass('done: no longer overdue, Boris has no open task');
  await page.context().close();
});
