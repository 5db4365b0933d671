// Achievements benchmark: how long judging one day takes as the event log grows, and how long
// it blocks the engine's event loop. A judgement (and the shared standing, recomputed at most
// once a minute) reads the day's events and only the scene-setting ones (agents, states,
// queues) before it. Writes `--days` busy days (`--agents` agents, `--calls` inbound calls per
// agent per day, each with a topic) into a temporary SQLite log, then judges the last day twice:
// the same computation on the event loop (what judging did before the worker), and through
// Achievements.judge (in the judging worker thread), with the event loop's longest stall
// measured meanwhile (perf_hooks' event-loop delay histogram). Prints one JSON object.
//
//   node dist/bench/achievements-bench.js [--agents 200 --calls 40 --days 1,7]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Achievements } from '../engine/gamification/achievements.js';
import { periodOf } from '../engine/gamification/periods.js';
import { standings } from '../engine/gamification/standings.js';
import { EventLog } from '../engine/store/event-log.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const agents = Number(arg('agents', '200'));
const calls = Number(arg('calls', '40'));
const dayCounts = arg('days', '1,7').split(',').map(Number);
const DAY = 86_400_000;

function writeDays(log: EventLog, days: number, firstDay: number): number {
  let events = 0;
  const acd = (type: string, at: number, fields: Record<string, unknown>) => {
    log.append(`acd.${type}`, { type, at, ...fields }, fields.callId as string | undefined, at);
    events++;
  };
  for (let a = 0; a < agents; a++) acd('agent.defined', firstDay, { agent: { id: `a${a}`, groups: ['g'] } });
  for (let d = 0; d < days; d++) {
    const day = firstDay + d * DAY + 9 * 3600_000;
    for (let a = 0; a < agents; a++) acd('agent.state', day, { agentId: `a${a}`, state: 'available', reason: '', prev: 'offline' });
    for (let c = 0; c < calls; c++) {
      for (let a = 0; a < agents; a++) {
        const callId = `d${d}-c${c}-a${a}`;
        const at = day + c * 600_000 + a;
        acd('call.queued', at, { callId, queueId: 'q', kind: 'call', priority: 0 });
        acd('call.offered', at, { callId, queueId: 'q', agentId: `a${a}`, offerId: callId });
        acd('call.offer-result', at + 2000, { callId, queueId: 'q', agentId: `a${a}`, offerId: callId, result: 'answered' });
        acd('call.answered', at + 2000, { callId, queueId: 'q', agentId: `a${a}`, waitMs: 2000 });
        acd('call.ended', at + 180_000, { callId, queueId: 'q', kind: 'call', agentId: `a${a}`, talkMs: 178_000 + a });
        log.append('call.topic', { topic: 'billing', by: `a${a}` }, callId, at + 190_000);
        events++;
      }
    }
    for (let a = 0; a < agents; a++) acd('agent.state', day + 8 * 3600_000, { agentId: `a${a}`, state: 'offline', reason: '', prev: 'available' });
  }
  return events;
}

const results = [];
for (const days of dayCounts) {
  const dir = mkdtempSync(join(tmpdir(), 'achievements-bench-'));
  try {
    const log = new EventLog(join(dir, 'events.sqlite'));
    const firstDay = Date.UTC(2026, 0, 5);
    const events = writeDays(log, days, firstDay);
    log.flush();
    const lastDay = periodOf('day', firstDay + (days - 1) * DAY);
    const now = lastDay.end + DAY;
    const achievements = new Achievements(log, { sprinterSeconds: 4, now: () => now });
    const defs = achievements.definitions().filter((d) => d.period === 'day');

    const inlineStart = process.hrtime.bigint();
    const inline = standings(log, { period: lastDay, defs, now, sprinterMs: 4000 });
    const inlineMs = Number(process.hrtime.bigint() - inlineStart) / 1e6;

    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const started = process.hrtime.bigint();
    const granted = await achievements.judge(lastDay);
    const judgeMs = Number(process.hrtime.bigint() - started) / 1e6;
    delay.disable();
    await achievements.stop();
    // The same measurement with nothing to do, as long: the stalls a loaded machine causes anyway.
    const idle = monitorEventLoopDelay({ resolution: 5 });
    idle.enable();
    await new Promise((resolve) => setTimeout(resolve, judgeMs));
    idle.disable();
    if (granted.length !== inline.length) throw new Error(`the worker granted ${granted.length}, the inline judgement found ${inline.length}`);
    results.push({
      days,
      events,
      granted: granted.length,
      onEventLoop: { judgeMs: Math.round(inlineMs), blocksLoopMs: Math.round(inlineMs) },
      inWorker: { judgeMs: Math.round(judgeMs), loopDelayMaxMs: Math.round(delay.max / 1e6), loopDelayP99Ms: Math.round(delay.percentile(99) / 1e6) },
      idle: { loopDelayMaxMs: Math.round(idle.max / 1e6), loopDelayP99Ms: Math.round(idle.percentile(99) / 1e6) },
    });
    log.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(JSON.stringify({ bench: 'achievements', agents, callsPerAgentPerDay: calls, results }, null, 2));
