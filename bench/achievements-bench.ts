// Achievements benchmark: how long judging one day takes as the event log grows. A judgement
// (and the shared standing, recomputed at most once a minute) reads the day's events and only
// the scene-setting ones (agents, states, queues) before it. Writes `--days` busy days (`--agents` agents, `--calls` inbound calls per agent per
// day, each with a topic) into a temporary SQLite log, then times judging the last day.
// Prints one JSON object.
//
//   node dist/bench/achievements-bench.js [--agents 200 --calls 40 --days 1,7]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Achievements } from '../engine/gamification/achievements.js';
import { periodOf } from '../engine/gamification/periods.js';
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
    const achievements = new Achievements(log, { sprinterSeconds: 4, now: () => lastDay.end + DAY });
    const started = process.hrtime.bigint();
    const granted = achievements.judge(lastDay);
    const judgeMs = Number(process.hrtime.bigint() - started) / 1e6;
    results.push({ days, events, granted: granted.length, judgeMs: Math.round(judgeMs), eventsPerSecond: Math.round(events / (judgeMs / 1000)) });
    log.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(JSON.stringify({ bench: 'achievements', agents, callsPerAgentPerDay: calls, results }, null, 2));
