// SIP load benchmark: `npm run bench:sip` (see bench/README.md).
//
// Ladder mode (default): for each target, SIPp places calls at a stepped rate for a fixed window
// per step; a step is clean when no call failed and SIPp reached the rate. The best clean step is
// the target's figure. Targets: the engine answering calls itself, the engine bridging calls to a
// registered SIPp UAS (B2BUA), and two yardsticks on the same machine: SIPp UAC straight to the
// SIPp UAS (the load generator's ceiling) and Kamailio as a transaction-stateful proxy.
//
// Soak mode (--soak SECONDS): the B2BUA at a fixed moderate rate, with the engine's RSS and
// /api/health sampled periodically, and a final sample after transactions have drained.
//
// Prints one JSON object on stdout at the end; progress on stderr. Every process it starts is
// stopped at the end, on error and on SIGINT/SIGTERM.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { B2BUA_USER, register, startUas, stopUas, UAC_XML } from './lib/b2bua-target.js';
import type { UdpTiming } from '../engine/sip/transport/native-udp-socket.js';
import { getHealth, startEngine, type Engine, type Health } from './lib/engine.js';
import { startKamailio, type Kamailio, KAMAILIO } from './lib/kamailio.js';
import { parseOptions, type Options, type TargetName } from './lib/options.js';
import { installCleanup, send, terminate, waitExit } from './lib/procs.js';
import { firstErrors, readRtt, readStats, SIPP, startSipp, type Latency, type SippProc, type SippStats } from './lib/sipp.js';
import { cpuPercent, freePort, mib, round, sampleProcs, sleep, threadSchedstat, udpRcvbufErrors, type ProcSample } from './lib/sys.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Soak: transactions outlive their call by 64×T1 = 32 s; after this the live state is steady. */
const STEADY_AFTER_S = 40;
/** A call that gets no answer to a message for this long fails (instead of hanging the step). */
const RECV_TIMEOUT_MS = 10_000;

const progress = (line: string): void => {
  process.stderr.write(`[bench] ${line}\n`);
};

// ---------------------------------------------------------------------------------------------
// One step: SIPp UAC at one rate for one window against a prepared target.

/** What runs the calls' far end and what is measured as the system under test. */
interface TargetContext {
  name: TargetName;
  workDir: string;
  /** host:port the UAC sends to. */
  remote: string;
  /** Request-URI user. */
  service: string;
  /** Processes measured as the system under test (CPU summed, RSS summed). */
  sutPids: () => number[];
  sutLabel: string | null;
  /** VmRSS for one process (the engine), PSS summed over Kamailio's processes. */
  sutMemory: 'rss' | 'pss';
  /** Returns a reason when the system under test is gone. */
  sutDead: () => string | undefined;
  uas?: SippProc;
  engine?: Engine;
}

interface StepResult {
  targetRate: number;
  windowSeconds: number;
  callsPlanned: number;
  callsCreated: number;
  successful: number;
  failed: number;
  failureKinds: Record<string, number>;
  /** SIPp's run time, first call to exit (includes the last call's hold time). */
  elapsedSeconds: number;
  /** successful / elapsed. */
  achievedCps: number;
  /** successful / (elapsed − hold): the rate SIPp sustained, compared with the target. */
  sustainedCps: number;
  reachedTarget: boolean;
  retransmissions: { uac: number; uas: number | null };
  /** SIPp response times, ms (SIPp measures in whole milliseconds). */
  responseMs: { inviteTo200: Latency | null; byeTo200: Latency | null };
  /** The system under test: CPU as % of one core over the UAC's run; memory at the end and
   * the most seen (sampled every second): VmRSS for the engine, PSS sum for Kamailio. */
  sut: { label: string; cpuPct: number; memory: 'rss' | 'pss'; memMiB: number; memMaxMiB: number } | null;
  uacCpuPct: number;
  uasCpuPct: number | null;
  uasFailed: number | null;
  sippWatchdog: { major: number; minor: number };
  /** Machine-wide UDP receive-buffer drops during the step (/proc/net/snmp RcvbufErrors). */
  udpRcvbufErrors: number | null;
  deadCallMsgs: number;
  /** The engine's own split of a SIP datagram's time (GET /api/sip/udp-timing), read once a
   * second: per part, the median and the worst of the seconds' p99, µs; every second's
   * figures in engine-udp-timing.jsonl of the step's directory. */
  engineUdpTiming: { seconds: number; p99Us: Record<keyof UdpTiming, { median: number; worst: number }> } | null;
  /** The engine's event-loop thread (its main thread), read once a second from its schedstat:
   * % of the step on a core, % runnable but waiting for a core (the other threads and
   * processes of the machine had both), and that wait in each second, ms. */
  engineEventLoop: { cpuPct: number; runQueueWaitPct: number; waitMsBySecond: number[] } | null;
  healthAfter: Health | null;
  clean: boolean;
  reason: string;
  errors?: string[];
}

let stepCounter = 0;

/** A thread's schedstat and when it was read (performance.now(), ms). */
type SchedSample = { runNs: number; waitNs: number; at: number };

/** Samples a process's main thread's schedstat (tid = pid) once a second during a step. */
class ThreadWatch {
  private readonly first: SchedSample | undefined;
  private last: SchedSample | undefined;
  private readonly waitMsBySecond: number[] = [];

  constructor(private readonly pid: number) {
    this.first = this.last = this.read();
  }

  private read(): SchedSample | undefined {
    const s = threadSchedstat(this.pid, this.pid);
    return s && { ...s, at: performance.now() };
  }

  sample(): void {
    const now = this.read();
    if (!now || !this.last) return;
    this.waitMsBySecond.push(Math.round((now.waitNs - this.last.waitNs) / 1e6));
    this.last = now;
  }

  summary(): StepResult['engineEventLoop'] {
    if (!this.first || !this.last || this.last === this.first) return null;
    const ms = this.last.at - this.first.at;
    return {
      cpuPct: round(((this.last.runNs - this.first.runNs) / 1e6 / ms) * 100),
      runQueueWaitPct: round(((this.last.waitNs - this.first.waitNs) / 1e6 / ms) * 100),
      waitMsBySecond: this.waitMsBySecond,
    };
  }
}

function summarizeTimings(timings: UdpTiming[]): StepResult['engineUdpTiming'] {
  const seconds = timings.filter((t) => t.socketWait.samples > 0);
  if (seconds.length === 0) return null;
  const parts = Object.keys(seconds[0]!) as (keyof UdpTiming)[];
  const p99Us = Object.fromEntries(
    parts.map((part) => {
      const p99s = seconds.map((t) => t[part].p99).sort((a, b) => a - b);
      return [part, { median: p99s[Math.floor(p99s.length / 2)]!, worst: p99s[p99s.length - 1]! }];
    }),
  ) as Record<keyof UdpTiming, { median: number; worst: number }>;
  return { seconds: seconds.length, p99Us };
}

/** SIPp -l: simultaneous calls allowed. */
const callLimit = (rate: number, holdS: number): number => Math.min(18_000, Math.max(1000, Math.ceil(rate * (holdS + 1.5))));

async function runStep(ctx: TargetContext, rate: number, o: Options): Promise<StepResult> {
  const calls = Math.max(1, Math.round(rate * o.stepSeconds));
  const holdS = o.holdMs / 1000;
  const stepDir = join(ctx.workDir, `${String(++stepCounter).padStart(2, '0')}-${ctx.name}-${rate}`);
  mkdirSync(stepDir, { recursive: true });
  const port = await freePort();
  const mediaPort = await freePort([2]);
  // SIPp stops the run after this even if calls are still open; twice the window is plenty for
  // a rate it can sustain, and a rate it cannot is a failed step anyway.
  const timeoutS = Math.ceil(o.stepSeconds * 2 + holdS + RECV_TIMEOUT_MS / 1000 + 5);
  // Simultaneous calls: well above rate × call length, so that it does not throttle a rate the
  // target sustains (SIPp wants it below its open-file limit of 20000).
  const limit = callLimit(rate, holdS);
  const dropsBefore = udpRcvbufErrors();

  const uasBefore = ctx.uas ? readStats(ctx.uas.stat) : undefined;
  const uasCpuBefore = ctx.uas ? sampleProcs([ctx.uas.proc.pid]) : undefined;
  const sutBefore = sampleProcs(ctx.sutPids(), ctx.sutMemory);
  let rssMax = sutBefore.rssKiB;
  const timingFile = join(stepDir, 'engine-udp-timing.jsonl');
  const timings: UdpTiming[] = [];
  await ctx.engine?.udpTiming(); // starts the step's first interval
  const loopThread = ctx.engine ? new ThreadWatch(ctx.engine.pid) : undefined;

  const uac = startSipp({
    label: `uac-${rate}`,
    dir: stepDir,
    scenario: UAC_XML,
    port,
    mediaPort,
    remote: ctx.remote,
    args: [
      '-s', ctx.service,
      '-r', String(rate), '-rp', '1000',
      '-m', String(calls),
      '-l', String(limit),
      '-d', String(o.holdMs),
      '-recv_timeout', String(RECV_TIMEOUT_MS),
      '-timeout', `${timeoutS}s`,
      '-trace_rtt', '-rtt_freq', '1',
    ],
    rtPriority: generatorPriority(o.rtPriority),
  });
  const uacStart = performance.now();
  let uacLast: ProcSample = { at: uacStart, ticks: 0, rssKiB: 0 };
  const hardDeadline = uacStart + (timeoutS + 15) * 1000;
  let killedByBench = false;
  for (;;) {
    const exit = await waitExit(uac.proc, 1000);
    if (exit) break;
    const s = sampleProcs([uac.proc.pid]);
    if (s.ticks > 0) uacLast = s;
    rssMax = Math.max(rssMax, sampleProcs(ctx.sutPids(), ctx.sutMemory).rssKiB);
    loopThread?.sample();
    const timing = await ctx.engine?.udpTiming();
    if (timing) {
      timings.push(timing);
      appendFileSync(timingFile, JSON.stringify({ t: Math.round(Date.now() / 1000), ...timing }) + '\n');
    }
    if (performance.now() > hardDeadline) {
      killedByBench = true;
      send(uac.proc, 'SIGUSR1');
      if (!(await waitExit(uac.proc, 5000))) await terminate(uac.proc, 'SIGTERM', 3000);
      break;
    }
  }
  const sutAfter = sampleProcs(ctx.sutPids(), ctx.sutMemory);
  const dropsAfter = udpRcvbufErrors();
  rssMax = Math.max(rssMax, sutAfter.rssKiB);
  const uasCpuAfter = ctx.uas ? sampleProcs([ctx.uas.proc.pid]) : undefined;
  const healthAfter = ctx.engine ? ((await ctx.engine.health()) ?? null) : null;
  // The UAS writes its statistics once a second.
  if (ctx.uas) await sleep(1200);
  const uasAfter = ctx.uas ? readStats(ctx.uas.stat) : undefined;

  const st = readStats(uac.stat);
  const rtt = readRtt(stepDir, uac.proc.pid);
  const successful = st?.successful ?? 0;
  const elapsed = st?.elapsedS ?? (performance.now() - uacStart) / 1000;
  const achieved = elapsed > 0 ? successful / elapsed : 0;
  const sustained = successful / Math.max(elapsed - holdS, 1e-3);
  const reached = sustained >= o.minRateFraction * rate;
  const uasFailed = ctx.uas && uasAfter ? uasAfter.failed - (uasBefore?.failed ?? 0) : null;
  const uasRetrans = ctx.uas && uasAfter ? uasAfter.retransmissions - (uasBefore?.retransmissions ?? 0) : null;

  const reasons: string[] = [];
  if (!st) reasons.push('no SIPp statistics');
  if (killedByBench) reasons.push('SIPp did not finish in time');
  if (st && st.failed > 0) reasons.push(`${st.failed} failed calls`);
  if (st && successful + st.failed < calls) reasons.push(`${calls - successful - st.failed} calls unfinished`);
  if (uasFailed) reasons.push(`${uasFailed} calls failed at the UAS`);
  if (!reached) reasons.push(`rate not reached (${round(sustained, 1)}/${rate} cps)`);
  const dead = ctx.sutDead();
  if (dead) reasons.push(dead);
  const clean = reasons.length === 0;

  const result: StepResult = {
    targetRate: rate,
    windowSeconds: o.stepSeconds,
    callsPlanned: calls,
    callsCreated: st?.created ?? 0,
    successful,
    failed: st?.failed ?? 0,
    failureKinds: st?.failures ?? {},
    elapsedSeconds: round(elapsed, 3),
    achievedCps: round(achieved, 1),
    sustainedCps: round(sustained, 1),
    reachedTarget: reached,
    retransmissions: { uac: st?.retransmissions ?? 0, uas: uasRetrans },
    responseMs: { inviteTo200: rtt.get(1) ?? null, byeTo200: rtt.get(2) ?? null },
    sut: ctx.sutLabel
      ? { label: ctx.sutLabel, cpuPct: cpuPercent(sutBefore, sutAfter), memory: ctx.sutMemory, memMiB: mib(sutAfter.rssKiB), memMaxMiB: mib(rssMax) }
      : null,
    uacCpuPct: cpuPercent({ at: uacStart, ticks: 0, rssKiB: 0 }, uacLast),
    uasCpuPct: uasCpuBefore && uasCpuAfter ? cpuPercent(uasCpuBefore, uasCpuAfter) : null,
    uasFailed,
    sippWatchdog: { major: st?.watchdogMajor ?? 0, minor: st?.watchdogMinor ?? 0 },
    engineUdpTiming: summarizeTimings(timings),
    engineEventLoop: loopThread?.summary() ?? null,
    deadCallMsgs: st?.deadCallMsgs ?? 0,
    udpRcvbufErrors: dropsBefore !== null && dropsAfter !== null ? dropsAfter - dropsBefore : null,
    healthAfter,
    clean,
    reason: clean ? 'clean' : reasons.join('; '),
  };
  if (!clean) result.errors = firstErrors(uac.errors);
  const lat = result.responseMs.inviteTo200;
  progress(
    `${ctx.name.padEnd(13)} ${String(rate).padStart(5)} cps: ${String(result.achievedCps).padStart(7)} cps achieved, ` +
      `${result.failed} failed, ${result.retransmissions.uac}+${result.retransmissions.uas ?? 0} retrans, ` +
      (result.udpRcvbufErrors ? `${result.udpRcvbufErrors} udp drops, ` : '') +
      `setup p50/p99 ${lat?.p50 ?? '-'}/${lat?.p99 ?? '-'} ms` +
      (result.sut ? `, ${result.sut.label} cpu ${result.sut.cpuPct}% ${result.sut.memory} ${result.sut.memMiB} MiB` : '') +
      (result.engineEventLoop ? ` (event loop on a core ${result.engineEventLoop.cpuPct}%, waiting for one ${result.engineEventLoop.runQueueWaitPct}%)` : '') +
      `, uac cpu ${result.uacCpuPct}%` +
      (result.uasCpuPct !== null ? `, uas cpu ${result.uasCpuPct}%` : '') +
      ` — ${result.reason}`,
  );
  for (const e of result.errors ?? []) progress(`    sipp: ${e}`);
  return result;
}

// ---------------------------------------------------------------------------------------------
// One target: prepare, walk the ladder, tear down.

interface TargetResult {
  target: TargetName;
  description: string;
  bestCleanRate: number | null;
  /** A step above the best clean one failed: the best clean rate is the ceiling (to the
   * ladder's resolution). False when the ladder's top or the time budget ended the walk first:
   * then the real ceiling is higher. */
  ceilingFound: boolean;
  stoppedBecause: string;
  best: StepResult | null;
  steps: StepResult[];
  engine?: { warnings: number; firstWarnings: string[]; healthAtEnd: Health | null };
  error?: string;
}

const DESCRIPTIONS: Record<TargetName, string> = {
  'engine-answer': 'SIPp UAC → engine; the engine answers the call itself (request-URI user "answer")',
  'engine-b2bua': `SIPp UAC → engine (B2BUA, media anchored) → SIPp UAS registered as ${B2BUA_USER}`,
  'engine-b2bua-bypass': `SIPp UAC → engine (B2BUA, media bypassed: SWITCHYARD_B2BUA_MEDIA=bypass) → SIPp UAS registered as ${B2BUA_USER}`,
  'sipp-direct': 'SIPp UAC → SIPp UAS, nothing in between: the load generator\'s ceiling',
  kamailio: 'SIPp UAC → Kamailio (t_relay, record-routing, 1 UDP worker) → SIPp UAS',
};

/** Seconds one step is expected to take, for the time budget. */
const stepCost = (o: Options): number => o.stepSeconds + o.holdMs / 1000 + o.settleMs / 1000 + 3;

/**
 * Walks the rate ladder from `startIndex`. A start that fails walks down, each step below it on
 * fresh processes (`restart`): an overloaded system keeps the failed step's transactions (one
 * start at 8,000 cps filled Kamailio's shared memory) and would fail the steps below for it.
 */
async function walkLadder(
  first: TargetContext,
  restart: () => Promise<TargetContext>,
  o: Options,
  startIndex: number,
  deadline: number,
): Promise<Pick<TargetResult, 'bestCleanRate' | 'ceilingFound' | 'stoppedBecause' | 'best' | 'steps'>> {
  let ctx = first;
  const steps: StepResult[] = [];
  let best: StepResult | null = null;
  let idx = startIndex;
  let goingDown = false;
  let stoppedBecause = '';
  for (;;) {
    if (idx >= o.rates.length) {
      stoppedBecause = 'top of the rate ladder reached';
      break;
    }
    if (idx < 0) {
      stoppedBecause = 'no clean step, even at the lowest rate';
      break;
    }
    if (Date.now() / 1000 + stepCost(o) > deadline) {
      stoppedBecause = 'time budget used up';
      break;
    }
    const step = await runStep(ctx, o.rates[idx]!, o);
    steps.push(step);
    if (step.clean) {
      best = step;
      if (goingDown) {
        stoppedBecause = `clean after stepping down from a failed start at ${o.rates[startIndex]} cps`;
        break;
      }
      idx++;
    } else if (best === null && idx > 0 && (idx === startIndex || goingDown)) {
      // Started above the bottom of the ladder and failed: walk down to a clean step.
      goingDown = true;
      idx--;
      ctx = await restart();
      continue;
    } else {
      stoppedBecause = `first failing step at ${step.targetRate} cps: ${step.reason}`;
      break;
    }
    const dead = ctx.sutDead();
    if (dead) {
      stoppedBecause = dead;
      break;
    }
    await sleep(o.settleMs);
  }
  return {
    bestCleanRate: best?.targetRate ?? null,
    ceilingFound: best !== null && steps.some((s) => !s.clean && s.targetRate > best!.targetRate),
    stoppedBecause,
    best,
    steps,
  };
}

/** The engine's SIP path under SCHED_RR at `rtPriority` (0: ordinary scheduling), its media threads above it. */
function schedulingEnv(rtPriority: number): Record<string, string> {
  return { SWITCHYARD_SIP_RT_PRIORITY: String(rtPriority), SWITCHYARD_MEDIA_RT_PRIORITY: String(rtPriority > 0 ? rtPriority + 10 : 0) };
}

/**
 * SIPp's SCHED_RR priority: half the system under test's, so the engine (or Kamailio) preempts
 * the generator and the generator preempts ordinary work, the engine's collector helpers among
 * it. On two shared cores a starved SIPp adds its own delay to the response times it measures.
 */
function generatorPriority(rtPriority: number): number {
  return Math.floor(rtPriority / 2);
}

async function runTarget(name: TargetName, o: Options, workDir: string, startIndex: number, deadline: number): Promise<TargetResult> {
  const dir = join(workDir, name);
  mkdirSync(dir, { recursive: true });
  progress(`── ${name}: ${DESCRIPTIONS[name]} (from ${o.rates[startIndex]} cps, ${o.stepSeconds} s per step)`);
  let engine: Engine | undefined;
  let uas: SippProc | undefined;
  let kam: Kamailio | undefined;
  const result: TargetResult = {
    target: name,
    description: DESCRIPTIONS[name],
    bestCleanRate: null,
    ceilingFound: false,
    stoppedBecause: '',
    best: null,
    steps: [],
  };
  const uasLife = deadline - Date.now() / 1000 + 120;
  /** Starts the system under test and the UAS (fresh processes, fresh state). */
  const setUp = async (): Promise<TargetContext> => {
    if (name === 'engine-answer' || name === 'engine-b2bua' || name === 'engine-b2bua-bypass') {
      engine = await startEngine(ROOT, dir, name, { ...schedulingEnv(o.rtPriority), ...(name === 'engine-b2bua-bypass' ? { SWITCHYARD_B2BUA_MEDIA: 'bypass' } : {}) });
      const e = engine;
      const ctx: TargetContext = {
        name,
        workDir: dir,
        remote: `127.0.0.1:${e.sipPort}`,
        service: 'answer',
        sutPids: () => [e.pid],
        sutLabel: 'engine',
        sutMemory: 'rss',
        sutDead: () => (e.proc.exit ? `engine exited: ${JSON.stringify(e.proc.exit)}` : undefined),
        engine: e,
      };
      if (name !== 'engine-answer') {
        const uasPort = await freePort();
        const uasMedia = await freePort([2]);
        await register(e, dir, uasPort, uasMedia);
        uas = await startUas(dir, uasPort, uasMedia, uasLife, generatorPriority(o.rtPriority));
        ctx.uas = uas;
        ctx.service = B2BUA_USER;
      }
      return ctx;
    }
    const uasPort = await freePort();
    const uasMedia = await freePort([2]);
    uas = await startUas(dir, uasPort, uasMedia, uasLife, generatorPriority(o.rtPriority));
    const u = uas;
    if (name === 'sipp-direct') {
      return {
        name,
        workDir: dir,
        remote: `127.0.0.1:${uasPort}`,
        service: 'bench',
        sutPids: () => [],
        sutLabel: null,
        sutMemory: 'rss',
        sutDead: () => (u.proc.exit ? `SIPp UAS exited: ${JSON.stringify(u.proc.exit)}` : undefined),
        uas: u,
      };
    }
    kam = await startKamailio(ROOT, dir, uasPort, o.rtPriority);
    const k = kam;
    return {
      name,
      workDir: dir,
      remote: `127.0.0.1:${k.port}`,
      service: 'bench',
      sutPids: () => k.pids(),
      sutLabel: 'kamailio',
      sutMemory: 'pss',
      sutDead: () => (k.proc.exit ? `kamailio exited: ${JSON.stringify(k.proc.exit)}` : undefined),
      uas: u,
    };
  };
  let engineWarnings = 0;
  let firstWarnings: string[] = [];
  const tearDown = async (): Promise<void> => {
    await stopUas(uas);
    uas = undefined;
    await kam?.stop();
    kam = undefined;
    if (engine) {
      engineWarnings += engine.warnings;
      if (firstWarnings.length === 0) firstWarnings = engine.firstWarnings;
      result.engine = { warnings: engineWarnings, firstWarnings, healthAtEnd: (await engine.health()) ?? null };
      await engine.stop();
      engine = undefined;
    }
  };
  try {
    const restart = async (): Promise<TargetContext> => {
      await tearDown();
      return setUp();
    };
    const walked = await walkLadder(await setUp(), restart, o, startIndex, deadline);
    Object.assign(result, walked);
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err);
    result.stoppedBecause = `error: ${result.error}`;
    progress(`${name}: ${result.stoppedBecause}`);
  } finally {
    await tearDown();
  }
  progress(`── ${name}: best clean rate ${result.bestCleanRate ?? 'none'} cps (${result.stoppedBecause})`);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Soak: the B2BUA at a fixed rate, RSS and health sampled.

interface SoakSample {
  t: number;
  phase: 'idle' | 'traffic' | 'drain';
  rssMiB: number;
  cpuPct: number;
  health: Health | null;
}

async function runSoak(o: Options, workDir: string): Promise<Record<string, unknown>> {
  const seconds = o.soakSeconds!;
  const rate = o.soakRate;
  const calls = Math.round(rate * seconds);
  const dir = join(workDir, 'soak');
  mkdirSync(dir, { recursive: true });
  progress(`── soak: B2BUA at ${rate} cps for ${seconds} s, samples every ${o.sampleSeconds} s, then ${o.drainSeconds} s drain`);
  let engine: Engine | undefined;
  let uas: SippProc | undefined;
  let uac: SippProc | undefined;
  try {
    engine = await startEngine(ROOT, dir, 'soak', schedulingEnv(o.rtPriority));
    const e = engine;
    const uasPort = await freePort();
    const uasMedia = await freePort([2]);
    await register(e, dir, uasPort, uasMedia);
    uas = await startUas(dir, uasPort, uasMedia, seconds + o.drainSeconds + 180, generatorPriority(o.rtPriority));

    const samples: SoakSample[] = [];
    const t0 = performance.now();
    let prev = sampleProcs([e.pid]);
    const sample = async (phase: SoakSample['phase']): Promise<SoakSample> => {
      const now = sampleProcs([e.pid]);
      const s: SoakSample = {
        t: round((now.at - t0) / 1000, 1),
        phase,
        rssMiB: mib(now.rssKiB),
        cpuPct: cpuPercent(prev, now),
        health: (await getHealth(e.httpPort)) ?? null,
      };
      prev = now;
      samples.push(s);
      const h = s.health;
      progress(
        `soak t=${String(s.t).padStart(6)} s ${phase.padEnd(7)} rss ${s.rssMiB} MiB cpu ${s.cpuPct}%` +
          (h?.sip ? ` dialogs ${h.sip.dialogs} srvTx ${h.sip.serverTransactions} cliTx ${h.sip.clientTransactions} activeCalls ${h.activeCalls}` : ' health n/a'),
      );
      return s;
    };
    await sample('idle');

    const port = await freePort();
    const mediaPort = await freePort([2]);
    const timeoutS = Math.ceil(seconds * 1.5 + 60);
    uac = startSipp({
      label: 'uac-soak',
      dir,
      scenario: UAC_XML,
      port,
      mediaPort,
      remote: `127.0.0.1:${e.sipPort}`,
      args: [
        '-s', B2BUA_USER,
        '-r', String(rate), '-rp', '1000',
        '-m', String(calls),
        '-l', String(callLimit(rate, o.holdMs / 1000)),
        '-d', String(o.holdMs),
        '-recv_timeout', String(RECV_TIMEOUT_MS),
        '-timeout', `${timeoutS}s`,
        '-trace_rtt', '-rtt_freq', '1',
      ],
      rtPriority: generatorPriority(o.rtPriority),
    });
    const trafficStart = performance.now();
    let next = trafficStart + o.sampleSeconds * 1000;
    const hardDeadline = trafficStart + (timeoutS + 15) * 1000;
    // RSS every second for the maximum; the full sample every sampleSeconds.
    let rssMaxKiB = 0;
    while (!uac.proc.exit) {
      await waitExit(uac.proc, Math.max(0, Math.min(next, hardDeadline, performance.now() + 1000) - performance.now()));
      rssMaxKiB = Math.max(rssMaxKiB, sampleProcs([e.pid]).rssKiB);
      if (uac.proc.exit) break;
      if (performance.now() < next && performance.now() < hardDeadline) continue;
      if (performance.now() >= hardDeadline) {
        progress('soak: SIPp did not finish in time, stopping it');
        send(uac.proc, 'SIGUSR1');
        if (!(await waitExit(uac.proc, 5000))) await terminate(uac.proc, 'SIGTERM', 3000);
        break;
      }
      if (e.proc.exit) throw new Error(`engine exited during the soak: ${JSON.stringify(e.proc.exit)}`);
      await sample('traffic');
      next += o.sampleSeconds * 1000;
    }
    const trafficEnd = performance.now();
    const st = readStats(uac.stat);
    const rtt = readRtt(dir, uac.proc.pid);
    progress(`soak: traffic done (${st?.successful ?? 0} ok, ${st?.failed ?? 0} failed); waiting ${o.drainSeconds} s for transactions to drain`);
    const drainEnd = trafficEnd + o.drainSeconds * 1000;
    while (performance.now() < drainEnd) {
      await sleep(Math.min(o.sampleSeconds * 1000, drainEnd - performance.now()));
      await sample('drain');
    }
    const final = samples[samples.length - 1]!;
    const during = samples.filter((s) => s.phase === 'traffic');
    const all = [...samples.map((s) => s.rssMiB), mib(rssMaxKiB)];
    // Transactions live 32 s (64×T1) after their call: from then on the engine's live state is
    // steady, and so should its memory be.
    const steadyFrom = STEADY_AFTER_S;
    const steady = during.filter((s) => s.t >= steadyFrom);
    const h = final.health;
    const drained =
      !!h?.sip && h.sip.dialogs === 0 && h.sip.serverTransactions === 0 && h.sip.clientTransactions === 0 && (h.activeCalls ?? 0) === 0;
    await sleep(1200);
    const uasStats = readStats(uas.stat);
    return {
      rate,
      seconds,
      holdMs: o.holdMs,
      callsPlanned: calls,
      successful: st?.successful ?? 0,
      failed: st?.failed ?? 0,
      failureKinds: st?.failures ?? {},
      elapsedSeconds: round(st?.elapsedS ?? (trafficEnd - trafficStart) / 1000, 3),
      achievedCps: st && st.elapsedS > 0 ? round(st.successful / st.elapsedS, 1) : 0,
      retransmissions: { uac: st?.retransmissions ?? 0, uas: uasStats?.retransmissions ?? null },
      uasFailed: uasStats?.failed ?? null,
      responseMs: { inviteTo200: rtt.get(1) ?? null, byeTo200: rtt.get(2) ?? null },
      rss: {
        idleMiB: samples[0]!.rssMiB,
        firstMiB: during[0]?.rssMiB ?? null,
        lastMiB: during[during.length - 1]?.rssMiB ?? null,
        maxMiB: Math.max(...all),
        /** last − first while traffic ran. */
        growthMiB: during.length ? round(during[during.length - 1]!.rssMiB - during[0]!.rssMiB, 1) : null,
        /** The same from the first sample at ≥ steadyFromSeconds (state no longer growing). */
        steadyFromSeconds: steadyFrom,
        steadyFirstMiB: steady[0]?.rssMiB ?? null,
        steadyGrowthMiB: steady.length ? round(steady[steady.length - 1]!.rssMiB - steady[0]!.rssMiB, 1) : null,
        afterDrainMiB: final.rssMiB,
      },
      finalHealth: h,
      drained,
      engineWarnings: { count: e.warnings, first: e.firstWarnings },
      samples,
    };
  } finally {
    if (uac) await terminate(uac.proc, 'SIGTERM', 3000);
    await stopUas(uas);
    await engine?.stop();
  }
}

// ---------------------------------------------------------------------------------------------

function version(cmd: string, args: string[], pattern: RegExp): string | null {
  try {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 5000 });
    const m = pattern.exec(`${r.stdout ?? ''}${r.stderr ?? ''}`);
    return m ? m[1]!.trim() : null;
  } catch {
    return null;
  }
}

function machine(): Record<string, unknown> {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? null,
    memGiB: round(os.totalmem() / 2 ** 30, 1),
    loadavgAtStart: os.loadavg().map((l) => round(l, 2)),
    node: process.version,
    sipp: version(SIPP, ['-v'], /SIPp (v[^\s,]*[^\s,.])/),
    kamailio: version(KAMAILIO, ['-v'], /version: kamailio ([^\s]+)/),
  };
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2), process.env);
  if (!existsSync(join(ROOT, 'dist/engine/main.js'))) throw new Error('dist/engine/main.js missing: run `npm run build` first');
  const workDir = mkdtempSync(join(os.tmpdir(), 'switchyard-sip-bench-'));
  installCleanup(() => {
    if (!o.keep) rmSync(workDir, { recursive: true, force: true });
  });
  progress(`work dir ${workDir}${o.keep ? ' (kept)' : ''}`);
  const started = Date.now();
  const out: Record<string, unknown> = {
    benchmark: 'switchyard-sip',
    mode: o.soakSeconds !== undefined ? 'soak' : 'ladder',
    startedAt: new Date(started).toISOString(),
    machine: machine(),
    options: {
      stepSeconds: o.stepSeconds,
      rates: o.rates,
      holdMs: o.holdMs,
      budgetSeconds: o.budgetSeconds,
      targets: o.targets,
      minRateFraction: o.minRateFraction,
      rtPriority: o.rtPriority,
      ...(o.soakSeconds !== undefined ? { soakSeconds: o.soakSeconds, soakRate: o.soakRate, sampleSeconds: o.sampleSeconds, drainSeconds: o.drainSeconds } : {}),
    },
  };
  try {
    if (o.soakSeconds !== undefined) {
      out.soak = await runSoak(o, workDir);
    } else {
      const deadline = started / 1000 + o.budgetSeconds;
      const results = new Map<TargetName, TargetResult>();
      for (let i = 0; i < o.targets.length; i++) {
        const name = o.targets[i]!;
        // A fair share of what is left, so that the last targets still get steps.
        const now = Date.now() / 1000;
        const share = now + (deadline - now) / (o.targets.length - i);
        // To save steps: the bypassed B2BUA (no media work) starts at the anchored one's rate;
        // the yardsticks, expected to beat the engine, near twice its best B2BUA rate (walking
        // down if that fails) instead of at the bottom of the ladder, and SIPp→SIPp no lower
        // than Kamailio's rate (SIPp is at both ends of that path too).
        let startIndex = 0;
        const rung = (rate: number): number => Math.max(0, o.rates.filter((r) => r <= rate).length - 1);
        const anchoredBest = results.get('engine-b2bua')?.bestCleanRate ?? null;
        const engineBest = Math.max(anchoredBest ?? 0, results.get('engine-b2bua-bypass')?.bestCleanRate ?? 0) || null;
        const kamailioBest = results.get('kamailio')?.bestCleanRate ?? null;
        if (name === 'engine-b2bua-bypass' && anchoredBest !== null) startIndex = rung(anchoredBest);
        if ((name === 'sipp-direct' || name === 'kamailio') && engineBest !== null) startIndex = rung(2 * engineBest);
        if (name === 'sipp-direct' && kamailioBest !== null) startIndex = Math.max(startIndex, rung(kamailioBest));
        results.set(name, await runTarget(name, o, workDir, startIndex, share));
      }
      out.targets = Object.fromEntries(results);
      const rateOf = (t: TargetName): number | null => results.get(t)?.bestCleanRate ?? null;
      const ratio = (a: number | null, b: number | null): number | null => (a !== null && b ? round(a / b, 2) : null);
      const b2bua = rateOf('engine-b2bua');
      const answer = rateOf('engine-answer');
      const bypass = rateOf('engine-b2bua-bypass');
      const summary: Record<string, unknown> = {};
      for (const [t, r] of results) {
        const yardstick = t === 'sipp-direct' || t === 'kamailio';
        summary[t] = {
          bestCleanCps: r.bestCleanRate,
          ceilingFound: r.ceilingFound,
          ...(yardstick ? { timesEngineB2bua: ratio(r.bestCleanRate, b2bua), timesEngineB2buaBypass: ratio(r.bestCleanRate, bypass), timesEngineAnswer: ratio(r.bestCleanRate, answer) } : {}),
        };
      }
      out.summary = summary;
    }
  } finally {
    out.durationSeconds = round((Date.now() - started) / 1000, 1);
    const json = JSON.stringify(out, null, 2);
    process.stdout.write(`${json}\n`);
    if (o.out) writeFileSync(o.out, `${json}\n`);
    if (!o.keep) rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  progress(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
