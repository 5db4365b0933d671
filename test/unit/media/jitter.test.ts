// The adaptive jitter buffer over real sockets: an echoing endpoint, a far end that sends a
// 1 kHz sine with reordering, duplicates, loss, random delay, 30 ms packets, a timestamp
// jump and a silence-suppressed pause. What comes back is analysed frame by frame.
import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import type { Endpoint } from '../../../media/index.js';
import { HOST, audioOf, encode, openPeer, rtpPacket, sine, startEngine, toneAmplitude, waitFor, type ReceivedRtp, type RtpPeer } from './helpers.js';

const PORTS = 34000;
const TONE = 1000;
const LOUD = 9830;

/** Deterministic pseudo-random numbers in [0, 1) (a linear congruential generator). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Packet {
  index: number;
  seq: number;
  ts: number;
  marker: boolean;
  buf: Buffer;
}

interface StreamOptions {
  ms?: number; // packet duration
  count: number;
  /** What to do with packet i: send it after `delayMs` (and again if `duplicate`), or drop it. */
  plan?: (p: Packet) => { drop?: boolean; delayMs?: number; duplicate?: boolean };
  /** Sequence and timestamp of packet i (default: contiguous from 0). */
  numbering?: (i: number, samples: number) => { seq: number; ts: number; marker?: boolean };
  /** Stop early (after at least one packet) once this holds. */
  until?: () => boolean;
}

/** Sends a sine stream to `port`, paced by the wall clock; resolves when the last packet left. */
async function stream(peer: RtpPeer, port: number, o: StreamOptions): Promise<void> {
  const samples = ((o.ms ?? 20) * 8000) / 1000;
  const started = Date.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < o.count && !(i > 0 && o.until?.()); i++) {
    const wait = started + i * (o.ms ?? 20) - Date.now();
    if (wait > 0) await sleep(wait);
    const n = o.numbering?.(i, samples) ?? { seq: i, ts: i * samples, marker: i === 0 };
    const buf = rtpPacket({ pt: 0, seq: n.seq, ts: n.ts, ssrc: 0x51e, marker: n.marker, payload: encode('PCMU', sine(TONE, LOUD, i * samples, samples)) });
    const action = o.plan?.({ index: i, seq: n.seq, ts: n.ts, marker: n.marker ?? false, buf }) ?? {};
    if (action.drop) continue;
    const send = async (): Promise<void> => {
      if (action.delayMs) await sleep(action.delayMs);
      await peer.send(buf, port);
      if (action.duplicate) await peer.send(buf, port);
    };
    pending.push(send());
  }
  await Promise.all(pending);
}

/**
 * Per echoed 20 ms frame, in sequence order: its level as the amplitude of a sine of the same
 * power (whatever its pitch or phase).
 */
function frameLevels(packets: ReceivedRtp[]): number[] {
  const audio = audioOf(packets);
  const out: number[] = [];
  for (let i = 0; i + 160 <= audio.length; i += 160) {
    let power = 0;
    for (let k = i; k < i + 160; k++) power += audio[k] * audio[k];
    out.push(Math.sqrt((2 * power) / 160));
  }
  return out;
}

/** The frames from the first one with the tone to the last one with it. */
function toneSpan(levels: number[]): number[] {
  const first = levels.findIndex((l) => l > LOUD / 4);
  const last = levels.length - 1 - [...levels].reverse().findIndex((l) => l > LOUD / 4);
  return first < 0 ? [] : levels.slice(first, last + 1);
}

async function echoing(t: Test, ports: number, options = {}): Promise<{ ep: Endpoint; peer: RtpPeer }> {
  const engine = startEngine(t, ports);
  const ep = engine.createEndpoint({ echo: true, ...options });
  const peer = await openPeer(t);
  ep.setRemote(HOST, peer.port);
  return { ep, peer };
}

async function drained(ep: Endpoint, peer: RtpPeer): Promise<void> {
  // The stream has ended once the endpoint went idle after concealing its end.
  await waitFor('the stream played out', () => ep.stats().jitterDepthMs === 0 && ep.stats().underruns > 0);
  const n = peer.received.length;
  await waitFor('a few more frames', () => peer.received.length >= n + 3);
}

t.test('reorder, duplicates and loss: each lost packet concealed, no gap in the tone', async (t) => {
  const { ep, peer } = await echoing(t, PORTS, { jitterMs: 100, jitterMinMs: 100 });
  const lost = new Set([20, 45, 46, 70, 95, 120, 121, 122]);
  await stream(peer, ep.port, {
    count: 150,
    plan: (p) => ({
      drop: lost.has(p.index),
      delayMs: p.index % 10 === 3 ? 30 : 0, // every tenth packet overtaken by the next one
      duplicate: p.index % 7 === 0,
    }),
  });
  await drained(ep, peer);
  const s = ep.stats();
  t.equal(s.lost, lost.size, 'loss counted from the sequence gaps');
  t.equal(s.duplicates, Math.ceil(150 / 7) - [...lost].filter((i) => i % 7 === 0).length, 'duplicates counted and dropped');
  t.equal(s.late, 0, 'reordered packets were in time');
  const span = toneSpan(frameLevels(peer.received));
  t.ok(span.length >= 145, `the tone spans ${span.length} frames`);
  t.ok(toneAmplitude(audioOf(peer.received), TONE) > LOUD / 4, 'and it is the tone that was sent');
  const quiet = span.slice(1, -1).filter((l) => l < LOUD / 8).length;
  t.equal(quiet, 0, 'no silent frame inside the stream: losses are concealed');
  // Each isolated loss conceals one frame; the run of three, three (plus the end of the stream).
  t.ok(s.concealed >= lost.size, `${s.concealed} frames concealed for ${lost.size} lost packets`);
});

t.test('30 ms packets (as SIPp sends) play without gaps', async (t) => {
  const { ep, peer } = await echoing(t, PORTS + 100, { jitterMs: 80, jitterMinMs: 80 });
  await stream(peer, ep.port, { ms: 30, count: 100 });
  const before = ep.stats();
  await drained(ep, peer);
  t.equal(before.concealed, 0, 'nothing concealed while the stream ran');
  t.equal(before.lost + before.late, 0);
  const span = toneSpan(frameLevels(peer.received));
  t.ok(span.length >= 145, `3 s of 30 ms packets came back as ${span.length} frames of 20 ms`);
  // The first and last frames may hold the onset and the end.
  t.same(span.slice(1, -1).filter((l) => l < LOUD / 2).map(Math.round), [], 'every frame carries the full tone');
});

t.test('bursty delay: the depth grows to cover it, then comes back down', async (t) => {
  const { ep, peer } = await echoing(t, PORTS + 200, { jitterMs: 40, jitterMinMs: 20, jitterMaxMs: 300 });
  const rand = random(7);
  const calm = await (async () => {
    await stream(peer, ep.port, { count: 100 });
    return ep.stats().jitterTargetMs;
  })();
  // Bursts: every packet of a 200 ms stretch in four is held for up to 120 ms.
  let peak = 0;
  const watch = setInterval(() => (peak = Math.max(peak, ep.stats().jitterTargetMs)), 20);
  t.teardown(() => clearInterval(watch));
  await stream(peer, ep.port, {
    count: 150,
    numbering: (i, n) => ({ seq: 100 + i, ts: (100 + i) * n }),
    plan: (p) => ({ delayMs: Math.floor((p.index / 10) % 4) === 1 ? Math.floor(rand() * 120) : 0 }),
  });
  const bursty = ep.stats();
  t.ok(peak >= calm + 60, `target depth grew from ${calm} ms to ${peak} ms`);
  t.ok(bursty.late <= 15, `${bursty.late} of 150 packets late`);
  // Calm again: once the window forgets the bursts (about 4 s), the depth shrinks. (Up to
  // 30 s of calm: a loaded machine makes its own jitter.)
  const down = (): boolean => ep.stats().jitterTargetMs <= peak - 50 && ep.stats().jitterDepthMs <= peak - 40;
  await stream(peer, ep.port, { count: 1500, until: down, numbering: (i, n) => ({ seq: 250 + i, ts: (250 + i) * n }) });
  const after = ep.stats();
  clearInterval(watch);
  t.ok(after.jitterTargetMs <= peak - 50, `target back down to ${after.jitterTargetMs} ms`);
  t.ok(after.jitterDepthMs <= peak - 40, `depth back down to ${after.jitterDepthMs} ms`);
  const levels = frameLevels(peer.received);
  t.ok(toneSpan(levels).length >= 240, 'the tone kept playing through all three phases');
});

t.test('after a sender stall the depth moves by whole pitch periods: the tone keeps its pitch', async (t) => {
  const { ep, peer } = await echoing(t, PORTS + 400);
  // Packets 20..34 are held and arrive together with packet 35: a 300 ms stall of the
  // sender. The buffer runs dry, then holds 300 ms more than it needs and sheds it in speech.
  await stream(peer, ep.port, { count: 150, plan: (p) => ({ delayMs: p.index >= 20 && p.index < 35 ? (35 - p.index) * 20 : 0 }) });
  await drained(ep, peer);
  const audio = audioOf(peer.received);
  const levels = frameLevels(peer.received);
  // Every 100 ms block at full power must be the 1 kHz tone by Goertzel. Resampling to move the
  // playout point would shift the pitch and leave a full-power block far under it. Blocks
  // short of power (the stall, the fade, a stall of the test's own sender) say nothing.
  let full = 0;
  const offPitch: string[] = [];
  for (let f = 0; f + 5 <= levels.length; f += 5) {
    if (levels.slice(f, f + 5).some((l) => l < 0.9 * LOUD)) continue;
    full++;
    const amp = toneAmplitude(audio.subarray(f * 160, (f + 5) * 160), TONE);
    if (amp < 0.8 * LOUD) offPitch.push(`frame ${f}: ${amp.toFixed(0)}`);
  }
  t.ok(full >= 20, `${full} full-power blocks judged`);
  t.same(offPitch, [], 'each at the sent pitch');
  t.ok(ep.stats().underruns > 0, 'the stall ran the buffer dry');
});

t.test('a timestamp jump restarts playout; a silence-suppressed pause is not loss', async (t) => {
  const { ep, peer } = await echoing(t, PORTS + 300, { jitterMs: 60, jitterMinMs: 60 });
  // 50 packets, then the timestamp leaps by about 12 s with contiguous sequence numbers.
  await stream(peer, ep.port, { count: 100, numbering: (i, n) => ({ seq: i, ts: i < 50 ? i * n : 100000 + i * n, marker: i === 0 }) });
  let s = ep.stats();
  t.equal(s.timestampJumps, 1, 'the jump detected');
  t.equal(s.lost + s.late, 0);
  // A pause of 1 s (no packets, timestamps run on), then a talkspurt with the marker bit.
  await sleep(1000);
  await stream(peer, ep.port, { count: 50, numbering: (i, n) => ({ seq: 100 + i, ts: 100000 + (150 + i) * n, marker: i === 0 }) });
  await drained(ep, peer);
  s = ep.stats();
  t.equal(s.lost, 0, 'the pause is not counted as loss');
  t.equal(s.timestampJumps, 1, 'nor as a jump');
  const levels = frameLevels(peer.received);
  const loud = levels.filter((l) => l > LOUD / 2).length;
  t.ok(loud >= 140, `${loud} frames of tone for 150 packets`);
});
