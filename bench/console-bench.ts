// Supervisor workplace under load, in a real browser: an engine in-process with 1,000 agents,
// headless Debian chromium (playwright-core) showing /supervisor to a supervisor of every group,
// and agent state changes at a steady rate through the ACD, so each one travels the real path
// (ACD event → event log + WebSocket stream → the page's patch → DOM). Measured:
//   - first render: navigation start → all agent rows in the DOM (performance.now() in the page);
//   - update applied: the moment the engine emitted the change → the DOM shows it (a
//     MutationObserver in the page sees the change's unique reason text); both clocks are the
//     machine's (performance.timeOrigin + performance.now() in Node and in the page);
//   - frame time: intervals between animation frames while the stream runs.
// Prints one JSON object.
//
//   npm run bench:console [-- --agents 1000 --rate 100 --seconds 20 --loads 5]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { launchBrowser } from '../test/e2e/browser.js';
import { defaultConfig } from '../engine/config.js';
import { startEngine } from '../engine/server.js';
import type { AgentState } from '../engine/acd/index.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : fallback;
}

const AGENTS = arg('agents', 1000);
const RATE = arg('rate', 100);
const SECONDS = arg('seconds', 20);
const LOADS = arg('loads', 5);
const GROUPS = Array.from({ length: 10 }, (_, i) => `group-${String(i + 1).padStart(2, '0')}`);
const STATES: AgentState[] = ['available', 'break', 'dnd', 'outbound'];
const TOKEN = 'bench-supervisor';

const clock = () => performance.timeOrigin + performance.now();

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] : NaN;
}

const ms = (x: number) => +x.toFixed(1);
const stats = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return { p50Ms: ms(percentile(s, 50)), p99Ms: ms(percentile(s, 99)), maxMs: ms(s[s.length - 1] ?? NaN) };
};

const dataDir = mkdtempSync(join(tmpdir(), 'console-bench-'));
const config = defaultConfig();
config.sip.port = 0;
config.http.port = 0;
config.dataDir = dataDir;
config.logLevel = 'silent';
config.acd.agents = Array.from({ length: AGENTS }, (_, i) => ({ id: `a${i}`, name: `Agent ${String(i).padStart(4, '0')}`, extension: String(10000 + i), groups: [GROUPS[i % GROUPS.length]] }));
config.acd.queues = GROUPS.map((g) => ({ id: g, groups: [g] }));
config.acd.tokens = [{ token: TOKEN, role: 'supervisor', name: 'Bench', groups: GROUPS }];

const engine = await startEngine(config);
const acd = engine.contactCentre.acd;
const port = (engine.events.recent(1, 'engine.started')[0].data as { http: number }).http;
const base = `http://127.0.0.1:${port}`;
// A realistic mix on screen: most agents logged in, some on a break or offline.
for (let i = 0; i < AGENTS; i++) if (i % 10 !== 9) acd.setState(`a${i}`, STATES[i % STATES.length], 'start');
const principal = await (await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();

const browser = await launchBrowser();
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  // Logged in already; observers installed before the page's own script runs.
  await context.addInitScript(
    ({ session, agents }) => {
      localStorage.setItem('switchyard.session', JSON.stringify(session));
      const w = window as unknown as { bench: { rowsAt: number; seen: Record<number, number>; frames: number[] } };
      w.bench = { rowsAt: 0, seen: {}, frames: [] };
      const now = () => performance.timeOrigin + performance.now();
      const note = (text: string | null) => {
        for (const m of (text ?? '').matchAll(/\bu(\d+)\b/g)) w.bench.seen[Number(m[1])] ??= now();
      };
      new MutationObserver((records) => {
        if (!w.bench.rowsAt && document.querySelectorAll('[data-agent]').length >= agents) w.bench.rowsAt = performance.now();
        for (const r of records) {
          if (r.type === 'characterData') note(r.target.textContent);
          else r.addedNodes.forEach((n) => note(n.textContent));
        }
      }).observe(document, { subtree: true, childList: true, characterData: true });
    },
    { session: { token: TOKEN, principal }, agents: AGENTS },
  );
  const page = await context.newPage();
  // The page's own CPU time (Chrome's TaskDuration/ScriptDuration), which a loaded machine
  // stretches less than wall-clock time.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const cpu = async () => {
    const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
    const get = (name: string) => (metrics.find((m) => m.name === name)?.value ?? NaN) * 1000;
    return { thread: get('ThreadTime'), task: get('TaskDuration'), script: get('ScriptDuration'), layout: get('LayoutDuration') + get('RecalcStyleDuration') };
  };

  const firstRender: number[] = [];
  const agentsFetched: number[] = [];
  for (let i = 0; i < LOADS; i++) {
    await page.goto(`${base}/supervisor`);
    await page.waitForFunction(() => (window as unknown as { bench: { rowsAt: number } }).bench.rowsAt > 0, null, { timeout: 30_000, polling: 50 });
    const load = await page.evaluate(() => ({
      rowsAt: (window as unknown as { bench: { rowsAt: number } }).bench.rowsAt,
      fetched: (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).find((e) => e.name.endsWith('/api/agents'))?.responseEnd ?? NaN,
    }));
    firstRender.push(load.rowsAt);
    agentsFetched.push(load.fetched);
  }
  await page.waitForSelector('.link.live');

  // Frame intervals while the stream runs.
  await page.evaluate(() => {
    const b = (window as unknown as { bench: { frames: number[] } }).bench;
    let last = performance.now();
    const tick = (t: number) => {
      b.frames.push(t - last);
      last = t;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });

  // Changes at a steady rate, round-robin over the agents (one agent changes every AGENTS/RATE s,
  // so no change hides another before a render); each carries a unique reason "u<seq>".
  const sent: number[] = [];
  const total = RATE * SECONDS;
  const cpuBefore = await cpu();
  const start = clock();
  for (let seq = 0; seq < total; seq++) {
    const due = start + (seq * 1000) / RATE;
    const wait = due - clock();
    if (wait > 1) await sleep(wait);
    const agent = seq % AGENTS;
    sent[seq] = clock();
    acd.setState(`a${agent}`, STATES[(seq + 1 + Math.floor(seq / AGENTS)) % STATES.length], `u${seq}`);
  }
  const sendSeconds = (clock() - start) / 1000;
  await sleep(2000);
  const cpuAfter = await cpu();
  const streamSeconds = sendSeconds + 2;

  const { seen, frames } = await page.evaluate(() => {
    const b = (window as unknown as { bench: { seen: Record<number, number>; frames: number[] } }).bench;
    return { seen: b.seen, frames: b.frames };
  });
  const latencies: number[] = [];
  for (let seq = 0; seq < total; seq++) if (seen[seq] !== undefined) latencies.push(seen[seq] - sent[seq]);

  console.log(
    JSON.stringify(
      {
        agents: AGENTS,
        eventsPerSecond: { target: RATE, achieved: +(total / sendSeconds).toFixed(1) },
        seconds: SECONDS,
        firstRenderMs: { runs: firstRender.map(ms), ...stats(firstRender) },
        // Of which: navigation start → the agent list (GET /api/agents) fully received.
        agentListReceivedMs: { runs: agentsFetched.map(ms), ...stats(agentsFetched) },
        updateApplied: { sent: total, applied: latencies.length, missing: total - latencies.length, ...stats(latencies) },
        frameIntervals: { frames: frames.length, ...stats(frames) },
        // The page's main thread while the stream ran (plus 2 s to drain), per second: CPU time
        // (thread), and wall time busy in tasks, scripts, style and layout (stretched by load).
        pageMainThreadMsPerSecond: {
          cpu: ms((cpuAfter.thread - cpuBefore.thread) / streamSeconds),
          task: ms((cpuAfter.task - cpuBefore.task) / streamSeconds),
          script: ms((cpuAfter.script - cpuBefore.script) / streamSeconds),
          styleAndLayout: ms((cpuAfter.layout - cpuBefore.layout) / streamSeconds),
        },
        targets: { firstRenderMs: 1000, updateP99Ms: 200 },
        machine: { cores: cpus().length, loadavg: loadavg().map((x) => +x.toFixed(2)) },
      },
      null,
      2,
    ),
  );
} finally {
  await browser.close();
  await engine.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
