// What the media seam costs the event loop per bridged call: the addon calls an anchored call
// makes (a mixer, two endpoints configured from an SDP, bridged, their counters read, closed),
// 20 such calls at a time, no SIP and no RTP. Prints the main thread's CPU µs per call
// (/proc/<pid>/task/<pid>/stat), which is what the seam takes from calls/s; `allThreads`
// adds the media threads. Also the SDP work of a bridged call (the caller's offer read and
// answered, our offer to the callee written, its answer read), CPU µs.
// Usage: node dist/bench/media-seam.js [calls]
import { readFileSync } from 'node:fs';
import { MediaEngine } from '../media/engine.js';
import { answerSdp, endpointSettings, offerSdp, remoteMedia } from '../media/sdp.js';
import { clkTck } from './lib/sys.js';

const calls = Number(process.argv[2] ?? 5000);
const remote = remoteMedia(offerSdp({ address: '127.0.0.1', port: 40000 }))!;
const media = new MediaEngine({ address: '127.0.0.1', portMin: 30000, portMax: 39999 }).start();

const mainThreadTicks = (): number => {
  const stat = readFileSync(`/proc/${process.pid}/task/${process.pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
};

// As engine/call does it: the caller's endpoint is made configured from its offer, the callee's
// joins the mixer when made and is configured from its answer in one call.
const settings = { ...endpointSettings(remote), rtpTimeoutMs: 0 };
async function oneCall(): Promise<void> {
  const mixer = media.createMixer();
  const a = media.createEndpoint({ mixer, ...settings });
  const b = media.createEndpoint({ mixer, join: true });
  b.configure(settings);
  mixer.addMember(a);
  mixer.setMode('bridge', { agent: a, client: b });
  a.stats();
  b.stats();
  await Promise.all([a.close(), b.close()]);
  mixer.close();
}

for (let i = 0; i < 500; i++) await oneCall(); // warm-up
const ticks0 = mainThreadTicks();
const cpu0 = process.cpuUsage();
let left = calls;
await Promise.all(
  Array.from({ length: 20 }, async () => {
    while (left-- > 0) await oneCall();
  }),
);
const cpu = process.cpuUsage(cpu0);
const eventLoopTicks = mainThreadTicks() - ticks0;

const offer = offerSdp({ address: '127.0.0.1', port: 40000 });
const local = { address: '127.0.0.1', port: 30000, origin: { sessionId: 1, version: 1 } };
const sdpWork = (): void => {
  remoteMedia(offer);
  answerSdp(offer, local);
  remoteMedia(offerSdp(local));
};
for (let i = 0; i < 20_000; i++) sdpWork();
const sdpCpu0 = process.cpuUsage();
for (let i = 0; i < 50_000; i++) sdpWork();
const sdpCpu = process.cpuUsage(sdpCpu0);
console.log(
  JSON.stringify({
    bench: 'media-seam',
    calls,
    eventLoopMicrosPerCall: Math.round(((eventLoopTicks / clkTck()) * 1e6) / calls),
    allThreadsMicrosPerCall: Math.round((cpu.user + cpu.system) / calls),
    sdpMicrosPerCall: +((sdpCpu.user + sdpCpu.system) / 50_000).toFixed(1),
    portPool: media.stats().portPool,
  }),
);
media.close();
