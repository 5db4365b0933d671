// Media-plane benchmark: N bridged calls, all traffic on loopback through the addon.
// Each call is a mixer with two endpoints A and B (A hears B, B hears A), as a B2BUA bridge
// has, on the least loaded media thread. The phones at the far ends are bench/rtp-farend.c, a
// C generator in its own process (lib/rtp-farend.ts): per endpoint one G.711 stream with a tone
// at it, and the mix that comes back checked for loss, jitter and the other party's tone. So the
// engine carries exactly a production call's 2 endpoints, 2 packets in and 2 out per 20 ms.
// Prints one JSON object; progress goes to stderr.
// With --record, every call is also recorded in stereo (left A, right B) to a temporary
// directory (removed afterwards), and the step reports dropped frames and writer throughput.
// Then the relay comparison (lib/media-relay.ts): --relay-calls bridged calls relayed by our
// media thread, and the same streams relayed by rtpengine (if installed; --no-rtpengine
// skips it), with the ratio of their CPU per packet; and the UDP floor (udp-floor.c, needs cc).
//
//   npm run build && node dist/bench/media-bench.js [--threads N] [--calls 50,200,500] [--seconds S] [--record]
//                                                   [--relay-calls N] [--no-rtpengine] [--floor-packets N]
//                                                   [--farend-threads N] [--rt-priority P]
// --rt-priority gives the bridged calls' media threads SCHED_FIFO priority P (the engine's
// SWITCHYARD_MEDIA_RT_PRIORITY); the relay comparison always runs with ordinary scheduling, as
// rtpengine does.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { MediaEngine, type Endpoint, type EndpointStats, type Recording } from '../media/index.js';
import { bridgeRelay, rtpengineRelay, type RelayFigures } from './lib/media-relay.js';
import { installCleanup } from './lib/procs.js';
import { buildFarend, callStreams, RtpFarend, type FarendResult } from './lib/rtp-farend.js';
import { clkTck, loadAverage, threadCpuTicks, threadIdByName } from './lib/sys.js';
import { udpFloor } from './lib/udp-floor.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const threads = Number(arg('threads', '1'));
const steps = arg('calls', '50,200,500').split(',').map(Number);
const seconds = Number(arg('seconds', '5'));
const PORT_MIN = Number(arg('port-min', '30000'));
const record = process.argv.includes('--record');
const relayCalls = Number(arg('relay-calls', '200'));
const withRtpengine = !process.argv.includes('--no-rtpengine');
const floorPackets = Number(arg('floor-packets', '200000'));
const farendThreads = Number(arg('farend-threads', '1'));
const realtimePriority = Number(arg('rt-priority', '0'));
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface ThreadFigures {
  index: number;
  endpoints: number;
  overruns: number;
  /** Ran under SCHED_FIFO (--rt-priority, granted by the kernel). */
  realtime: boolean;
  workUs: object;
  latenessUs: object;
  /** This media thread's CPU (/proc/self/task/<tid>/stat), per cent of one core. */
  cpuPercent: number;
  /** ...divided by its endpoints (one stream in and one out each). */
  cpuPercentPerStream: number;
  /** ...per packet it received or sent. */
  cpuUsPerPacket: number;
}

interface StepResult {
  calls: number;
  endpoints: number;
  seconds: number;
  /** 1/5/15-minute load averages at the end of the step (the machine is shared). */
  loadAverage: number[];
  /** Packets the engine's endpoints received and sent per second. */
  packetsPerSecondIn: number;
  packetsPerSecondOut: number;
  /** The whole benchmark process (media threads, event loop, writer thread), per cent of one core. */
  cpuPercent: number;
  /** The media threads' CPU, summed, per cent of one core. */
  mediaCpuPercent: number;
  /** Engine counters: sequence gaps in what the generator sent, packets too late for the jitter buffer, etc. */
  engine: { lost: number; lossPercent: number; late: number; duplicates: number; underruns: number; sendErrors: number };
  /** The far ends: what they sent and what came back (loss, jitter, tone), and their own CPU. */
  farend: FarendResult;
  threads: ThreadFigures[];
  recording?: RecordingFigures;
}

interface RecordingFigures {
  recordings: number;
  /** Frames refused by full rings (the writer fell 2 s behind), over all recordings. */
  droppedFrames: number;
  /** Sample bytes the writer thread wrote per second during the measured window. */
  writerBytesPerSecond: number;
  /** Share of the window the writer spent inside write calls. */
  writerBusyPercent: number;
  /** The longest writer pass over all recordings (it runs every 100 ms). */
  writerMaxPassUs: number;
  /** Audio in the files, summed, against the wall time recorded, summed. */
  recordedMs: number;
}

function sum(stats: EndpointStats[], key: keyof EndpointStats): number {
  return stats.reduce((n, s) => n + s[key], 0);
}

async function recordingFigures(recordings: Recording[], elapsed: number, bytes: number, writeUs: number, maxPassUs: number): Promise<RecordingFigures> {
  const results = await Promise.all(recordings.map((r) => r.stop()));
  return {
    recordings: results.length,
    droppedFrames: results.reduce((n, r) => n + r.droppedFrames, 0),
    writerBytesPerSecond: Math.round(bytes / elapsed),
    writerBusyPercent: Number(((writeUs / 1e6 / elapsed) * 100).toFixed(2)),
    writerMaxPassUs: maxPassUs,
    recordedMs: results.reduce((n, r) => n + r.durationMs, 0),
  };
}

function mediaThreadTicks(tids: number[]): number[] {
  return tids.map((tid) => threadCpuTicks(tid) ?? 0);
}

async function step(farendExe: string, calls: number): Promise<StepResult> {
  const engine = new MediaEngine({
    threads,
    portMin: PORT_MIN,
    portMax: PORT_MIN + calls * 8 + 100,
    address: '127.0.0.1',
    realtimePriority,
  }).start();
  const all: Endpoint[] = [];
  const recordings: Recording[] = [];
  const dir = record ? mkdtempSync(join(tmpdir(), 'sy-media-bench-')) : '';
  const farend = await RtpFarend.start(farendExe, { streams: calls * 2, threads: farendThreads, seconds: seconds + 60 });
  try {
    for (let c = 0; c < calls; c++) {
      const mixer = engine.createMixer();
      const a = engine.createEndpoint({ mixer });
      const b = engine.createEndpoint({ mixer });
      mixer.addMember(a, { hears: [] });
      mixer.addMember(b, { hears: [a] });
      mixer.setHears(a, [b]);
      all.push(a, b);
      if (record) recordings.push(mixer.record(join(dir, `call-${c}.wav`), { layout: 'stereo', left: a, right: b }));
    }
    // As signalling would from the phones' SDP: each endpoint sends to its stream's socket.
    all.forEach((e, i) => e.setRemote('127.0.0.1', farend.portOf(i)));
    const pairs = Array.from({ length: calls }, (_, c): [number, number] => [all[2 * c].port, all[2 * c + 1].port]);
    farend.play(callStreams(farend, pairs));
    await sleep(1000); // settle: latching, prefill
    const tids = engine.stats().threads.map((t) => threadIdByName(`sy-media-${t.index}`));
    const before = all.map((e) => e.stats());
    const writer0 = engine.recordingStats();
    const ticks0 = mediaThreadTicks(tids);
    const cpu0 = process.cpuUsage();
    farend.startWindow();
    const t0 = process.hrtime.bigint();
    await sleep(seconds * 1000);
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const ticks1 = mediaThreadTicks(tids);
    const after = all.map((e) => e.stats());
    const writer1 = engine.recordingStats();
    const far = await farend.stop();
    const delta = (key: keyof EndpointStats): number => sum(after, key) - sum(before, key);
    const threadStats = engine.stats().threads;
    const byThread = threadStats.map((t) => {
      const mine = all.map((e, i) => (e.thread === t.index ? i : -1)).filter((i) => i >= 0);
      const packets = mine.reduce((n, i) => n + after[i].packetsIn - before[i].packetsIn + after[i].packetsOut - before[i].packetsOut, 0);
      const cpuSeconds = (ticks1[t.index] - ticks0[t.index]) / clkTck();
      const percent = (cpuSeconds / elapsed) * 100;
      return {
        index: t.index,
        endpoints: t.endpoints,
        overruns: t.overruns,
        realtime: t.realtime,
        workUs: t.workUs,
        latenessUs: t.latenessUs,
        cpuPercent: Number(percent.toFixed(1)),
        cpuPercentPerStream: Number((percent / Math.max(1, mine.length)).toFixed(4)),
        cpuUsPerPacket: Number(((cpuSeconds * 1e6) / Math.max(1, packets)).toFixed(2)),
      };
    });
    const lost = delta('lost');
    return {
      calls,
      endpoints: all.length,
      seconds: Number(elapsed.toFixed(2)),
      loadAverage: loadAverage(),
      packetsPerSecondIn: Math.round(delta('packetsIn') / elapsed),
      packetsPerSecondOut: Math.round(delta('packetsOut') / elapsed),
      cpuPercent: Number((((cpu.user + cpu.system) / 1e6 / elapsed) * 100).toFixed(1)),
      mediaCpuPercent: Number(byThread.reduce((n, t) => n + t.cpuPercent, 0).toFixed(1)),
      engine: {
        lost,
        lossPercent: Number(((lost / Math.max(1, delta('packetsIn') + lost)) * 100).toFixed(4)),
        late: delta('late'),
        duplicates: delta('duplicates'),
        underruns: delta('underruns'),
        sendErrors: delta('sendErrors'),
      },
      farend: far,
      threads: byThread,
      ...(record && {
        recording: await recordingFigures(recordings, elapsed, writer1.bytesWritten - writer0.bytesWritten, writer1.writeUs - writer0.writeUs, writer1.maxPassUs),
      }),
    };
  } finally {
    await farend.close();
    engine.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

function installed(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface RelayComparison {
  calls: number;
  switchyard: RelayFigures;
  rtpengine: RelayFigures | { skipped: string };
  /** rtpengine's CPU per packet over ours: above 1, our bridge (decode, mix, encode) costs less than its relay. */
  rtpengineOverSwitchyardCpu?: number;
}

async function relayComparison(farendExe: string): Promise<RelayComparison> {
  process.stderr.write(`media-bench: relay comparison, ${relayCalls} calls, ${seconds} s each: our bridge thread\n`);
  const switchyard = await bridgeRelay(farendExe, relayCalls, seconds, PORT_MIN);
  if (!withRtpengine) return { calls: relayCalls, switchyard, rtpengine: { skipped: '--no-rtpengine' } };
  if (!installed('rtpengine')) return { calls: relayCalls, switchyard, rtpengine: { skipped: 'rtpengine is not installed (apt-get install rtpengine-daemon)' } };
  process.stderr.write('media-bench: relay comparison: rtpengine (userspace)\n');
  const rtpengine = await rtpengineRelay(farendExe, relayCalls, seconds, PORT_MIN);
  const ratio = rtpengine.cpuUsPerPacket / switchyard.cpuUsPerPacket;
  return { calls: relayCalls, switchyard, rtpengine, rtpengineOverSwitchyardCpu: Number(ratio.toFixed(2)) };
}

const farendBuild = buildFarend(ROOT);
installCleanup(() => farendBuild.remove()); // the generator and rtpengine are stopped on Ctrl-C or a crash
const results: StepResult[] = [];
for (const calls of steps) {
  process.stderr.write(`media-bench: ${calls} calls (${calls * 2} endpoints) on ${threads} thread(s), far ends in rtp-farend, ${seconds} s${record ? ', recording each in stereo' : ''}\n`);
  results.push(await step(farendBuild.exe, calls));
}
const relay = relayCalls > 0 ? await relayComparison(farendBuild.exe) : undefined;
process.stderr.write(`media-bench: UDP floor, ${floorPackets} datagrams\n`);
const floor = udpFloor(ROOT, floorPackets); // cc is there: the far ends were built with it
console.log(JSON.stringify({ bench: 'media', node: process.version, threads, tickMs: 20, record, results, relay, udpFloor: floor }, null, 2));
