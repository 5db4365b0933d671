// CPU time per bridged call of the real engine process (dist/engine/main.js, media anchored
// through the addon or, with --media bypass, signalling only; event log, logging), a figure that does not depend on the machine's load:
// SIPp UAC → engine (B2BUA) → SIPp UAS at a modest fixed rate, and the engine's CPU-seconds
// (utime + stime of /proc/<pid>/task/*/stat) from the first call until every transaction has
// ended (64 × T1 after the last call), less what the idle engine uses in the same time.
// CPU is split by thread: the event loop is what limits calls/s, media, the SIP UDP sender and
// V8's helper threads run beside it. Prints JSON.
// Usage: node dist/bench/b2bua-cpu.js [--rate R] [--calls N] [--warmup N] [--hold-ms H] [--media anchor|bypass]
//   (env BENCH_ENGINE_NODE_ARGS passes node flags to the engine, e.g. --cpu-prof --cpu-prof-dir=DIR)
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { numberOption, stringOption } from './lib/argv.js';
import { B2BUA_USER, register, startUas, stopUas, UAC_XML } from './lib/b2bua-target.js';
import { startEngine, type Engine } from './lib/engine.js';
import { installCleanup, killAllNow, waitExit } from './lib/procs.js';
import { readStats, startSipp } from './lib/sipp.js';
import { clkTck, freePort, round, sleep } from './lib/sys.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const rate = numberOption('--rate', 40);
const calls = numberOption('--calls', 2000);
const warmup = numberOption('--warmup', 1000);
const holdMs = numberOption('--hold-ms', 100);
const media = stringOption('--media', 'anchor');
if (media !== 'anchor' && media !== 'bypass') throw new Error(`--media: anchor or bypass, got "${media}"`);
/** Transactions outlive their call by 64 × T1 (T1 = 500 ms by default). */
const LINGER_MS = 64 * 500 + 3000;
const IDLE_MS = 10_000;

/** CPU ticks per thread group: the event loop (the main thread), media threads, Node's helper threads. */
type Ticks = Record<string, number>;
function threadTicks(pid: number): Ticks {
  const out: Ticks = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let raw: string;
    try {
      raw = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended
    }
    const name = raw.slice(raw.indexOf('(') + 1, raw.lastIndexOf(')'));
    const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    const group = Number(tid) === pid ? 'eventLoop' : groupOf(name);
    out[group] = (out[group] ?? 0) + Number(f[11]) + Number(f[12]);
  }
  return out;
}
/** Node 20 leaves its own threads (V8's GC and compiler workers, libuv's pool) named `node`; the addon names its threads `sy-*`. */
function groupOf(threadName: string): string {
  if (threadName === 'node') return 'nodeHelpers';
  if (threadName.startsWith('sy-sip-')) return 'sipSend';
  if (threadName.startsWith('sy-')) return 'media';
  return `other:${threadName}`;
}
const minus = (a: Ticks, b: Ticks): Ticks => Object.fromEntries(Object.keys(a).map((k) => [k, a[k] - (b[k] ?? 0)]));

const workDir = mkdtempSync(join(os.tmpdir(), 'b2bua-cpu-'));
installCleanup(() => rmSync(workDir, { recursive: true, force: true }));
let engine: Engine | undefined;
try {
  engine = await startEngine(ROOT, workDir, 'engine', { SWITCHYARD_B2BUA_MEDIA: media });
  const uasPort = await freePort();
  const uasMedia = await freePort([2]);
  await register(engine, workDir, uasPort, uasMedia);
  const uas = await startUas(workDir, uasPort, uasMedia, ((warmup + calls) / rate) * 2 + 200);

  const runCalls = async (label: string, n: number): Promise<{ successful: number; failed: number; retransmissions: number }> => {
    const uac = startSipp({
      label,
      dir: workDir,
      scenario: UAC_XML,
      port: await freePort(),
      mediaPort: await freePort([2]),
      remote: `127.0.0.1:${engine!.sipPort}`,
      args: ['-s', B2BUA_USER, '-r', String(rate), '-m', String(n), '-d', String(holdMs), '-recv_timeout', '10000', '-timeout', `${Math.ceil((n / rate) * 3 + 30)}s`],
    });
    await waitExit(uac.proc, ((n / rate) * 3 + 60) * 1000);
    const st = readStats(uac.stat);
    return { successful: st?.successful ?? 0, failed: st?.failed ?? n, retransmissions: st?.retransmissions ?? 0 };
  };

  // Warm-up: JIT and heap sizing; its transactions end before the measurement starts.
  if (warmup > 0) {
    await runCalls('warmup', warmup);
    await sleep(LINGER_MS);
  }
  const idle0 = threadTicks(engine.pid);
  await sleep(IDLE_MS);
  const idle = minus(threadTicks(engine.pid), idle0);

  const t0 = performance.now();
  const before = threadTicks(engine.pid);
  const result = await runCalls('measured', calls);
  await sleep(LINGER_MS);
  const health = await engine.health();
  const elapsedMs = performance.now() - t0;
  const used = minus(threadTicks(engine.pid), before);
  await stopUas(uas);

  const msPerCall = (ticks: number, idleTicks: number): number =>
    round((((ticks - (idleTicks * elapsedMs) / IDLE_MS) / clkTck()) * 1000) / Math.max(result.successful, 1), 3);
  const byThread = Object.fromEntries(Object.keys(used).map((k) => [k, msPerCall(used[k], idle[k] ?? 0)]));
  const total = msPerCall(
    Object.values(used).reduce((a, b) => a + b, 0),
    Object.values(idle).reduce((a, b) => a + b, 0),
  );
  console.log(
    JSON.stringify({
      bench: 'b2bua-cpu',
      media,
      rate,
      calls,
      holdMs,
      successful: result.successful,
      failed: result.failed,
      // Non-zero: the engine answered later than T1 (an overloaded machine); each absorbed
      // retransmission adds work, so the per-call figure is then too high. Lower the rate.
      retransmissions: result.retransmissions,
      drained: health?.sip,
      elapsedSeconds: round(elapsedMs / 1000, 1),
      cpuMsPerCall: { total, ...byThread },
      idleCpuPct: round((Object.values(idle).reduce((a, b) => a + b, 0) / clkTck() / (IDLE_MS / 1000)) * 100, 1),
      // One core running everything the engine does per call; the event loop alone is the
      // ceiling of one Node process when the other threads have a core of their own.
      projectedCpsOneCore: Math.round(1000 / total),
      projectedCpsEventLoop: Math.round(1000 / (byThread.eventLoop ?? total)),
      loadavgAtStart: os.loadavg()[0],
    }),
  );
} finally {
  if (engine) await engine.stop();
  killAllNow();
}
