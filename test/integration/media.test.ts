// Calls with audio through the engine process: `echo` fed by SIPp's PCMA pcap and by a sine
// from a raw RTP peer (found back by Goertzel), and a B2BUA call whose RTP is anchored in the
// engine both ways (a SIPp callee echoing RTP with -rtp_echo), and `record` writing the caller's
// audio to a WAV. The engine's per-call counters come from GET /api/media/calls.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import type { CallInfo } from '../../engine/call/demo-routes.js';
import { audioOf, toneAmplitude, RtpPeer, type ReceivedRtp } from '../unit/media/helpers.js';
import { PeerCall, UdpPeer } from '../unit/sip/raw-peer.js';
import { readWav } from '../unit/media/wav.js';
import { expectCalls, getJson, runSipp, startEngine, startRegisteredCallee } from './harness.js';

const HOST = '127.0.0.1';
// GET /api/events is for admins.
const ADMIN_TOKEN = 'media-test-admin';
const engine = await startEngine({ env: { SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN } });
t.teardown(engine.stop);

/** Polls GET /api/media/calls until `check` returns something (the deadline only bounds the wait). */
async function pollCalls<T>(check: (calls: CallInfo[]) => T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + 20000;
  for (;;) {
    const calls = await getJson<CallInfo[]>(engine, '/api/media/calls');
    const found = check(calls);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; calls: ${JSON.stringify(calls)}`);
    await sleep(100);
  }
}

function callWhere(pred: (c: CallInfo) => boolean, what: string): Promise<CallInfo> {
  return pollCalls((calls) => calls.find(pred), what);
}

/** A raw SIP caller with an RTP socket: INVITE to `user` offering `codec`, ACK; returns the engine's RTP port. */
async function rawCall(t: Test, user: string, pt: 0 | 8): Promise<{ call: PeerCall; rtp: RtpPeer; enginePort: number; answer: string }> {
  const sip = await UdpPeer.open();
  const rtp = await RtpPeer.open();
  t.teardown(async () => {
    rtp.close();
    await sip.close();
  });
  const call = new PeerCall(sip, engine.sipPort, { user });
  const name = pt === 0 ? 'PCMU' : 'PCMA';
  const sdp = ['v=0', `o=raw 1 1 IN IP4 ${HOST}`, 's=-', `c=IN IP4 ${HOST}`, 't=0 0', `m=audio ${rtp.port} RTP/AVP ${pt}`, `a=rtpmap:${pt} ${name}/8000`, ''].join('\r\n');
  call.send('INVITE', { body: sdp });
  const ok = await call.waitResponse(200, 'INVITE', { timeoutMs: 15000 });
  call.toTag = ok.toTag;
  call.ack2xx(ok);
  const answer = ok.body.toString();
  const port = Number(/^m=audio (\d+) /m.exec(answer)?.[1]);
  return { call, rtp, enginePort: port, answer };
}

async function hangUp(t: Test, call: PeerCall): Promise<void> {
  call.cseq++;
  const since = call.peer.received.length;
  call.send('BYE');
  t.equal((await call.waitFinal('BYE', { since, timeoutMs: 10000 })).status, 200, 'BYE answered');
}

/** The strongest of a few probe frequencies in the audio of `packets`. */
/** The sine at `freq` stands 10x above every other probe. */
function clearly(freq: number, codec: 'PCMU' | 'PCMA'): (packets: ReceivedRtp[]) => boolean {
  return (packets) => {
    const tone = dominantTone(packets, codec);
    return tone.freq === freq && tone.amp > 10 * tone.next;
  };
}

function dominantTone(packets: ReceivedRtp[], codec: 'PCMU' | 'PCMA'): { freq: number; amp: number; next: number } {
  const samples = audioOf(packets, codec);
  const amps = [500, 1000, 1500, 2100].map((freq) => ({ freq, amp: toneAmplitude(samples, freq) })).sort((a, b) => b.amp - a.amp);
  return { freq: amps[0].freq, amp: amps[0].amp, next: amps[1].amp };
}

t.test('echo: SIPp plays a PCMA pcap, the engine takes it in and sends it back', async (t) => {
  const sipp = runSipp({ scenario: 'uac-echo-pcap.xml', target: engine.sipPort, service: 'echo', timeoutMs: 40000 });
  const call = await callWhere((c) => c.to === 'echo' && c.legs[0].rtp.packetsIn >= 50 && c.legs[0].rtp.packetsOut >= 50, 'RTP in and out of the echo call');
  const leg = call.legs[0];
  const health = await getJson<{ media: { endpoints: number; threads: { endpoints: number }[] } }>(engine, '/api/health');
  t.ok(health.media.endpoints >= 1 && health.media.threads.reduce((n, th) => n + th.endpoints, 0) >= 1, 'GET /api/health counts the open endpoint');
  const timing = await getJson<Record<string, { samples: number; p99: number }>>(engine, '/api/sip/udp-timing');
  t.ok(timing.socketWait.samples >= 2 && timing.handling.samples >= 2 && timing.senderThread.samples >= 1, 'GET /api/sip/udp-timing counts the INVITE and ACK in, the 200 out');
  t.same(Object.keys(timing), ['socketWait', 'batchWait', 'handling', 'untilHandOver', 'senderThread']);
  t.same(leg.remote && { codec: leg.remote.codec, address: leg.remote.address }, { codec: 'PCMA', address: HOST }, 'PCMA, sent to SIPp');
  t.equal(leg.rtp.malformed + leg.rtp.wrongSource + leg.rtp.unknownPayloadType, 0, 'every packet valid and from the caller');
  const result = await sipp;
  expectCalls(t, result, 1, 'echo call with SDP checks on the 200', engine);
  const m = /m=audio (\d+) RTP\/AVP 8 101/.exec(result.messages.slice(result.messages.indexOf('SIP/2.0 200 OK')));
  t.equal(Number(m?.[1]), leg.local.port, "the 200's m= port is the call's endpoint");
  await pollCalls((calls) => (calls.some((c) => c.callId === call.callId) ? undefined : true), 'the call to leave /api/media/calls');
  t.pass('the call is gone after BYE');
});

t.test('echo: a 1000 Hz sine comes back from the engine port (Goertzel)', async (t) => {
  const { call, rtp, enginePort, answer } = await rawCall(t, 'echo', 0);
  t.match(answer, /^c=IN IP4 127\.0\.0\.1\r$/m, 'c= is the media address');
  t.match(answer, /^a=rtpmap:0 PCMU\/8000\r$/m);
  rtp.startSine(enginePort, 1000);
  const packets = await rtp.packetsAfter(0, 60);
  t.ok(packets.every((p) => p.from.port === enginePort && p.from.address === HOST && p.pt === 0), 'every packet from the port our SDP named, PCMU');
  // From the 20th packet on, the first window the sine shows in (a paced sender stalls on a loaded machine).
  const tone = dominantTone(await rtp.windowWhere(20, 40, clearly(1000, 'PCMU')), 'PCMU');
  t.equal(tone.freq, 1000, 'the echo carries the sine');
  t.ok(tone.amp > 10 * tone.next, `and not much else (1000 Hz ${tone.amp.toFixed(0)}, next ${tone.next.toFixed(0)})`);
  rtp.stop();
  await hangUp(t, call);
});

t.test('B2BUA: RTP both ways through the engine; the callee gets our offer', async (t) => {
  const callee = await startRegisteredCallee(engine.sipPort, '1007', 'uas-answer.xml', 1, ['-rtp_echo']);
  t.teardown(callee.stop);
  // The caller speaks PCMA; the callee answers our offer with PCMU: the mixer transcodes.
  const { call, rtp, enginePort, answer } = await rawCall(t, '1007', 8);
  t.match(answer, /^m=audio \d+ RTP\/AVP 8\r$/m, 'the caller gets our answer (PCMA), not the callee SDP');
  rtp.startSine(enginePort, 1000, { codec: 'PCMA' });
  const bridged = await callWhere((c) => c.to === '1007' && c.legs.length === 2 && c.legs.every((l) => l.rtp.packetsIn >= 20 && l.rtp.packetsOut >= 20), 'RTP in and out on both legs');
  const [a, b] = bridged.legs;
  t.equal(a.local.port, enginePort, "the caller's leg is the port our answer named");
  t.not(b.local.port, enginePort, 'the callee talks to another engine port');
  t.same(b.remote && b.remote.codec, 'PCMU', 'the callee answered PCMU');
  t.not(b.remote?.port, rtp.port, "the callee does not send to the caller's RTP address");

  // What comes back went caller → engine → callee (SIPp echo) → engine → caller.
  const back = await rtp.packetsAfter(0, 100);
  t.ok(back.every((p) => p.from.port === enginePort && p.from.address === HOST), 'the caller hears only the engine port');
  const tone = dominantTone(await rtp.windowWhere(60, 40, clearly(1000, 'PCMA')), 'PCMA');
  t.equal(tone.freq, 1000, 'the sine made the round trip through both legs');
  t.ok(tone.amp > 10 * tone.next, `clean (1000 Hz ${tone.amp.toFixed(0)}, next ${tone.next.toFixed(0)})`);
  rtp.stop();
  await hangUp(t, call);

  const result = await callee.done;
  expectCalls(t, result, 1, 'callee', engine);
  const invite = result.messages.slice(result.messages.indexOf('INVITE sip:'));
  t.match(invite, new RegExp(`^m=audio ${b.local.port} RTP/AVP 0 8 101\\s*$`, 'm'), "the callee's INVITE offers the engine's port: PCMU, PCMA, telephone-event");
  t.match(invite, /^c=IN IP4 127\.0\.0\.1\s*$/m);
  t.match(invite, /^a=rtpmap:101 telephone-event\/8000\s*$/m);
});

interface StoredEvent {
  type: string;
  callId: string | null;
  data: Record<string, unknown>;
}

t.test('record: what the caller sends is recorded until BYE into recordings/<call-id>.wav', async (t) => {
  const result = await runSipp({ scenario: 'uac-echo-pcap.xml', target: engine.sipPort, service: 'record', timeoutMs: 40000 });
  expectCalls(t, result, 1, 'call to record, playing the PCMA pcap for 4 s', engine);
  const deadline = Date.now() + 15000;
  let recorded: StoredEvent | undefined;
  let ended: StoredEvent | undefined;
  while (!(recorded && ended) && Date.now() < deadline) {
    const events = await getJson<StoredEvent[]>(engine, '/api/events', ADMIN_TOKEN);
    recorded = events.find((e) => e.type === 'call.recorded');
    ended = events.find((e) => e.type === 'call.ended' && e.callId === recorded?.callId);
    await sleep(100);
  }
  if (!recorded || !ended) throw new Error('no call.recorded and call.ended events');
  const path = join(engine.dataDir, 'recordings', `${recorded.callId}.wav`);
  t.equal(recorded.data.path, path, 'the file is named after the Call-ID');
  const wav = readWav(path);
  t.same({ channels: wav.channels, rate: wav.sampleRate, bits: wav.bitsPerSample }, { channels: 1, rate: 8000, bits: 16 });
  const samples = wav.channelData[0];
  const durationMs = samples.length / 8;
  // The scenario talks for 4 s between ACK and BYE; the file cannot outlast the call by more
  // than the one 20 ms frame a recording rounds up to (the call's clock counts milliseconds).
  t.ok(durationMs >= 3500 && durationMs <= Number(ended.data.durationMs) + 20, `the call's duration: ${durationMs} ms of ${String(ended.data.durationMs)} ms`);
  let sum = 0;
  for (const v of samples) sum += v * v;
  const rms = Math.sqrt(sum / samples.length);
  t.ok(rms > 500, `the caller's audio is in it (RMS ${rms.toFixed(0)}; the pcap's audio is about 1900)`);
  t.equal(recorded.data.droppedFrames, 0, 'no frame dropped');
});

t.test('no endpoint or mixer is left once every call ended', async (t) => {
  const deadline = Date.now() + 10000;
  let media = { endpoints: -1, mixers: -1 };
  while (Date.now() < deadline) {
    media = (await getJson<{ media: typeof media }>(engine, '/api/health')).media;
    if (media.endpoints === 0 && media.mixers === 0) break;
    await sleep(100);
  }
  t.same(media, { ...media, endpoints: 0, mixers: 0 });
});
