// Playback over real sockets: WAV and raw files played to an endpoint's far end, checked as
// audio (Goertzel) and as packet counts; resampling from 16, 44.1 and 48 kHz; loop, stop, queue/replace;
// barge-in on speech and on a telephone-event packet; files and arguments that are wrong.
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { MediaError, type Endpoint, type Playback } from '../../../media/index.js';
import { addInto, concat, sineAt, streamPcm, wavBytes, writeWav } from './audio_helpers.js';
import { HOST, audioOf, openPeer, rtpPacket, startEngine, toneAmplitude, waitFor, type RtpPeer } from './helpers.js';

const PORTS = 24600;
const AMP = 12000;

let dir = '';
t.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sy-playback-'));
});
t.teardown(() => rm(dir, { recursive: true, force: true }));

async function setup(t: Test, offset: number): Promise<{ ep: Endpoint; peer: RtpPeer }> {
  const engine = startEngine(t, PORTS + offset);
  const ep = engine.createEndpoint();
  const peer = await openPeer(t);
  ep.setRemote(HOST, peer.port);
  return { ep, peer };
}

/** All packets that carried audio (any energy) in arrival order, decoded. */
function playedAudio(peer: RtpPeer): Int16Array {
  return audioOf(peer.received);
}

t.test('an 8 kHz WAV sine reaches the far end at its frequency and for its duration', async (t) => {
  const { ep, peer } = await setup(t, 0);
  const file = join(dir, 'sine1000.wav');
  await writeWav(file, sineAt(1000, AMP, 8000), 8000);
  const playback = await ep.play(file);
  const result = await playback.done;
  t.same(result, { reason: 'finished', playedMs: 1000 }, 'finished after 1000 ms');
  await waitFor('50 packets', () => peer.received.length >= 50);
  t.equal(ep.stats().packetsOut, 50, '1 s of audio is 50 packets of 20 ms, then the stream stops');
  const audio = playedAudio(peer);
  const at1000 = toneAmplitude(audio, 1000);
  t.ok(at1000 > AMP * 0.9, `1000 Hz at the file's amplitude (${at1000.toFixed(0)} of ${AMP})`);
  for (const f of [500, 1500, 2000, 3000]) t.ok(toneAmplitude(audio, f) < AMP * 0.02, `nothing at ${f} Hz`);
});

t.test('16 kHz stereo: mixed to mono, low-pass filtered, tone preserved, nothing above 4 kHz folds down', async (t) => {
  const { ep, peer } = await setup(t, 100);
  const n = 16000; // 1 s
  const left = sineAt(1000, AMP, n, 16000);
  // Dropping every other sample would put 5500 Hz at 2500 Hz (not a harmonic of 1000 Hz,
  // which G.711 quantisation creates a little of).
  const right = sineAt(5500, AMP, n, 16000);
  const stereo = new Int16Array(2 * n);
  for (let i = 0; i < n; i++) {
    stereo[2 * i] = left[i];
    stereo[2 * i + 1] = right[i];
  }
  const file = join(dir, 'stereo16k.wav');
  await writeWav(file, stereo, 16000, 2);
  const result = await (await ep.play(file)).done;
  t.same(result, { reason: 'finished', playedMs: 1000 }, '16000 samples at 16 kHz play for 1000 ms');
  await waitFor('50 packets', () => peer.received.length >= 50);
  t.equal(ep.stats().packetsOut, 50);
  const audio = playedAudio(peer).subarray(800, 7200); // away from the filter's edges
  const tone = toneAmplitude(audio, 1000);
  const alias = toneAmplitude(audio, 2500);
  t.ok(tone > (AMP / 2) * 0.9, `1000 Hz at half amplitude (the mono mix): ${tone.toFixed(0)}`);
  t.ok(alias < (AMP / 2) * 0.01, `the 5.5 kHz of the right channel is not folded onto 2.5 kHz: ${alias.toFixed(0)}`);
  t.comment(`16 kHz → 8 kHz: 1000 Hz ${tone.toFixed(0)}, alias at 2500 Hz ${alias.toFixed(1)} (sent ${AMP / 2} each)`);
});

// Offsets past every other media test file's port range.
for (const [rate, offset] of [[44100, 4000], [48000, 4100]] as const) {
  t.test(`${rate / 1000} kHz: tones keep their pitch and level, the file its length, nothing above 4 kHz folds down`, async (t) => {
    const { ep, peer } = await setup(t, offset);
    // 1 s of 1000 Hz + 3000 Hz (both carried by 8 kHz audio) + 5500 Hz (which must be removed:
    // folded, it would land on 2500 Hz). At 44.1 kHz an output sample falls between input
    // samples; a wrong ratio would shift every pitch and the length.
    const parts = [1000, 3000, 5500].map((f) => sineAt(f, AMP / 2, rate, rate));
    const file = join(dir, `tones${rate}.wav`);
    await writeWav(file, parts.reduce((sum, p) => addInto(sum, p), new Int16Array(rate)), rate);
    const result = await (await ep.play(file)).done;
    t.same(result, { reason: 'finished', playedMs: 1000 }, `${rate} samples at ${rate} Hz play for 1000 ms`);
    await waitFor('50 packets', () => peer.received.length >= 50);
    t.equal(ep.stats().packetsOut, 50, '50 packets of 20 ms');
    const audio = playedAudio(peer).subarray(800, 7200); // away from the filter's edges
    const level = (f: number): number => toneAmplitude(audio, f);
    t.comment(`${rate} Hz → 8 kHz: 1000 Hz ${level(1000).toFixed(0)}, 3000 Hz ${level(3000).toFixed(0)}, alias at 2500 Hz ${level(2500).toFixed(1)} (sent ${AMP / 2} each)`);
    for (const f of [1000, 3000]) t.ok(level(f) > (AMP / 2) * 0.9, `${f} Hz at its level: ${level(f).toFixed(0)}`);
    for (const f of [1050, 2950]) t.ok(level(f) < (AMP / 2) * 0.3, `not shifted to ${f} Hz: ${level(f).toFixed(0)}`);
    t.ok(level(2500) < (AMP / 2) * 0.01, `the 5.5 kHz tone is not folded onto 2.5 kHz: ${level(2500).toFixed(1)}`);
  });
}

t.test('raw PCM at 16 kHz (format by option) plays like the WAV', async (t) => {
  const { ep, peer } = await setup(t, 200);
  const pcm = concat([sineAt(1500, AMP, 8000, 16000), sineAt(6000, AMP, 8000, 16000)]); // 0.5 s each
  const file = join(dir, 'tones16k.raw');
  await writeFile(file, Buffer.from(pcm.buffer));
  const result = await (await ep.play(file, { raw: { sampleRate: 16000 } })).done;
  t.same(result, { reason: 'finished', playedMs: 1000 });
  await waitFor('50 packets', () => peer.received.length >= 50);
  const audio = playedAudio(peer);
  t.ok(toneAmplitude(audio.subarray(400, 3600), 1500) > AMP * 0.9, '1500 Hz in the first half');
  const second = audio.subarray(4400, 7600);
  const energy = Math.sqrt(second.reduce((s, v) => s + v * v, 0) / second.length);
  t.ok(energy < AMP * 0.01, `the 6 kHz half is filtered out, not folded onto 2 kHz (rms ${energy.toFixed(1)})`);
});

t.test('loop plays until stopped; stop() ends it with reason stopped', async (t) => {
  const { ep, peer } = await setup(t, 300);
  const file = join(dir, 'short.wav');
  await writeWav(file, sineAt(700, AMP, 1600), 8000); // 200 ms
  const playback = await ep.play(file, { loop: true });
  await waitFor('40 packets (four times the file)', () => peer.received.length >= 40);
  t.notOk(playback.ended, 'still playing after the file ran out four times');
  playback.stop();
  const result = await playback.done;
  t.equal(result.reason, 'stopped');
  t.ok(result.playedMs >= 800, `played ${result.playedMs} ms`);
  t.ok(toneAmplitude(playedAudio(peer), 700) > AMP * 0.9, 'seamless 700 Hz across the loop');
});

t.test('a second play replaces the first unless queued; queued items follow without a gap', async (t) => {
  const { ep, peer } = await setup(t, 400);
  const a = join(dir, 'a.wav');
  const b = join(dir, 'b.wav');
  await writeWav(a, sineAt(600, AMP, 16000), 8000); // 2 s
  await writeWav(b, sineAt(1800, AMP, 2400), 8000); // 300 ms
  const first = await ep.play(a);
  await waitFor('10 packets', () => peer.received.length >= 10);
  const second = await ep.play(b);
  t.equal((await first.done).reason, 'stopped', 'replaced: the first ends stopped');
  t.equal((await second.done).reason, 'finished');

  const third = await ep.play(b);
  const fourth = await ep.play(b, { queue: true });
  const r3 = await third.done;
  const r4 = await fourth.done;
  t.same([r3, r4], [{ reason: 'finished', playedMs: 300 }, { reason: 'finished', playedMs: 300 }], 'queued: both play in full');
});

t.test('stopOnSpeech: the far end starting to talk ends the playback (barge-in)', async (t) => {
  const { ep, peer } = await setup(t, 500);
  const file = join(dir, 'long.wav');
  await writeWav(file, sineAt(900, AMP, 80000), 8000); // 10 s
  const plain = join(dir, 'plain.wav');
  await writeWav(plain, sineAt(900, AMP, 80000), 8000);
  const bargeable = await ep.play(file, { stopOnSpeech: true });
  // Half a second of silence (the noise floor), then a tone as loud as speech.
  const caller = concat([new Int16Array(4000), sineAt(440, 8000, 16000)]);
  const sent = streamPcm(peer, ep.port, caller);
  const result = await bargeable.done;
  t.equal(result.reason, 'speech');
  t.ok(result.playedMs >= 400 && result.playedMs < 10000, `stopped after ${result.playedMs} ms, before the end`);
  await sent;
});

t.test('stopOnDtmf: a telephone-event packet ends it; without the option it plays on', async (t) => {
  const { ep, peer } = await setup(t, 600);
  const file = join(dir, 'prompt.wav');
  await writeWav(file, sineAt(1200, AMP, 40000), 8000); // 5 s
  const keep = await ep.play(file, { queue: true });
  const stoppable = await ep.play(file, { stopOnDtmf: true, queue: true });
  await waitFor('5 packets', () => peer.received.length >= 5);
  // RFC 4733: event 5, end bit clear, volume 10, duration 160; sent three times like a real
  // sender's start and retransmissions (one event: the same timestamp).
  const payload = Uint8Array.from([5, 10, 0, 160]);
  for (let i = 0; i < 3; i++) await peer.send(rtpPacket({ pt: 101, seq: 7 + i, ts: 4242, ssrc: 77, marker: i === 0, payload }), ep.port);
  const r = await stoppable.done;
  t.equal(r.reason, 'dtmf', 'the queued playback with stopOnDtmf ended on the key press');
  t.notOk(keep.ended, 'the playing one without stopOnDtmf goes on');
  t.equal(ep.stats().telephoneEvents, 3, 'the telephone-event packets were counted');
  keep.stop();
  t.equal((await keep.done).reason, 'stopped');
});

t.test('into the mixer: the members that hear the endpoint hear the file; its own far end does not', async (t) => {
  const engine = startEngine(t, PORTS + 700);
  const mixer = engine.createMixer();
  const announcer = engine.createEndpoint({ mixer });
  const listener = engine.createEndpoint({ mixer });
  mixer.addMember(announcer);
  mixer.addMember(listener, { hears: [announcer] });
  const announcerPeer = await openPeer(t);
  const listenerPeer = await openPeer(t);
  announcer.setRemote(HOST, announcerPeer.port);
  listener.setRemote(HOST, listenerPeer.port);
  const file = join(dir, 'announce.wav');
  await writeWav(file, sineAt(1100, AMP, 8000), 8000);
  const result = await (await announcer.play(file, { target: 'mixer' })).done;
  t.equal(result.reason, 'finished');
  await waitFor('listener packets', () => listenerPeer.received.length >= 50);
  t.ok(toneAmplitude(audioOf(listenerPeer.received), 1100) > AMP * 0.5, 'the listener hears the announcement');
  const own = audioOf(announcerPeer.received);
  t.ok(own.length === 0 || toneAmplitude(own, 1100) < AMP * 0.02, 'the announcer’s own far end does not');
});

t.test('missing and corrupt files reject with a clear MediaError; bad arguments throw', async (t) => {
  const { ep } = await setup(t, 800);
  const expectFileError = async (path: string, pattern: RegExp, what: string, options = {}): Promise<void> => {
    const err = await ep.play(path, options).then(
      () => undefined,
      (e: unknown) => e,
    );
    t.ok(err instanceof MediaError && err.code === 'AUDIO_FILE', `${what}: MediaError AUDIO_FILE`);
    t.match((err as Error).message, pattern, `${what}: ${(err as Error).message}`);
  };
  await expectFileError(join(dir, 'nope.wav'), /nope\.wav.*No such file/, 'missing file');
  await expectFileError(dir, /not a regular file/, "a directory");
  const garbage = join(dir, 'garbage.wav');
  await writeFile(garbage, Buffer.from('this is not audio at all, just text'));
  await expectFileError(garbage, /not a WAV file/, 'not a WAV');
  const wav24 = join(dir, 'bits24.wav');
  const b = wavBytes(new Int16Array(300), 8000, 1);
  b.writeUInt16LE(24, 34);
  await writeFile(wav24, b);
  await expectFileError(wav24, /24-bit/, '24-bit samples');
  const fast = join(dir, 'rate96k.wav');
  await writeWav(fast, new Int16Array(9600), 96000);
  await expectFileError(fast, /96000 Hz is not supported/, '96 kHz');
  const slow = join(dir, 'rate4k.wav');
  await writeWav(slow, new Int16Array(400), 4000);
  await expectFileError(slow, /4000 Hz is not supported/, '4 kHz');
  const truncated = join(dir, 'truncated.wav');
  await writeFile(truncated, wavBytes(new Int16Array(0), 8000).subarray(0, 30));
  await expectFileError(truncated, /fmt chunk is too short|no data chunk/, 'a truncated header');
  const empty = join(dir, 'empty.wav');
  await writeWav(empty, new Int16Array(0), 8000);
  await expectFileError(empty, /holds no audio/, 'no samples');

  const rejects = async (fn: () => Promise<Playback>, type: typeof TypeError | typeof RangeError, pattern: RegExp): Promise<void> => {
    const err = await fn().then(
      () => undefined,
      (e: unknown) => e,
    );
    t.ok(err instanceof type, `${(err as Error)?.message}`);
    t.match((err as Error).message, pattern);
  };
  const ok = join(dir, 'ok.wav');
  await writeWav(ok, sineAt(1000, AMP, 800), 8000);
  await rejects(() => ep.play(42 as unknown as string), TypeError, /path must be a string/);
  await rejects(() => ep.play(''), TypeError, /non-empty/);
  await rejects(() => ep.play(ok, { looping: true } as never), TypeError, /unknown option 'looping'/);
  await rejects(() => ep.play(ok, { target: 'everyone' as never }), RangeError, /target must be one of/);
  await rejects(() => ep.play(ok, { loop: 'yes' as never }), TypeError, /loop must be a boolean/);
  await rejects(() => ep.play(ok, { raw: { sampleRate: 96000 } }), RangeError, /sampleRate/);
  await rejects(() => ep.play(ok, { raw: { sampleRate: 8000, channels: 0 } }), RangeError, /channels/);
  await rejects(() => ep.play(ok, { raw: {} as never }), TypeError, /sampleRate is required/);
  t.throws(() => ep.setVad('on' as never), TypeError);
  t.throws(() => ep.setVad({ hangoverMs: -1 }), RangeError);
  t.throws(() => ep.setVad({ marginDb: 99 }), RangeError);
  const playing = await ep.play(ok);
  t.equal((await playing.done).reason, 'finished', 'the endpoint still plays after all that');
  await ep.close();
  const closed = await ep.play(ok).catch((e: unknown) => e);
  t.ok(closed instanceof MediaError && closed.code === 'CLOSED', 'a closed endpoint plays nothing');
});

t.test('closing the endpoint ends its playbacks with reason stopped', async (t) => {
  const { ep } = await setup(t, 900);
  const file = join(dir, 'closing.wav');
  await writeWav(file, sineAt(1000, AMP, 40000), 8000);
  const playback = await ep.play(file);
  const done = once(ep, 'playbackDone');
  await ep.close();
  t.equal((await playback.done).reason, 'stopped');
  t.equal((await done)[0].reason, 'stopped');
});

t.test('a large 48 kHz stereo file loads off the event loop and keeps its tone', async (t) => {
  const { ep, peer } = await setup(t, 1000);
  const seconds = 30;
  const n = 48000 * seconds;
  const mono = sineAt(1300, AMP, n, 48000);
  const stereo = new Int16Array(2 * n);
  for (let i = 0; i < n; i++) stereo[2 * i] = stereo[2 * i + 1] = mono[i];
  const file = join(dir, 'big48k.wav');
  await writeWav(file, stereo, 48000, 2);
  // The loop keeps turning while the file is read, decoded and filtered on the libuv pool.
  let turns = 0;
  const timer = setInterval(() => turns++, 1);
  const loading = ep.play(file);
  const playback = await loading;
  clearInterval(timer);
  t.ok(turns > 0, `the event loop ran ${turns} timer callbacks while the ${(stereo.byteLength / 1e6).toFixed(1)} MB file loaded`);
  await waitFor('25 packets', () => peer.received.length >= 25);
  playback.stop();
  const result = await playback.done;
  t.equal(result.reason, 'stopped');
  const audio = audioOf(peer.received.slice(5, 25));
  t.ok(toneAmplitude(audio, 1300) > AMP * 0.9, '1300 Hz after decimation by 6');
});

t.test('closing the engine while a file loads rejects the play with CLOSED', async (t) => {
  const engine = startEngine(t, PORTS + 1100);
  const ep = engine.createEndpoint();
  const file = join(dir, 'late.wav');
  await writeWav(file, sineAt(1000, AMP, 8000), 8000);
  const loading = ep.play(file);
  engine.close(); // before the loader's result can reach the JS thread
  const err = await loading.catch((e: unknown) => e);
  t.ok(err instanceof MediaError && err.code === 'CLOSED', `rejected: ${(err as Error).message}`);
});

t.test('closing the endpoint while a file loads rejects the play with CLOSED', async (t) => {
  const { ep } = await setup(t, 1200);
  const file = join(dir, 'late2.wav');
  await writeWav(file, sineAt(1000, AMP, 8000), 8000);
  const loading = ep.play(file);
  const closed = ep.close();
  const err = await loading.catch((e: unknown) => e);
  t.ok(err instanceof MediaError && err.code === 'CLOSED', `rejected: ${(err as Error).message}`);
  await closed;
});
