// The relay comparison of the media benchmark: the same RTP streams relayed once by our
// addon (a two-party bridge: decode, mix, encode) and once by Debian's rtpengine in userspace
// mode (a plain relay, no transcoding), with the far ends on another thread so that only the
// relay's CPU is counted: our bridge's media thread (sy-media-0) against rtpengine's process.
import { readdirSync, readFileSync } from 'node:fs';
import { MediaEngine, type Endpoint, type EndpointStats } from '../../media/index.js';
import { NgClient } from './ng-client.js';
import { launch, terminate } from './procs.js';
import { clkTck, cpuTicks, freePort, sleep, threadCpuTicks } from './sys.js';

export interface RelayFigures {
  relay: 'switchyard-bridge' | 'rtpengine';
  calls: number;
  seconds: number;
  /** Packets the relay received per second (one stream each way per call, 50 packets/s each). */
  packetsPerSecond: number;
  /** CPU of the relay alone: our bridge's media thread, or the rtpengine process. */
  cpuPercent: number;
  cpuUsPerPacket: number;
  /** Packets the far ends missed (sequence gaps) over what they should have received. */
  lossPercent: number;
  /** Our media thread's tick lateness (rtpengine has no tick). */
  latenessP99Us?: number;
}

const FAR_THREAD = 1;
const HOST = '127.0.0.1';

/** The thread id of a media thread of this process, by the name the addon gives it. */
function threadId(name: string): number {
  for (const tid of readdirSync('/proc/self/task')) {
    if (readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() === name) return Number(tid);
  }
  throw new Error(`no thread named ${name}`);
}

function total(eps: Endpoint[], key: keyof EndpointStats): number {
  return eps.reduce((n, e) => n + e.stats()[key], 0);
}

/** Runs the far ends for `seconds` after a 1 s settle; `cpu()` reads the relay's CPU ticks. */
async function measure(
  relay: RelayFigures['relay'],
  calls: number,
  seconds: number,
  far: Endpoint[],
  relayEnds: Endpoint[] | undefined,
  cpu: () => number,
): Promise<Omit<RelayFigures, 'latenessP99Us'>> {
  await sleep(1000);
  const in0 = total(far, 'packetsIn');
  const lost0 = total(far, 'lost');
  const relayed0 = relayEnds ? total(relayEnds, 'packetsIn') : 0;
  const ticks0 = cpu();
  const t0 = process.hrtime.bigint();
  await sleep(seconds * 1000);
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpuSeconds = (cpu() - ticks0) / clkTck();
  const received = total(far, 'packetsIn') - in0;
  const lost = total(far, 'lost') - lost0;
  // What the relay took in: counted by our bridge; for rtpengine, what the far ends sent.
  const relayed = relayEnds ? total(relayEnds, 'packetsIn') - relayed0 : received + lost;
  return {
    relay,
    calls,
    seconds: Number(elapsed.toFixed(2)),
    packetsPerSecond: Math.round(relayed / elapsed),
    cpuPercent: Number(((cpuSeconds / elapsed) * 100).toFixed(1)),
    cpuUsPerPacket: Number(((cpuSeconds * 1e6) / Math.max(1, relayed)).toFixed(2)),
    lossPercent: Number(((lost / Math.max(1, received + lost)) * 100).toFixed(3)),
  };
}

function farEnds(engine: MediaEngine, calls: number): Array<[Endpoint, Endpoint]> {
  const pairs: Array<[Endpoint, Endpoint]> = [];
  for (let c = 0; c < calls; c++) {
    const fa = engine.createEndpoint({ thread: FAR_THREAD });
    const fb = engine.createEndpoint({ thread: FAR_THREAD });
    fa.playTone(500 + (c % 50), { amplitude: 0.3 });
    fb.playTone(1100 + (c % 50), { amplitude: 0.3 });
    pairs.push([fa, fb]);
  }
  return pairs;
}

/** Our bridge: per call a mixer with A and B on thread 0, far ends F_A ↔ A and F_B ↔ B on thread 1. */
export async function bridgeRelay(calls: number, seconds: number, portMin: number): Promise<RelayFigures> {
  const engine = new MediaEngine({ threads: 2, portMin, portMax: portMin + calls * 8 + 100, address: HOST }).start();
  try {
    const near: Endpoint[] = [];
    const far = farEnds(engine, calls);
    for (const [fa, fb] of far) {
      const mixer = engine.createMixer({ thread: 0 });
      const a = engine.createEndpoint({ mixer });
      const b = engine.createEndpoint({ mixer });
      mixer.addMember(a, { hears: [] });
      mixer.addMember(b, { hears: [a] });
      mixer.setHears(a, [b]);
      for (const [n, f] of [[a, fa], [b, fb]] as const) {
        n.setRemote(HOST, f.port);
        f.setRemote(HOST, n.port);
      }
      near.push(a, b);
    }
    const tid = threadId('sy-media-0');
    const figures = await measure('switchyard-bridge', calls, seconds, far.flat(), near, () => threadCpuTicks(tid) ?? 0);
    return { ...figures, latenessP99Us: engine.stats().threads[0].latenessUs.p99 };
  } finally {
    engine.close();
  }
}

function sdp(port: number): string {
  return ['v=0', `o=- 1 1 IN IP4 ${HOST}`, 's=-', `c=IN IP4 ${HOST}`, 't=0 0', `m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n');
}

function mediaPort(reply: Record<string, unknown>): number {
  const port = Number(/^m=audio (\d+) /m.exec(String(reply.sdp))?.[1]);
  if (!port) throw new Error(`rtpengine answered without an m=audio port: ${String(reply.sdp)}`);
  return port;
}

/** rtpengine: per call an offer (F_A's SDP) and an answer (F_B's); each far end sends to the port rtpengine gave the other side. */
export async function rtpengineRelay(calls: number, seconds: number, portMin: number): Promise<RelayFigures> {
  const ngPort = await freePort();
  const rtpMin = portMin + calls * 8 + 200;
  const daemon = launch('rtpengine', 'rtpengine', [
    '--config-file=none', '--table=-1', `--interface=${HOST}`, `--listen-ng=${HOST}:${ngPort}`, '--foreground',
    '--log-stderr', '--log-level=4', `--port-min=${rtpMin}`, `--port-max=${rtpMin + calls * 8 + 100}`,
  ]);
  const engine = new MediaEngine({ threads: 2, portMin, portMax: portMin + calls * 8 + 100, address: HOST }).start();
  const ng = await NgClient.open(ngPort);
  try {
    await ng.request({ command: 'ping' }, 10000, 'pong');
    const far = farEnds(engine, calls);
    for (let c = 0; c < far.length; c++) {
      const [fa, fb] = far[c];
      const callId = `media-bench-${c}`;
      const toCallee = mediaPort(await ng.request({ command: 'offer', 'call-id': callId, 'from-tag': 'fa', sdp: sdp(fa.port) }));
      const toCaller = mediaPort(await ng.request({ command: 'answer', 'call-id': callId, 'from-tag': 'fa', 'to-tag': 'fb', sdp: sdp(fb.port) }));
      fa.setRemote(HOST, toCaller);
      fb.setRemote(HOST, toCallee);
    }
    return await measure('rtpengine', calls, seconds, far.flat(), undefined, () => cpuTicks(daemon.pid) ?? 0);
  } finally {
    engine.close();
    ng.close();
    await terminate(daemon);
  }
}
