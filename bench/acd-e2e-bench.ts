// ACD benchmark end to end: the real engine process, SIPp agents and SIPp callers over loopback.
//
//   npm run bench:acd-e2e [-- --seconds 300 --agents 100 --callers 200]
//
// Agents: every agent is a SIP user registered with digest auth, but one SIPp UAS serves them
// all (two processes, not 100, so the bench fits on 2 cores beside the engine): a SIPp client
// first registers each extension with a Contact at port P, then exits, and the UAS binds P. The
// engine offers each call to an agent's Contact, so every offer reaches that UAS, which rings
// for --ring-ms (a CANCEL meanwhile is answered 487), answers with PCMA, plays SIPp's G.711 pcap
// (about 7 s of speech) and hangs up after --hold-ms unless the caller hung up first.
// Callers: one SIPp UAC keeps --callers calls up at once (-l) to queue-bench; the engine answers
// each at once and queues it; the caller plays the same pcap and waits for the engine's BYE (the
// agent hung up) or gives up after --patience-ms (an abandon if still waiting). After --seconds
// no new caller starts and the ones up finish.
//
// Figures come from the engine's own SQLite event log, read after a clean stop: calls offered
// (queued), answered, abandoned and other ends, lost (a caller SIPp placed that got neither an
// answer nor a queue outcome: no record, or one still open after the run — target zero), and the
// distribution latency of every offer: from what made it possible (the call's arrival, or the
// agent becoming available, whichever came later) to the offer (event times, 1 ms resolution).
// Engine CPU and RSS are sampled every second, the media plane's load from /api/health. Prints
// one JSON object; progress goes to stderr.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AcdEvent } from '../engine/acd/index.js';
import { AcdJournal } from '../engine/store/acd-journal.js';
import { foldCdrs } from '../engine/store/cdrs.js';
import { EventLog } from '../engine/store/event-log.js';
import { numberOption } from './lib/argv.js';
import { startEngine, type Engine } from './lib/engine.js';
import { installCleanup, send, terminate, waitExit } from './lib/procs.js';
import { firstErrors, readStats, startSipp, type SippProc } from './lib/sipp.js';
import { cpuPercent, freePort, mib, percentile, round, sampleProcs, sleep, waitUdpBound } from './lib/sys.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SCENARIOS = join(ROOT, 'bench/scenarios');
const ADMIN_TOKEN = 'acd-bench-admin';
const QUEUE = 'bench';
const FIRST_EXTENSION = 3001;

const o = {
  seconds: numberOption('--seconds', 300),
  agents: numberOption('--agents', 100),
  callers: numberOption('--callers', 200),
  /** New callers per second while fewer than --callers are up. */
  rate: numberOption('--rate', 20),
  ringMs: numberOption('--ring-ms', 1000),
  holdMs: numberOption('--hold-ms', 6000),
  patienceMs: numberOption('--patience-ms', 45_000),
  wrapUpMs: numberOption('--wrap-up-ms', 1000),
};
const keep = process.argv.includes('--keep');
const log = (line: string) => process.stderr.write(`[acd-e2e] ${line}\n`);

const work = mkdtempSync(join(tmpdir(), 'acd-e2e-'));
installCleanup(() => {
  if (!keep) rmSync(work, { recursive: true, force: true });
});

const extension = (i: number) => String(FIRST_EXTENSION + i);
const password = (ext: string) => `bench-${ext}`;

/** The engine's config: the agents as SIP users and ACD agents, one queue they all serve. */
function writeConfig(): string {
  const file = join(work, 'config.json');
  const exts = Array.from({ length: o.agents }, (_, i) => extension(i));
  writeFileSync(
    file,
    JSON.stringify({
      users: Object.fromEntries(exts.map((ext) => [ext, password(ext)])),
      acd: {
        agents: exts.map((ext) => ({ id: `a${ext}`, name: `Agent ${ext}`, extension: ext, groups: [QUEUE] })),
        queues: [{ id: QUEUE, groups: [QUEUE], wrapUpMs: o.wrapUpMs }],
      },
    }),
  );
  return file;
}

/** A scenario of bench/scenarios with its placeholders filled in, written to the work dir. */
function scenario(name: string, values: Record<string, number>): string {
  let xml = readFileSync(join(SCENARIOS, name), 'utf8');
  for (const [key, value] of Object.entries(values)) xml = xml.replaceAll(key, String(value));
  const file = join(work, name);
  writeFileSync(file, xml);
  return file;
}

async function api(engine: Engine, method: string, path: string): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${engine.httpPort}${path}`, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  const body = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** Registers every agent from `port`, then starts the one UAS that answers for all of them there. */
async function startAgents(engine: Engine, port: number, mediaPort: number): Promise<SippProc> {
  const users = join(work, 'agents.csv');
  const lines = Array.from({ length: o.agents }, (_, i) => extension(i)).map((ext) => `${ext};[authentication username=${ext} password=${password(ext)}]`);
  writeFileSync(users, `SEQUENTIAL\n${lines.join('\n')}\n`);
  const reg = startSipp({
    label: 'agents-register',
    dir: work,
    scenario: join(SCENARIOS, 'acd-agent-register.xml'),
    port,
    mediaPort,
    remote: `127.0.0.1:${engine.sipPort}`,
    args: ['-inf', users, '-m', String(o.agents), '-r', '50', '-recv_timeout', '5000', '-timeout', '60s'],
  });
  if (!(await waitExit(reg.proc, 70_000))) await terminate(reg.proc);
  const registered = readStats(reg.stat)?.successful ?? 0;
  const health = await engine.health();
  if (registered !== o.agents || (health?.registrations ?? 0) < o.agents) {
    throw new Error(`${registered} of ${o.agents} agents registered: ${firstErrors(reg.errors).join(' | ')}`);
  }
  const uas = startSipp({
    label: 'agents',
    dir: work,
    scenario: scenario('acd-agent.xml', { RING_MS: o.ringMs, HOLD_MS: o.holdMs }),
    port,
    mediaPort,
    args: [],
  });
  if (!(await waitUdpBound(port, 10_000)) || uas.proc.exit) throw new Error(`the agents' SIPp UAS did not start: ${firstErrors(uas.screen).join(' | ')}`);
  for (let i = 0; i < o.agents; i++) await api(engine, 'POST', `/api/agents/a${extension(i)}/login`);
  return uas;
}

interface Load {
  cpuPct: number;
  rssMiB: number;
  rssMaxMiB: number;
  /** Engine mixers at once (each caller has one, waiting or bridged to an agent). */
  mixersMax: number;
  endpointsMax: number;
  mediaOverruns: number;
  mediaLatenessP99UsMax: number;
}

/** Runs the callers for --seconds, then lets the calls up finish; samples the engine meanwhile. */
async function runCallers(engine: Engine, port: number, mediaPort: number): Promise<{ callers: SippProc; load: Load; offering: { from: number; to: number } }> {
  const callers = startSipp({
    label: 'callers',
    dir: work,
    scenario: scenario('acd-caller.xml', { PATIENCE_MS: o.patienceMs }),
    port,
    mediaPort,
    remote: `127.0.0.1:${engine.sipPort}`,
    args: ['-s', `queue-${QUEUE}`, '-r', String(o.rate), '-l', String(o.callers), '-recv_timeout', String(o.patienceMs + 30_000)],
  });
  const started = performance.now();
  const startedAt = Date.now();
  const first = sampleProcs([engine.pid]);
  let last = first;
  const load = { rssMaxKiB: 0, mixersMax: 0, endpointsMax: 0, overruns: 0, latenessMax: 0 };
  const sample = async () => {
    last = sampleProcs([engine.pid]);
    load.rssMaxKiB = Math.max(load.rssMaxKiB, last.rssKiB);
    const media = (await engine.health()) as { media?: { endpoints: number; mixers: number; threads: { overruns: number; latenessP99Us: number }[] } } | undefined;
    if (media?.media) {
      load.mixersMax = Math.max(load.mixersMax, media.media.mixers);
      load.endpointsMax = Math.max(load.endpointsMax, media.media.endpoints);
      load.overruns = media.media.threads.reduce((n, t) => n + t.overruns, 0);
      load.latenessMax = Math.max(load.latenessMax, ...media.media.threads.map((t) => t.latenessP99Us));
    }
  };
  let nextReport = 10;
  while ((performance.now() - started) / 1000 < o.seconds && !callers.proc.exit && !engine.proc.exit) {
    await sleep(1000);
    await sample();
    const elapsed = (performance.now() - started) / 1000;
    if (elapsed >= nextReport) {
      nextReport += 10;
      const st = readStats(callers.stat);
      log(`${Math.round(elapsed)} s: ${st?.current ?? '?'} callers up, ${st?.successful ?? '?'} done, ${st?.failed ?? '?'} failed; engine CPU ${cpuPercent(first, last)} %, RSS ${mib(last.rssKiB)} MiB`);
    }
  }
  const offering = { from: startedAt, to: Date.now() };
  // SIGUSR1: SIPp starts no new call and exits once the calls up have ended.
  log('no new callers; waiting for the calls up to end');
  send(callers.proc, 'SIGUSR1');
  const drainDeadline = performance.now() + o.patienceMs + o.holdMs + 30_000;
  while (!callers.proc.exit && performance.now() < drainDeadline) {
    await sleep(1000);
    await sample();
  }
  if (!callers.proc.exit) await terminate(callers.proc, 'SIGTERM', 5000);
  const cpuPct = cpuPercent(first, last);
  return {
    callers,
    offering,
    load: {
      cpuPct,
      rssMiB: mib(last.rssKiB),
      rssMaxMiB: mib(load.rssMaxKiB),
      mixersMax: load.mixersMax,
      endpointsMax: load.endpointsMax,
      mediaOverruns: load.overruns,
      mediaLatenessP99UsMax: load.latenessMax,
    },
  };
}

/** What the engine's event log says about the run. */
function readLog(dataDir: string) {
  const events = new EventLog(join(dataDir, 'switchyard.sqlite'));
  try {
    const acdEvents = [...AcdJournal.events(events)];
    const cdrs = [...foldCdrs(acdEvents).values()].filter((c) => c.kind === 'call');
    const byDisposition: Record<string, number> = {};
    for (const c of cdrs) byDisposition[c.disposition] = (byDisposition[c.disposition] ?? 0) + 1;
    return { cdrs, byDisposition, ...offers(acdEvents) };
  } finally {
    events.close();
  }
}

/** Every offer's distribution latency, and how the offers ended. */
function offers(events: AcdEvent[]) {
  const queuedAt = new Map<string, number>();
  const availableAt = new Map<string, number>();
  const latencies: number[] = [];
  const results: Record<string, number> = {};
  for (const e of events) {
    if (e.type === 'call.queued' && e.callId && !queuedAt.has(e.callId)) queuedAt.set(e.callId, e.at);
    else if (e.type === 'agent.state' && e.state === 'available') availableAt.set(e.agentId, e.at);
    else if (e.type === 'call.offered' && e.callId) latencies.push(e.at - Math.max(queuedAt.get(e.callId) ?? e.at, availableAt.get(e.agentId) ?? 0));
    else if (e.type === 'call.offer-result') results[e.result] = (results[e.result] ?? 0) + 1;
  }
  latencies.sort((a, b) => a - b);
  return {
    offers: { count: latencies.length, results },
    distributionLatencyMs: { samples: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1] ?? null },
  };
}

async function main(): Promise<void> {
  process.env.SWITCHYARD_CONFIG = writeConfig();
  process.env.SWITCHYARD_ADMIN_TOKEN = ADMIN_TOKEN;
  process.env.SWITCHYARD_CHALLENGE_INVITES = '0';
  log(`${o.agents} agents, ${o.callers} callers up at once, ${o.seconds} s; work dir ${work}`);
  const engine = await startEngine(ROOT, work, 'acd');
  let agents: SippProc | undefined;
  try {
    const agentPort = await freePort();
    const callerPort = await freePort();
    // SIPp binds its media port and the one two above it.
    const agentMedia = await freePort([2]);
    const callerMedia = await freePort([2]);
    agents = await startAgents(engine, agentPort, agentMedia);
    log(`${o.agents} agents registered and logged in; callers start`);
    const { callers, load, offering } = await runCallers(engine, callerPort, callerMedia);
    const offeringSeconds = (offering.to - offering.from) / 1000;
    // The agents' last calls end with the callers' (caller BYE) or their own hold time.
    await sleep(2000);
    await terminate(agents.proc, 'SIGTERM', 5000);
    const agentStats = readStats(agents.stat);
    const callerStats = readStats(callers.stat);
    const warnings = engine.warnings;
    const firstWarnings = engine.firstWarnings;
    await engine.stop(); // a clean stop flushes the event log
    const run = readLog(engine.dataDir);
    const placed = callerStats?.created ?? 0;
    const ended = run.cdrs.filter((c) => c.disposition !== 'in-progress').length;
    const answered = (run.byDisposition.answered ?? 0) + (run.byDisposition.transferred ?? 0);
    const result = {
      node: process.version,
      options: o,
      agentsDesign: `${o.agents} registered SIP users served by one SIPp UAS (registered from its port), callers from one SIPp UAC`,
      offeringSeconds: round(offeringSeconds),
      calls: {
        placedBySipp: placed,
        offered: run.cdrs.length,
        answered,
        abandoned: run.byDisposition.abandoned ?? 0,
        byDisposition: run.byDisposition,
        lost: placed - ended,
        lostDetail: { withoutRecord: placed - run.cdrs.length, stillOpen: run.cdrs.length - ended },
      },
      // Steady state: calls answered while new callers kept coming (not the drain after it).
      answeredPerSecond: round(run.cdrs.filter((c) => c.answeredAt !== null && c.answeredAt >= offering.from && c.answeredAt <= offering.to).length / offeringSeconds, 2),
      distributionLatencyMs: run.distributionLatencyMs,
      offers: run.offers,
      engine: { ...load, warnings, firstWarnings },
      sipp: {
        callers: callerStats && { created: callerStats.created, successful: callerStats.successful, failed: callerStats.failed, failures: callerStats.failures, retransmissions: callerStats.retransmissions, firstErrors: callerStats.failed ? firstErrors(callers.errors) : [] },
        agents: agentStats && { calls: agentStats.created, successful: agentStats.successful, failed: agentStats.failed, failures: agentStats.failures, firstErrors: agentStats.failed ? firstErrors(agents.errors) : [] },
      },
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    if (agents && !agents.proc.exit) await terminate(agents.proc, 'SIGTERM', 5000);
    if (!engine.proc.exit) await engine.stop();
  }
}

await main();
