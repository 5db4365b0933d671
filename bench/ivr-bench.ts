// IVR load: SIPp keeps N calls at a time in the `ivr` menu of the engine's default dialplan for
// a fixed time. Each call presses 3 (RFC 2833 events from SIPp's pcap) while the menu prompt
// plays, answers the survey (5, then 9 #) and is hung up by the robot after its thanks: four
// prompts and four keys a call. Prints one JSON object.
//
//   npm run bench:ivr [-- --concurrent 300 --seconds 60 --out FILE --keep]
//
// Measured:
// - completed calls/s: SIPp's successful calls (the whole flow, ended by the engine's BYE) over
//   SIPp's elapsed time, from the first call to the last call's end (new calls stop at --seconds);
// - prompt start latency: engine-side, per prompt, from the dialplan verb asking for it (say /
//   gather with a prompt) to the media thread taking the playback (the `dialplan.prompt` events
//   of the event log; the first frame leaves on the next 20 ms tick). `cached` leaves out the
//   first use of each prompt, which synthesizes it (espeak-ng);
// - INVITE → 200 at SIPp (response time), engine CPU (% of one core, over the load window) and
//   peak RSS, the survey answers stored (`robot.survey` events).
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEngine, type Engine } from './lib/engine.js';
import { installCleanup, send, terminate, waitExit } from './lib/procs.js';
import { readRtt, readStats, startSipp } from './lib/sipp.js';
import { cpuPercent, freePort, mib, percentile, round, sampleProcs, sleep } from './lib/sys.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// The flow the integration test drives too (test/integration/ivr.test.ts).
const SCENARIO = join(ROOT, 'test/integration/scenarios/uac-ivr-survey.xml');
/** About how long one call lasts (menu, survey, thanks): sets the call rate that keeps N up. */
const CALL_SECONDS = 14;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const concurrent = Number(arg('concurrent', '300'));
const seconds = Number(arg('seconds', '60'));
const out = arg('out', '');
const keep = process.argv.includes('--keep');
if (!(concurrent >= 1 && seconds >= 1)) throw new Error('--concurrent and --seconds must be positive numbers');

function latency(ms: number[]): { samples: number; p50: number | null; p99: number | null; max: number | null } {
  const sorted = [...ms].sort((a, b) => a - b);
  return { samples: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? null };
}

/** Prompt start latencies from the event log: all, and without each prompt's first (synthesizing) use. */
function promptLatencies(dataDir: string): { all: number[]; cached: number[]; surveys: number } {
  const db = new Database(join(dataDir, 'switchyard.sqlite'), { readonly: true });
  try {
    const rows = db.prepare("SELECT data FROM events WHERE type = 'dialplan.prompt' ORDER BY id").all() as { data: string }[];
    const seen = new Set<string>();
    const all: number[] = [];
    const cached: number[] = [];
    for (const row of rows) {
      const { file, latencyMs } = JSON.parse(row.data) as { file: string; latencyMs: number };
      all.push(latencyMs);
      if (seen.has(file)) cached.push(latencyMs);
      seen.add(file);
    }
    const surveys = (db.prepare("SELECT count(*) AS n FROM events WHERE type = 'robot.survey'").get() as { n: number }).n;
    return { all, cached, surveys };
  } finally {
    db.close();
  }
}

const workDir = mkdtempSync(join(tmpdir(), 'ivr-bench-'));
installCleanup(() => !keep && rmSync(workDir, { recursive: true, force: true }));
let engine: Engine | undefined;
try {
  const loadBefore = loadavg();
  engine = await startEngine(ROOT, workDir, 'ivr');
  const sippDir = join(workDir, 'sipp');
  mkdirSync(sippDir, { recursive: true });
  const rate = Math.max(1, Math.ceil(concurrent / CALL_SECONDS));
  process.stderr.write(`[bench] ${concurrent} concurrent ivr calls for ${seconds} s (new calls at up to ${rate}/s)\n`);
  const before = sampleProcs([engine.pid]);
  let rssMax = before.rssKiB;
  const sipp = startSipp({
    label: 'ivr',
    dir: sippDir,
    scenario: SCENARIO,
    port: await freePort(),
    mediaPort: await freePort([2]),
    remote: `127.0.0.1:${engine.sipPort}`,
    args: ['-s', 'ivr', '-r', String(rate), '-l', String(concurrent), '-recv_timeout', '60000', '-trace_rtt', '-rtt_freq', '1'],
  });
  const started = performance.now();
  let peakActive = 0;
  while (performance.now() - started < seconds * 1000 && !sipp.proc.exit) {
    await waitExit(sipp.proc, 1000);
    rssMax = Math.max(rssMax, sampleProcs([engine.pid]).rssKiB);
    peakActive = Math.max(peakActive, ((await engine.health()) as { dialplan?: { activeCalls: number } } | undefined)?.dialplan?.activeCalls ?? 0);
  }
  const after = sampleProcs([engine.pid]);
  // No new calls from here; the calls in progress finish their flow.
  send(sipp.proc, 'SIGUSR1');
  if (!(await waitExit(sipp.proc, 90_000))) await terminate(sipp.proc, 'SIGTERM', 5000);
  const stats = readStats(sipp.stat);
  const rtt = readRtt(sippDir, sipp.proc.pid);
  // What the engine still holds once every call ended (endpoints close on their media thread).
  let leftover = await engine.health();
  for (let i = 0; i < 50 && (leftover?.activeCalls || leftover?.sip?.dialogs || (leftover as { media?: { endpoints: number } } | undefined)?.media?.endpoints); i++) {
    await sleep(100);
    leftover = await engine.health();
  }
  await engine.stop(); // flushes the event log
  const prompts = promptLatencies(engine.dataDir);
  const successful = stats?.successful ?? 0;
  const result = {
    bench: 'ivr',
    command: `npm run bench:ivr -- --concurrent ${concurrent} --seconds ${seconds}`,
    machine: { cores: cpus().length, loadAverage1mBefore: round(loadBefore[0], 2), note: 'shared machine: other processes ran meanwhile' },
    concurrent,
    seconds,
    peakActiveDialplanCalls: peakActive,
    calls: {
      successful,
      failed: stats?.failed ?? null,
      failures: stats?.failures ?? {},
      elapsedS: stats ? round(stats.elapsedS, 1) : null,
      completedPerSecond: stats && stats.elapsedS > 0 ? round(successful / stats.elapsedS, 2) : null,
    },
    surveysStored: prompts.surveys,
    promptStartMs: { all: latency(prompts.all), cached: latency(prompts.cached) },
    inviteTo200Ms: rtt.get(1) ?? null,
    engine: { cpuPercentOfOneCore: cpuPercent(before, after), rssMaxMiB: mib(rssMax), warnings: engine.warnings, leftAfterRun: leftover ?? null },
  };
  const json = JSON.stringify(result, null, 2);
  process.stdout.write(`${json}\n`);
  if (out) writeFileSync(out, `${json}\n`);
} finally {
  await engine?.stop();
  if (!keep) rmSync(workDir, { recursive: true, force: true });
  else process.stderr.write(`[bench] kept ${workDir}\n`);
}
