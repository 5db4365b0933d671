// Voice activity detection on real speech: sentences synthesized by espeak-ng, resampled to
// 8 kHz, separated by known silences (over a low noise floor), streamed as PCMU RTP over UDP.
// The speech segments the endpoint reports are compared frame by frame with the truth.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Endpoint } from '../../../media/index.js';
import { addInto, concat, noise, sineAt, speak, streamPcm } from './audio_helpers.js';
import { HOST, openPeer, startEngine, waitFor } from './helpers.js';

const PORTS = 24800;
const FRAME = 160;
const SENTENCES = [
  'The quick brown fox jumps over the lazy dog.',
  'Please hold the line, an agent will be with you shortly.',
  'Your call is important to us.',
  'Press one for sales, or two for support.',
];
const GAPS_MS = [1000, 1200, 800, 1500, 700]; // before each sentence, and after the last

let dir = '';
let sentences: Int16Array[] = [];
t.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sy-vad-'));
  sentences = await Promise.all(SENTENCES.map((s, i) => speak(s, dir, `s${i}`)));
});
t.teardown(() => rm(dir, { recursive: true, force: true }));

interface Segment {
  start: number;
  end: number;
}

/** Collects speech segments (media ms) from an endpoint's events. */
function segmentsOf(ep: Endpoint): { segments: Segment[]; open: () => boolean } {
  const segments: Segment[] = [];
  let startMs = -1;
  ep.on('speechStart', ({ mediaMs }) => {
    startMs = mediaMs;
  });
  ep.on('speechEnd', ({ mediaMs, durationMs }) => {
    segments.push({ start: mediaMs - durationMs, end: mediaMs });
    startMs = -1;
  });
  return { segments, open: () => startMs >= 0 };
}

function labels(segments: Segment[], frames: number): boolean[] {
  const out = new Array<boolean>(frames).fill(false);
  for (const s of segments) {
    for (let f = Math.floor(s.start / 20); f < Math.min(frames, Math.ceil(s.end / 20)); f++) out[f] = true;
  }
  return out;
}

t.test('espeak-ng sentences with known silences: speech-frame precision and recall', async (t) => {
  const engine = startEngine(t, PORTS);
  // A deeper receive buffer absorbs stalls of the sender (a Node timer on a busy machine):
  // a gap in reception would shift the media timeline against the truth.
  const ep = engine.createEndpoint({ vad: true, jitterMs: 160 });
  const peer = await openPeer(t);
  ep.setRemote(HOST, peer.port);
  const { segments, open } = segmentsOf(ep);

  // Truth per 20 ms frame: inside a sentence (from its first to its last loud sample) is speech.
  const parts: Int16Array[] = [];
  const truth: boolean[] = [];
  const pushPart = (pcm: Int16Array, speech: boolean): void => {
    parts.push(pcm);
    const before = truth.length * FRAME;
    const total = parts.reduce((n, p) => n + p.length, 0);
    // A frame is speech if most of it is.
    for (let f = truth.length; (f + 1) * FRAME <= total; f++) {
      const mid = f * FRAME + FRAME / 2;
      truth.push(mid >= before && mid < total ? speech : truth[f] ?? speech);
    }
  };
  for (let i = 0; i < sentences.length; i++) {
    pushPart(new Int16Array((GAPS_MS[i] * 8000) / 1000), false);
    pushPart(sentences[i], true);
  }
  pushPart(new Int16Array((GAPS_MS[sentences.length] * 8000) / 1000), false);
  const audio = addInto(concat(parts), noise(parts.reduce((n, p) => n + p.length, 0), 60)); // about -60 dBFS hiss
  const frames = Math.floor(audio.length / FRAME);

  await streamPcm(peer, ep.port, audio);
  await waitFor('the last segment to end', () => segments.length >= 1 && !open() && ep.stats().talkMs + ep.stats().silenceMs >= frames * 20 - 100);

  const got = labels(segments, frames);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let f = 0; f < frames; f++) {
    if (got[f] && truth[f]) tp++;
    else if (got[f]) fp++;
    else if (truth[f]) fn++;
  }
  const precision = tp / (tp + fp);
  const recall = tp / (tp + fn);
  const s = ep.stats();
  t.comment(`VAD on espeak-ng speech: ${segments.length} segments for ${sentences.length} sentences; ` +
    `precision ${(precision * 100).toFixed(1)} %, recall ${(recall * 100).toFixed(1)} % over ${frames} frames ` +
    `(talk ${s.talkMs} ms, silence ${s.silenceMs} ms; receive buffer: underruns ${s.underruns}, overflows ${s.overflows}, late ${s.late})`);
  t.comment(`segments (ms): ${segments.map((x) => `${x.start}-${x.end}`).join(', ')}`);
  t.ok(precision >= 0.85, `precision ${precision.toFixed(3)} >= 0.85`);
  t.ok(recall >= 0.9, `recall ${recall.toFixed(3)} >= 0.9`);
  t.equal(segments.length, sentences.length, 'one segment per sentence (pauses inside a sentence are bridged)');
  const labelled = segments.reduce((n, x) => n + x.end - x.start, 0);
  t.equal(s.talkMs, labelled, 'talk time is the sum of the segments');
  t.ok(Math.abs(s.talkMs + s.silenceMs - frames * 20) <= 100, 'talk + silence cover the received audio');
});

t.test('constant noise is not speech once the floor has adapted, also after a step up', async (t) => {
  const engine = startEngine(t, PORTS + 100);
  const ep = engine.createEndpoint({ vad: { enabled: true } });
  const peer = await openPeer(t);
  ep.setRemote(HOST, peer.port);
  const { segments, open } = segmentsOf(ep);
  // 2 s of quiet noise, then 5 s of noise 26 dB louder (about -20 dBFS: a loud line).
  const quiet = noise(16000, 200, 1);
  const loud = noise(40000, 4000, 2);
  const audio = concat([quiet, loud]);
  await streamPcm(peer, ep.port, audio);
  await waitFor('all audio processed', () => ep.stats().talkMs + ep.stats().silenceMs >= 6900);
  t.comment(`segments (ms): ${segments.map((x) => `${x.start}-${x.end}`).join(', ') || 'none'}; receive-buffer underruns ${ep.stats().underruns}`);
  t.notOk(open(), 'not in speech at the end');
  // Media time may sit a frame or two off the sender's: the jitter buffer drops or inserts
  // whole frames of silence-level audio to adapt its depth.
  t.ok(segments.every((s) => s.start >= 1960 && s.end <= 4000), `at most one segment, at the step (2000 ms), over within 2 s`);
  t.ok(segments.length <= 1);
  t.ok(ep.stats().talkMs <= 2000, `talk time ${ep.stats().talkMs} ms of 7000`);
});

t.test('vad off by default, then switched on by the setter; the settings are checked', async (t) => {
  const engine = startEngine(t, PORTS + 200);
  const ep = engine.createEndpoint();
  const peer = await openPeer(t);
  ep.setRemote(HOST, peer.port);
  const { segments } = segmentsOf(ep);
  const burst = concat([new Int16Array(4000), sineAt(500, 8000, 4000), new Int16Array(8000)]);
  await streamPcm(peer, ep.port, burst);
  await waitFor('the stream to be played', () => ep.stats().underruns >= 1);
  t.equal(segments.length, 0, 'no events while off');
  t.equal(ep.stats().talkMs, 0, 'no talk time while off');
  ep.setVad({ enabled: true, minSpeechMs: 60, hangoverMs: 100, minSilenceMs: 200 });
  await streamPcm(peer, ep.port, concat([new Int16Array(4000), sineAt(500, 8000, 4000), new Int16Array(8000)]), 0x6161);
  await waitFor('a segment', () => segments.length >= 1);
  t.equal(segments.length, 1);
  const d = segments[0].end - segments[0].start;
  t.ok(d >= 500 && d <= 700, `a 500 ms burst plus 100 ms hangover: ${d} ms`);
  t.throws(() => engine.createEndpoint({ vad: { hangoverMs: 20000 } }), RangeError);
  t.throws(() => engine.createEndpoint({ vad: { enable: true } as never }), /unknown option 'enable'/);
});

t.test('two parties in a mixer: talk time, overlap and interruptions', async (t) => {
  const engine = startEngine(t, PORTS + 300);
  const mixer = engine.createMixer();
  const a = engine.createEndpoint({ mixer, vad: true });
  const b = engine.createEndpoint({ mixer, vad: true });
  mixer.addMember(a);
  mixer.addMember(b);
  mixer.setMode('bridge', { agent: a, client: b });
  const peerA = await openPeer(t);
  const peerB = await openPeer(t);
  a.setRemote(HOST, peerA.port);
  b.setRemote(HOST, peerB.port);
  // A says two sentences; B cuts in during A's second one.
  const lead = new Int16Array(4000);
  const speechA = concat([lead, sentences[1], new Int16Array(4000), sentences[0], new Int16Array(8000)]);
  const bStartsAt = lead.length + sentences[1].length + 4000 + Math.floor(sentences[0].length / 2);
  const speechB = concat([new Int16Array(bStartsAt), sentences[2], new Int16Array(8000)]);
  const length = Math.max(speechA.length, speechB.length);
  const pad = (x: Int16Array): Int16Array => addInto(concat([x, new Int16Array(length - x.length)]), noise(length, 60, x.length));
  await Promise.all([streamPcm(peerA, a.port, pad(speechA), 1), streamPcm(peerB, b.port, pad(speechB), 2)]);
  await waitFor('both ends processed', () => a.stats().talkMs + a.stats().silenceMs >= (length / 8) - 200 && b.stats().talkMs + b.stats().silenceMs >= (length / 8) - 200);
  const sa = a.stats();
  const sb = b.stats();
  const expectedOverlap = Math.min(sentences[2].length, sentences[0].length - Math.floor(sentences[0].length / 2)) / 8;
  t.comment(`A: talk ${sa.talkMs} ms, overlap ${sa.overlapMs} ms, interruptions ${sa.interruptions}; ` +
    `B: talk ${sb.talkMs} ms, overlap ${sb.overlapMs} ms, interruptions ${sb.interruptions}; overlap in the audio ${expectedOverlap.toFixed(0)} ms`);
  t.equal(sb.interruptions, 1, 'B interrupted once');
  t.equal(sa.interruptions, 0, 'A never started while B talked');
  t.ok(sa.overlapMs === sb.overlapMs, 'both count the same overlap');
  t.ok(sa.overlapMs >= expectedOverlap * 0.6 && sa.overlapMs <= expectedOverlap + 600, `overlap ${sa.overlapMs} ms near ${expectedOverlap.toFixed(0)} ms`);
  t.ok(sa.talkMs > sb.talkMs, 'A talked longer');
});
