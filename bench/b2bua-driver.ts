// A fixed in-process B2BUA workload with load-independent figures: N calls through a SipStack
// bridging to a UAS (both peers in a child process, bench/lib/b2bua-peers.ts), over loopback
// UDP, with RFC 3261's default timers (transactions linger 64 × T1 = 32 s after their call).
// It reports what each call costs the engine's heap rather than how fast the machine is:
// bytes allocated and garbage collections per call, and heap retained per live transaction
// right after the last call (before Timers J/L/M free them). CPU per call is printed too but
// depends on the machine's load. Prints JSON.
// Usage: node --expose-gc dist/bench/b2bua-driver.js [--calls N] [--warmup N] [--window W] [--hold-ms H] [--drain]
//        [--heap-snapshot FILE]   (writes a heap snapshot right after the last call)
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { pino } from 'pino';
import { defaultConfig } from '../engine/config.js';
import { SipStack } from '../engine/sip/stack.js';
import { numberOption } from './lib/argv.js';
import type { PeersReport, PeersStart } from './lib/b2bua-peers.js';

const calls = numberOption('--calls', 3000);
const window = numberOption('--window', 20);
const holdMs = numberOption('--hold-ms', 0);
const warmup = numberOption('--warmup', 2000);
const drain = process.argv.includes('--drain');
const snapshotAt = process.argv.indexOf('--heap-snapshot');
const snapshotFile = snapshotAt >= 0 ? process.argv[snapshotAt + 1] : undefined;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
/**
 * Live bytes after full collections: V8's heap and the Buffers' memory outside it. Buffer
 * memory is released by a sweeper after the collection, hence the pauses and the second one.
 */
const liveBytes = async (): Promise<{ heap: number; external: number }> => {
  for (let i = 0; i < 2; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  gc();
  return { heap: v8.getHeapStatistics().used_heap_size, external: process.memoryUsage().arrayBuffers };
};

const HOST = '127.0.0.1';
const stack = new SipStack({ host: HOST, port: 0, logger: pino({ level: 'warn' }, pino.destination(2)) });
await stack.start();
let uasPort = 0;
// Bridged as the engine bridges an extension-to-extension call (engine/call/demo-routes.ts):
// with its default no-answer timeout and in-dialog keep-alive, whose timers outlive the call.
const { calls: callSettings } = defaultConfig();
stack.invite((req, res) => {
  stack
    .createB2BUA(req, res, `sip:1001@${HOST}:${uasPort}`, {
      target: { protocol: 'udp', address: HOST, port: uasPort },
      noAnswerTimeoutMs: callSettings.noAnswerSeconds * 1000,
    })
    .then(({ uas, uac }) => {
      uas.keepAlive(callSettings.keepAliveSeconds * 1000);
      uac.keepAlive(callSettings.keepAliveSeconds * 1000);
    })
    .catch((err: unknown) => stack.log.warn({ err }, 'bench call failed'));
});

/** Runs `n` calls with a fresh pair of peers; `onStart` runs just before the first call. */
function runCalls(n: number, onStart: () => void = () => undefined): Promise<PeersReport> {
  const peers = fork(fileURLToPath(new URL('./lib/b2bua-peers.js', import.meta.url)));
  const start: PeersStart = { stackPort: stack.port, calls: n, window, holdMs };
  return new Promise<PeersReport>((resolve, reject) => {
    peers.on('error', reject);
    peers.on('exit', (code) => code !== 0 && reject(new Error(`peers exited with ${code}`)));
    peers.on('message', (msg: { uasPort?: number; report?: PeersReport }) => {
      if (msg.uasPort) {
        uasPort = msg.uasPort;
        onStart();
        peers.send('go');
      } else if (msg.report) resolve(msg.report);
    });
    peers.send(start);
  });
}
const lingerMs = 64 * stack.timers.t1 + 2000;

// Warm-up: the JIT compiles the hot paths and V8 sizes its heap; then its transactions end,
// so that what the measured calls leave behind is theirs alone.
if (warmup > 0) {
  await runCalls(warmup);
  await new Promise((resolve) => setTimeout(resolve, lingerMs));
}
let baseline = { heap: 0, external: 0 };
let profiler = new v8.GCProfiler();
let cpu = process.cpuUsage();
let t0 = 0;
baseline = await liveBytes();
const report = await runCalls(calls, () => {
  profiler = new v8.GCProfiler();
  profiler.start();
  cpu = process.cpuUsage();
  t0 = performance.now();
});
const seconds = (performance.now() - t0) / 1000;
const cpuUsed = process.cpuUsage(cpu);
const gcs = profiler.stop()!.statistics as unknown as GcStat[];

interface GcStat {
  gcType: string;
  cost: number;
  beforeGC: { heapStatistics: { usedHeapSize: number } };
  afterGC: { heapStatistics: { usedHeapSize: number } };
}
// Allocated = what every collection freed + what is still there at the end over the start.
const endUsed = v8.getHeapStatistics().used_heap_size;
let freed = 0;
const byType: Record<string, { count: number; ms: number }> = {};
for (const g of gcs) {
  freed += g.beforeGC.heapStatistics.usedHeapSize - g.afterGC.heapStatistics.usedHeapSize;
  byType[g.gcType] ??= { count: 0, ms: 0 };
  byType[g.gcType].count++;
  byType[g.gcType].ms += g.cost / 1000;
}
const allocated = freed + endUsed - baseline.heap;
const live = stack.stats;
const after = await liveBytes();
const retained = after.heap - baseline.heap + after.external - baseline.external;
if (snapshotFile) v8.writeHeapSnapshot(snapshotFile);
const transactions = live.serverTransactions + live.clientTransactions;

let drained: Record<string, number> | undefined;
if (drain) {
  // Timers J/L/M run out 64 × T1 after the last call; then the heap should be back near the start.
  await new Promise((resolve) => setTimeout(resolve, lingerMs));
  const end = await liveBytes();
  drained = { ...stack.stats, heapOverBaselineBytes: end.heap - baseline.heap, externalOverBaselineBytes: end.external - baseline.external };
}
await stack.stop();

const perCall = (n: number): number => Math.round(n / Math.max(report.completed, 1));
console.log(
  JSON.stringify({
    bench: 'b2bua-driver',
    calls,
    window,
    holdMs,
    completed: report.completed,
    failed: report.failed,
    retransmissionsSeen: report.retransmissionsSeen,
    allocatedBytesPerCall: perCall(allocated),
    gcPerThousandCalls: Object.fromEntries(Object.entries(byType).map(([k, v]) => [k, +((v.count * 1000) / report.completed).toFixed(2)])),
    liveAfterCalls: live,
    // Heap and Buffer memory still held right after the last call, over the start. Per call
    // it is the cost of a call while its transactions linger, as long as all of them still do
    // (the run took under 64 × T1: liveAfterCalls.serverTransactions = 2 × calls).
    retainedBytesPerLiveTransaction: Math.round(retained / Math.max(transactions, 1)),
    retainedBytesPerCall: perCall(retained),
    retainedExternalBytesPerCall: perCall(after.external - baseline.external),
    drained,
    loadDependent: {
      seconds: +seconds.toFixed(2),
      callsPerSecond: Math.round(report.completed / seconds),
      cpuMicrosPerCall: perCall(cpuUsed.user + cpuUsed.system),
      gcMs: Object.fromEntries(Object.entries(byType).map(([k, v]) => [k, Math.round(v.ms)])),
    },
  }),
);
