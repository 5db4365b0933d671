// The relay comparison of the media benchmark: the same RTP streams relayed once by our
// addon (a two-party bridge: decode, mix, encode) and once by Debian's rtpengine in userspace
// mode (a plain relay, no transcoding). Both relays see the same far ends: bench/rtp-farend.c
// in its own process (lib/rtp-farend.ts), so only the relay's CPU is counted: our bridge's
// media thread (sy-media-0) against rtpengine's process.
import { MediaEngine, type Endpoint, type EndpointStats } from '../../media/index.js';
import { NgClient } from './ng-client.js';
import { launch, terminate } from './procs.js';
import { callStreams, RtpFarend } from './rtp-farend.js';
import { clkTck, cpuTicks, freePort, sleep, threadCpuTicks, threadIdByName } from './sys.js';

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
  /** Streams on which the far end heard the other party's tone (of calls × 2). */
  streamsHearingPeer: number;
  /** The far-end generator's own CPU, per cent of one core (the same load for both relays). */
  farendCpuPercent: number;
  /** Our media thread's tick lateness (rtpengine has no tick). */
  latenessP99Us?: number;
}

const HOST = '127.0.0.1';

function total(eps: Endpoint[], key: keyof EndpointStats): number {
  return eps.reduce((n, e) => n + e.stats()[key], 0);
}

/**
 * Lets the far ends play for `seconds` after a 1 s settle, then stops them; `cpu()` reads the
 * relay's CPU ticks, `relayEnds` (ours) count what the relay took in.
 */
async function measure(
  relay: RelayFigures['relay'],
  calls: number,
  seconds: number,
  farend: RtpFarend,
  relayEnds: Endpoint[] | undefined,
  cpu: () => number,
): Promise<Omit<RelayFigures, 'latenessP99Us'>> {
  await sleep(1000);
  const relayed0 = relayEnds ? total(relayEnds, 'packetsIn') : 0;
  const ticks0 = cpu();
  farend.startWindow();
  const t0 = process.hrtime.bigint();
  await sleep(seconds * 1000);
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpuSeconds = (cpu() - ticks0) / clkTck();
  const relayed1 = relayEnds ? total(relayEnds, 'packetsIn') : 0;
  const far = await farend.stop();
  // What the relay took in: counted by our bridge; for rtpengine, what the far ends got back
  // or missed (a relay sends what it receives).
  const relayed = relayEnds ? relayed1 - relayed0 : far.received + far.lost;
  return {
    relay,
    calls,
    seconds: Number(elapsed.toFixed(2)),
    packetsPerSecond: Math.round(relayed / elapsed),
    cpuPercent: Number(((cpuSeconds / elapsed) * 100).toFixed(1)),
    cpuUsPerPacket: Number(((cpuSeconds * 1e6) / Math.max(1, relayed)).toFixed(2)),
    lossPercent: Number(far.lossPercent.toFixed(3)),
    streamsHearingPeer: far.tone.streamsHearingPeer,
    farendCpuPercent: far.cpuPercent,
  };
}

function startFarend(exe: string, calls: number, seconds: number): Promise<RtpFarend> {
  return RtpFarend.start(exe, { streams: calls * 2, threads: 1, seconds: seconds + 60 });
}

/** Our bridge: per call a mixer with A and B on media thread 0; the far ends send to A and B. */
export async function bridgeRelay(farendExe: string, calls: number, seconds: number, portMin: number): Promise<RelayFigures> {
  const engine = new MediaEngine({ threads: 1, portMin, portMax: portMin + calls * 8 + 100, address: HOST }).start();
  const farend = await startFarend(farendExe, calls, seconds);
  try {
    const near: Endpoint[] = [];
    for (let c = 0; c < calls; c++) {
      const mixer = engine.createMixer({ thread: 0 });
      const a = engine.createEndpoint({ mixer });
      const b = engine.createEndpoint({ mixer });
      mixer.addMember(a, { hears: [] });
      mixer.addMember(b, { hears: [a] });
      mixer.setHears(a, [b]);
      near.push(a, b);
    }
    near.forEach((e, i) => e.setRemote(HOST, farend.portOf(i)));
    farend.play(callStreams(farend, Array.from({ length: calls }, (_, c): [number, number] => [near[2 * c].port, near[2 * c + 1].port])));
    const tid = threadIdByName('sy-media-0');
    const figures = await measure('switchyard-bridge', calls, seconds, farend, near, () => threadCpuTicks(tid) ?? 0);
    return { ...figures, latenessP99Us: engine.stats().threads[0].latenessUs.p99 };
  } finally {
    await farend.close();
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

/**
 * rtpengine: per call an offer (F_A's SDP) and an answer (F_B's), where F_A and F_B are the
 * generator's sockets of the call's two streams; each stream sends to the port rtpengine gave
 * the other side.
 */
export async function rtpengineRelay(farendExe: string, calls: number, seconds: number, portMin: number): Promise<RelayFigures> {
  const ngPort = await freePort();
  const daemon = launch('rtpengine', 'rtpengine', [
    '--config-file=none', '--table=-1', `--interface=${HOST}`, `--listen-ng=${HOST}:${ngPort}`, '--foreground',
    '--log-stderr', '--log-level=4', `--port-min=${portMin}`, `--port-max=${portMin + calls * 8 + 100}`,
  ]);
  const farend = await startFarend(farendExe, calls, seconds);
  const ng = await NgClient.open(ngPort);
  try {
    await ng.request({ command: 'ping' }, 10000, 'pong');
    const targets: Array<[number, number]> = [];
    for (let c = 0; c < calls; c++) {
      const callId = `media-bench-${c}`;
      const fa = farend.portOf(2 * c);
      const fb = farend.portOf(2 * c + 1);
      const toCallee = mediaPort(await ng.request({ command: 'offer', 'call-id': callId, 'from-tag': 'fa', sdp: sdp(fa) }));
      const toCaller = mediaPort(await ng.request({ command: 'answer', 'call-id': callId, 'from-tag': 'fa', 'to-tag': 'fb', sdp: sdp(fb) }));
      targets.push([toCaller, toCallee]);
    }
    farend.play(callStreams(farend, targets));
    return await measure('rtpengine', calls, seconds, farend, undefined, () => cpuTicks(daemon.pid) ?? 0);
  } finally {
    await farend.close();
    ng.close();
    await terminate(daemon);
  }
}
