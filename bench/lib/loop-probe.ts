// Where an engine's pauses come from, second by second: preloaded into the engine with
// BENCH_ENGINE_NODE_ARGS="--import ./dist/bench/lib/loop-probe.js" and LOOP_PROBE_OUT=FILE, it
// appends one JSON line per second to FILE: the main thread's CPU %, heap used, RSS, the event
// loop's delay (p50 / p99 / max, ms, from a 5 ms timer) and the garbage collections of that
// second by kind (count, total and longest pause in ms). Worker threads are left alone.
// With LOOP_PROBE_GC_OUT=FILE as well, every pause of 2 ms or more is appended to that file with
// its wall-clock start (epoch ms), to line up with a packet capture's timestamps.
import { appendFileSync } from 'node:fs';
import { constants, monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

const out = process.env.LOOP_PROBE_OUT;
const gcOut = process.env.LOOP_PROBE_GC_OUT;
const LONG_PAUSE_MS = 2;
const r1 = (x: number): number => Math.round(x * 10) / 10;
const KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'markCompact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incrementalMarking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakCallbacks',
};

if (out && isMainThread) {
  let gc: Record<string, { n: number; ms: number; maxMs: number }> = {};
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = KINDS[(entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? -1] ?? 'other';
      const g = (gc[kind] ??= { n: 0, ms: 0, maxMs: 0 });
      g.n++;
      g.ms += entry.duration;
      g.maxMs = Math.max(g.maxMs, entry.duration);
      if (gcOut && entry.duration >= LONG_PAUSE_MS) {
        const at = performance.timeOrigin + entry.startTime;
        appendFileSync(gcOut, JSON.stringify({ at: r1(at), kind, ms: r1(entry.duration) }) + '\n');
      }
    }
  }).observe({ entryTypes: ['gc'] });
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const start = Date.now();
  let cpu = process.cpuUsage();
  setInterval(() => {
    const used = process.cpuUsage(cpu);
    cpu = process.cpuUsage();
    const mem = process.memoryUsage();
    const line = {
      t: Math.round((Date.now() - start) / 1000),
      cpuPct: r1((used.user + used.system) / 10_000),
      heapMiB: r1(mem.heapUsed / 2 ** 20),
      rssMiB: r1(mem.rss / 2 ** 20),
      loopDelayMs: { p50: r1(delay.percentile(50) / 1e6), p99: r1(delay.percentile(99) / 1e6), max: r1(delay.max / 1e6) },
      gc: Object.fromEntries(Object.entries(gc).map(([k, g]) => [k, { n: g.n, ms: r1(g.ms), maxMs: r1(g.maxMs) }])),
    };
    appendFileSync(out, JSON.stringify(line) + '\n');
    gc = {};
    delay.reset();
  }, 1000).unref();
}
