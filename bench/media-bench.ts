// Media-plane benchmark: N bridged calls, all traffic on loopback through the addon.
// Each call is a mixer with two endpoints A and B (A hears B, B hears A), as a B2BUA bridge
// has; each of them talks RTP to a far-end endpoint of the same engine that plays a tone at
// it (F_A → A, F_B → B) and receives the mix. So a call here is 4 endpoints and 4 packets
// sent and received per 20 ms tick (a production call is 2 of each; the far ends stand in
// for the phones). Prints one JSON object; progress goes to stderr.
// With --record, every call is also recorded in stereo (left A, right B) to a temporary
// directory (removed afterwards), and the step reports dropped frames and writer throughput.
// Then the relay comparison (lib/media-relay.ts): --relay-calls bridged calls relayed by our
// media thread, and the same streams relayed by rtpengine (if installed; --no-rtpengine
// skips it), with the ratio of their CPU per packet; and the UDP floor (udp-floor.c, needs cc).
//
//   npm run build && node dist/bench/media-bench.js [--threads N] [--calls 50,200,500] [--seconds S] [--record]
//                                                   [--relay-calls N] [--no-rtpengine] [--floor-packets N]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { MediaEngine, type Endpoint, type EndpointStats, type Recording } from '../media/index.js';
import { bridgeRelay, rtpengineRelay, type RelayFigures } from './lib/media-relay.js';
import { installCleanup } from './lib/procs.js';
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
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface StepResult {
  calls: number;
  endpoints: number;
  seconds: number;
  packetsPerSecondIn: number;
  packetsPerSecondOut: number;
  cpuPercent: number;
  lost: number;
  underruns: number;
  sendErrors: number;
  threads: Array<{ index: number; endpoints: number; overruns: number; workUs: object; latenessUs: object }>;
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

async function step(calls: number): Promise<StepResult> {
  const engine = new MediaEngine({ threads, portMin: PORT_MIN, portMax: PORT_MIN + calls * 8 + 100, address: '127.0.0.1' }).start();
  const all: Endpoint[] = [];
  const recordings: Recording[] = [];
  const dir = record ? mkdtempSync(join(tmpdir(), 'sy-media-bench-')) : '';
  try {
    for (let c = 0; c < calls; c++) {
      const mixer = engine.createMixer();
      const a = engine.createEndpoint({ mixer });
      const b = engine.createEndpoint({ mixer });
      const fa = engine.createEndpoint({ mixer });
      const fb = engine.createEndpoint({ mixer });
      mixer.addMember(a, { hears: [] });
      mixer.addMember(b, { hears: [a] });
      mixer.setHears(a, [b]);
      for (const [near, far, hz] of [[a, fa, 500], [b, fb, 1100]] as const) {
        near.setRemote('127.0.0.1', far.port);
        far.setRemote('127.0.0.1', near.port);
        far.playTone(hz + (c % 50), { amplitude: 0.3 });
      }
      all.push(a, b, fa, fb);
      if (record) recordings.push(mixer.record(join(dir, `call-${c}.wav`), { layout: 'stereo', left: a, right: b }));
    }
    await sleep(1000); // settle: latching, prefill
    const before = all.map((e) => e.stats());
    const writer0 = engine.recordingStats();
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await sleep(seconds * 1000);
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const after = all.map((e) => e.stats());
    const writer1 = engine.recordingStats();
    const delta = (key: keyof EndpointStats): number => sum(after, key) - sum(before, key);
    const threadStats = engine.stats().threads;
    return {
      calls,
      endpoints: all.length,
      seconds: Number(elapsed.toFixed(2)),
      packetsPerSecondIn: Math.round(delta('packetsIn') / elapsed),
      packetsPerSecondOut: Math.round(delta('packetsOut') / elapsed),
      cpuPercent: Number((((cpu.user + cpu.system) / 1e6 / elapsed) * 100).toFixed(1)),
      lost: delta('lost'),
      underruns: delta('underruns'),
      sendErrors: delta('sendErrors'),
      threads: threadStats.map((t) => ({ index: t.index, endpoints: t.endpoints, overruns: t.overruns, workUs: t.workUs, latenessUs: t.latenessUs })),
      ...(record && {
        recording: await recordingFigures(recordings, elapsed, writer1.bytesWritten - writer0.bytesWritten, writer1.writeUs - writer0.writeUs, writer1.maxPassUs),
      }),
    };
  } finally {
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

async function relayComparison(): Promise<RelayComparison> {
  process.stderr.write(`media-bench: relay comparison, ${relayCalls} calls, ${seconds} s each: our bridge thread\n`);
  const switchyard = await bridgeRelay(relayCalls, seconds, PORT_MIN);
  if (!withRtpengine) return { calls: relayCalls, switchyard, rtpengine: { skipped: '--no-rtpengine' } };
  if (!installed('rtpengine')) return { calls: relayCalls, switchyard, rtpengine: { skipped: 'rtpengine is not installed (apt-get install rtpengine-daemon)' } };
  process.stderr.write('media-bench: relay comparison: rtpengine (userspace)\n');
  const rtpengine = await rtpengineRelay(relayCalls, seconds, PORT_MIN);
  const ratio = rtpengine.cpuUsPerPacket / switchyard.cpuUsPerPacket;
  return { calls: relayCalls, switchyard, rtpengine, rtpengineOverSwitchyardCpu: Number(ratio.toFixed(2)) };
}

installCleanup(() => {}); // rtpengine is stopped on Ctrl-C or a crash
const results: StepResult[] = [];
for (const calls of steps) {
  process.stderr.write(`media-bench: ${calls} calls (${calls * 4} endpoints) on ${threads} thread(s), ${seconds} s${record ? ', recording each in stereo' : ''}\n`);
  results.push(await step(calls));
}
const relay = relayCalls > 0 ? await relayComparison() : undefined;
process.stderr.write(`media-bench: UDP floor, ${floorPackets} datagrams\n`);
const floor = installed('cc') ? udpFloor(ROOT, floorPackets) : { skipped: 'no C compiler (cc)' };
console.log(JSON.stringify({ bench: 'media', node: process.version, threads, tickMs: 20, record, results, relay, udpFloor: floor }, null, 2));
